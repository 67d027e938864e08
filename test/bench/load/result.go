package load

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Result is what one run measured.
type Result struct {
	// Elapsed is the length of the measured window: from the first request
	// until the last answer.
	Elapsed time.Duration
	// Completed counts requests that got a response, whatever its status.
	Completed int64
	// Status counts responses by status code.
	Status map[int]int64
	// Errors counts requests that got no response: refused, reset or timed
	// out, or, in an open run, never sent before the run was stopped.
	Errors int64
	// FirstError is one of those errors, to explain them.
	FirstError error
	// Latencies holds one sample per completed request, sorted.
	Latencies Latencies
}

// Throughput is the number of completed requests per second.
func (r Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Completed) / r.Elapsed.Seconds()
}

// Successes counts the 2xx responses.
func (r Result) Successes() int64 {
	var n int64
	for code, c := range r.Status {
		if code >= 200 && code < 300 {
			n += c
		}
	}
	return n
}

// Failures describes the requests that did not get a 2xx response, or ""
// when every request did.
func (r Result) Failures() string {
	var parts []string
	codes := make([]int, 0, len(r.Status))
	for code := range r.Status {
		codes = append(codes, code)
	}
	sort.Ints(codes)
	for _, code := range codes {
		if code < 200 || code >= 300 {
			parts = append(parts, fmt.Sprintf("%d × %s", r.Status[code], statusText(code)))
		}
	}
	if r.Errors > 0 {
		parts = append(parts, fmt.Sprintf("%d errors (%v)", r.Errors, r.FirstError))
	}
	return strings.Join(parts, ", ")
}

// Latencies are latency samples sorted in increasing order.
type Latencies []time.Duration

// sortLatencies sorts s in place and returns it as Latencies.
func sortLatencies(s []time.Duration) Latencies {
	slices.Sort(s)
	return Latencies(s)
}

// Percentile returns the smallest sample that at least q of the samples
// do not exceed (the nearest-rank method), for q in (0, 1]. It is 0 when
// there are no samples.
func (l Latencies) Percentile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(l))))
	return l[min(max(rank, 1), len(l))-1]
}

// tally collects the outcome of requests in one goroutine; tallies are
// merged when a run ends, so that recording needs no lock.
type tally struct {
	latencies []time.Duration
	status    map[int]int64
	errors    int64
	firstErr  error
}

func newTally(capacity int) *tally {
	return &tally{latencies: make([]time.Duration, 0, capacity), status: map[int]int64{}}
}

func (t *tally) ok(code int, latency time.Duration) {
	t.status[code]++
	t.latencies = append(t.latencies, latency)
}

func (t *tally) fail(err error) {
	t.errors++
	if t.firstErr == nil {
		t.firstErr = err
	}
}

// merge folds the tallies into a Result.
func merge(elapsed time.Duration, tallies []*tally) Result {
	r := Result{Elapsed: elapsed, Status: map[int]int64{}}
	n := 0
	for _, t := range tallies {
		n += len(t.latencies)
	}
	all := make([]time.Duration, 0, n)
	for _, t := range tallies {
		all = append(all, t.latencies...)
		for code, c := range t.status {
			r.Status[code] += c
			r.Completed += c
		}
		r.Errors += t.errors
		if r.FirstError == nil {
			r.FirstError = t.firstErr
		}
	}
	r.Latencies = sortLatencies(all)
	return r
}

// Combine joins results of the same target measured in separate slices of
// time into one, as if they were one run as long as the slices together.
func Combine(results ...Result) Result {
	out := Result{Status: map[int]int64{}}
	n := 0
	for _, r := range results {
		n += len(r.Latencies)
	}
	all := make([]time.Duration, 0, n)
	for _, r := range results {
		out.Elapsed += r.Elapsed
		out.Completed += r.Completed
		out.Errors += r.Errors
		if out.FirstError == nil {
			out.FirstError = r.FirstError
		}
		for code, c := range r.Status {
			out.Status[code] += c
		}
		all = append(all, r.Latencies...)
	}
	out.Latencies = sortLatencies(all)
	return out
}
