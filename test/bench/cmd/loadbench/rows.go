package main

import (
	"slices"
	"strings"
	"time"
)

// row is one target in one mode, with its measurements from every round.
type row struct {
	target target
	mode   mode
	runs   []measurement
}

// groupRows gathers the measurements of each row, in the order the rows
// were first measured.
func groupRows(ms []measurement) []*row {
	var rows []*row
	index := map[string]*row{}
	for _, m := range ms {
		k := string(m.mode) + "/" + m.target.id
		r, ok := index[k]
		if !ok {
			r = &row{target: m.target, mode: m.mode}
			index[k] = r
			rows = append(rows, r)
		}
		r.runs = append(r.runs, m)
	}
	return rows
}

// measured returns the runs that produced figures.
func (r *row) measured() []measurement {
	var out []measurement
	for _, m := range r.runs {
		if m.err == nil {
			out = append(out, m)
		}
	}
	return out
}

// ok reports whether the row has figures.
func (r *row) ok() bool { return r != nil && len(r.measured()) > 0 }

// throughput is the median of the runs' requests per second.
func (r *row) throughput() float64 {
	var v []float64
	for _, m := range r.measured() {
		v = append(v, m.result.Throughput())
	}
	return median(v)
}

// percentile is the median of the runs' q-th latency percentiles.
func (r *row) percentile(q float64) time.Duration {
	var v []float64
	for _, m := range r.measured() {
		v = append(v, float64(m.result.Latencies.Percentile(q)))
	}
	return time.Duration(median(v))
}

// failures lists the non-2xx responses and errors of every run.
func (r *row) failures() string {
	var parts []string
	for _, m := range r.measured() {
		if f := m.result.Failures(); f != "" {
			parts = append(parts, f)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// passed reports whether every run was measured and passed its check.
func (r *row) passed() bool {
	for _, m := range r.runs {
		if m.err != nil || !m.check.passed {
			return false
		}
	}
	return true
}

// checkCell is the side-effect verdict: a check mark and the last run's
// counts, or a cross and the first failing run's.
func (r *row) checkCell() string {
	for _, m := range r.runs {
		switch {
		case m.err != nil:
			return "✗ not measured: " + m.err.Error()
		case !m.check.passed:
			return "✗ " + m.check.detail
		}
	}
	return "✓ " + r.runs[len(r.runs)-1].check.detail
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}
