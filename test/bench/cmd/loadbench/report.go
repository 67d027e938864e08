package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// report is what a run found, ready to print.
type report struct {
	opts     options
	machine  machine
	started  time.Time
	pinning  string
	rows     []*row
	redisErr error
}

func newReport(o options, m machine, started time.Time, pinning string, ms []measurement,
	redisErr error) *report {
	return &report{opts: o, machine: m, started: started, pinning: pinning, rows: groupRows(ms),
		redisErr: redisErr}
}

// row returns the row of target id in mode m, or nil.
func (rep *report) row(m mode, id string) *row {
	for _, r := range rep.rows {
		if r.mode == m && r.target.id == id {
			return r
		}
	}
	return nil
}

// allChecksPassed reports whether every row was measured and passed its
// side-effect check.
func (rep *report) allChecksPassed() bool {
	for _, r := range rep.rows {
		if !r.passed() {
			return false
		}
	}
	return true
}

// markdown renders the report.
func (rep *report) markdown() string {
	var b strings.Builder
	rep.writeSetup(&b)
	rep.writeClosed(&b)
	rep.writeOpen(&b)
	rep.writeGoals(&b)
	return b.String()
}

func (rep *report) writeSetup(b *strings.Builder) {
	o, m := rep.opts, rep.machine
	fmt.Fprintf(b, "- Date: %s\n", rep.started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(b, "- Machine: %d CPUs (nproc), %s, Linux %s; load average before the run %s\n",
		m.cpus, m.cpuModel, m.kernel, m.loadAvg)
	fmt.Fprintf(b, "- Go: %s\n", m.goVer)
	fmt.Fprintf(b, "- GOMAXPROCS: sample app 1, each proxy 1, load generator %d; redis-server is single-threaded\n",
		m.cpus)
	fmt.Fprintf(b, "- CPU pinning: %s\n", rep.pinning)
	fmt.Fprintf(b, "- Closed loop: %d clients with keep-alive connections, %s warm-up, then %s measured per row\n",
		o.concurrency, o.warmup, o.duration)
	fmt.Fprintf(b, "- Fixed rate: %s req/s, %s warm-up, then %s measured per row, at most %d in flight; "+
		"latency is timed from each request's scheduled start\n", thousands(o.rate), o.warmup, o.duration, o.maxInFlight)
	fmt.Fprintf(b, "- Rounds: %d; with more than one, each figure is the median over rounds\n", o.rounds)
	fmt.Fprintf(b, "- Requests: POST %s with a %d-byte JSON body and a new %s on each (the replay rows repeat one)\n",
		benchPath, len(benchBody), keyHeader)
	if rep.redisErr != nil {
		fmt.Fprintf(b, "- Redis rows skipped: %v\n", rep.redisErr)
	}
	b.WriteString("\n")
}

func (rep *report) writeClosed(b *strings.Builder) {
	fmt.Fprintf(b, "#### Throughput, closed loop with %d clients\n\n", rep.opts.concurrency)
	b.WriteString("| row | req/s | ÷ direct | p50 | p99 | p99.9 | p99 ÷ direct | not 2xx | side effects |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n")
	base := rep.row(closedLoop, direct.id)
	for _, r := range rep.rows {
		if r.mode != closedLoop {
			continue
		}
		if !r.ok() {
			fmt.Fprintf(b, "| %s | – | – | – | – | – | – | – | %s |\n", r.target.label, r.checkCell())
			continue
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.target.label, thousands(r.throughput()), ratio(r.throughput(), base.throughputOrZero()),
			ms(r.percentile(0.50)), ms(r.percentile(0.99)), ms(r.percentile(0.999)),
			ratio(float64(r.percentile(0.99)), float64(base.percentileOrZero(0.99))),
			r.failures(), r.checkCell())
	}
	b.WriteString("\n")
}

func (rep *report) writeOpen(b *strings.Builder) {
	fmt.Fprintf(b, "#### Latency at a fixed %s req/s\n\n", thousands(rep.opts.rate))
	b.WriteString("| row | req/s achieved | p50 | p99 | p99.9 | p99 − direct | not 2xx | side effects |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |\n")
	base := rep.row(openLoop, direct.id)
	for _, r := range rep.rows {
		if r.mode != openLoop {
			continue
		}
		if !r.ok() {
			fmt.Fprintf(b, "| %s | – | – | – | – | – | – | %s |\n", r.target.label, r.checkCell())
			continue
		}
		delta := "–"
		if base.ok() {
			delta = signedMS(r.percentile(0.99) - base.percentile(0.99))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.target.label, thousands(r.throughput()),
			ms(r.percentile(0.50)), ms(r.percentile(0.99)), ms(r.percentile(0.999)), delta,
			r.failures(), r.checkCell())
	}
	b.WriteString("\n")
}

func (r *row) throughputOrZero() float64 {
	if !r.ok() {
		return 0
	}
	return r.throughput()
}

func (r *row) percentileOrZero(q float64) time.Duration {
	if !r.ok() {
		return 0
	}
	return r.percentile(q)
}

// ratio formats a/b as a multiplier, or "–" without a denominator.
func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// ms formats a latency in milliseconds.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}

// signedMS formats a latency difference with its sign.
func signedMS(d time.Duration) string {
	return fmt.Sprintf("%+.3f ms", float64(d)/float64(time.Millisecond))
}

// thousands formats a rate as a whole number with thousands separators.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// progressLine summarises one measurement while the run goes on.
func progressLine(m measurement) string {
	prefix := fmt.Sprintf("round %d  %-6s  %-50s", m.round, m.mode, m.target.label)
	if m.err != nil {
		return prefix + "  not measured: " + m.err.Error()
	}
	mark := "✓"
	if !m.check.passed {
		mark = "✗"
	}
	return fmt.Sprintf("%s  %8s req/s  p50 %s  p99 %s  %s %s", prefix, thousands(m.result.Throughput()),
		ms(m.result.Latencies.Percentile(0.5)), ms(m.result.Latencies.Percentile(0.99)), mark, m.check.detail)
}
