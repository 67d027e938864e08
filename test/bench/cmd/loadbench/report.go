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
		if !r.ok() || !r.check.passed {
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
	rep.writeUsage(&b)
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
	fmt.Fprintf(b, "- Turns: the rows of a table run side by side and take turns at the load in slices of %s\n",
		o.slice)
	fmt.Fprintf(b, "- Requests: POST %s with a %d-byte JSON body and a new %s on each (the replay rows repeat one)\n",
		benchPath, len(benchBody), keyHeader)
	if rep.redisErr != nil {
		fmt.Fprintf(b, "- Redis rows skipped: %v\n", rep.redisErr)
	}
	b.WriteString("\n")
}

func (rep *report) writeClosed(b *strings.Builder) {
	fmt.Fprintf(b, "#### Throughput, closed loop with %d clients\n\n", rep.opts.concurrency)
	b.WriteString("| row | req/s | ÷ direct | p50 | p99 | p99.9 | p99 ÷ direct | not 2xx, warm-up included | side effects |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n")
	base := rep.row(closedLoop, direct.id)
	for _, r := range rep.rows {
		if r.mode != closedLoop {
			continue
		}
		if !r.ok() {
			fmt.Fprintf(b, "| %s | – | – | – | – | – | – | – | – | – | %s |\n", r.target.label, r.checkCell())
			continue
		}
		res := r.result
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.target.label, thousands(res.Throughput()), ratio(res.Throughput(), base.throughput()),
			ms(res.Latencies.Percentile(0.50)), ms(res.Latencies.Percentile(0.99)),
			ms(res.Latencies.Percentile(0.999)),
			ratio(float64(res.Latencies.Percentile(0.99)), float64(base.percentile(0.99))),
			r.failures(), r.checkCell())
	}
	b.WriteString("\n")
}

func (rep *report) writeUsage(b *strings.Builder) {
	b.WriteString("#### CPU time per request, closed loop\n\n")
	b.WriteString("CPU time (user and system) each process used during the measured slices, " +
		"divided by the requests completed. It varies less with the machine's other work than " +
		"throughput does.\n\n")
	b.WriteString("| row | front | ÷ passthrough | sample app | redis-server | front memory after the row |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: |\n")
	base := rep.row(closedLoop, passthrough.id)
	for _, r := range rep.rows {
		if r.mode != closedLoop || !r.ok() {
			continue
		}
		front, vsBase, redis, rss := "–", "–", "–", "–"
		if r.target.front != frontNone {
			front = us(r.cpuPerRequest(roleFront))
			vsBase = ratio(float64(r.cpuPerRequest(roleFront)), float64(base.cpuPerRequest(roleFront)))
			rss = fmt.Sprintf("%d MiB", r.usage.frontRSS>>20)
		}
		if r.target.usesRedis() {
			redis = us(r.cpuPerRequest(roleStore))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n",
			r.target.label, front, vsBase, us(r.cpuPerRequest(roleApp)), redis, rss)
	}
	b.WriteString("\n")
}

func (rep *report) writeOpen(b *strings.Builder) {
	fmt.Fprintf(b, "#### Latency at a fixed %s req/s\n\n", thousands(rep.opts.rate))
	fmt.Fprintf(b, "Typical p99 is the median over the %s slices of each slice's p99: a stall of the "+
		"machine that spoils one slice moves it little.\n\n", rep.opts.slice)
	b.WriteString("| row | req/s achieved | p50 | p99 | p99.9 | typical p99 | p50 − direct | p99 − direct " +
		"| typical p99 − direct | not 2xx, warm-up included | side effects |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n")
	base := rep.row(openLoop, direct.id)
	for _, r := range rep.rows {
		if r.mode != openLoop {
			continue
		}
		if !r.ok() {
			fmt.Fprintf(b, "| %s | – | – | – | – | – | – | – | – | – | %s |\n", r.target.label, r.checkCell())
			continue
		}
		res := r.result
		added50, added99, addedTypical := "–", "–", "–"
		if base.ok() {
			added50 = signedMS(res.Latencies.Percentile(0.50) - base.percentile(0.50))
			added99 = signedMS(res.Latencies.Percentile(0.99) - base.percentile(0.99))
			addedTypical = signedMS(r.slicePercentile(0.99) - base.slicePercentile(0.99))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.target.label, thousands(res.Throughput()),
			ms(res.Latencies.Percentile(0.50)), ms(res.Latencies.Percentile(0.99)),
			ms(res.Latencies.Percentile(0.999)), ms(r.slicePercentile(0.99)),
			added50, added99, addedTypical, r.failures(), r.checkCell())
	}
	b.WriteString("\n")
}

// throughput is the row's requests per second, or 0 without figures.
func (r *row) throughput() float64 {
	if !r.ok() {
		return 0
	}
	return r.result.Throughput()
}

// percentile is the row's q-th latency percentile, or 0 without figures.
func (r *row) percentile(q float64) time.Duration {
	if !r.ok() {
		return 0
	}
	return r.result.Latencies.Percentile(q)
}

// failures describes the responses that were not 2xx and the errors,
// warm-up included.
func (r *row) failures() string {
	if f := r.all.Failures(); f != "" {
		return f
	}
	return "none"
}

// checkCell is the side-effect verdict: a check mark or a cross, and the
// counts compared.
func (r *row) checkCell() string {
	switch {
	case r.err != nil:
		return "✗ not measured: " + r.err.Error()
	case !r.check.passed:
		return "✗ " + r.check.detail
	}
	return "✓ " + r.check.detail
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

// us formats a short duration in microseconds.
func us(d time.Duration) string {
	return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
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

// progressLine summarises a row once it is measured.
func progressLine(r *row) string {
	prefix := fmt.Sprintf("%-6s  %-50s", r.mode, r.target.label)
	if r.err != nil {
		return prefix + "  not measured: " + r.err.Error()
	}
	return fmt.Sprintf("%s  %8s req/s  p50 %s  p99 %s  %s", prefix, thousands(r.throughput()),
		ms(r.percentile(0.5)), ms(r.percentile(0.99)), r.checkCell())
}
