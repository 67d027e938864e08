package main

import (
	"fmt"
	"strings"
	"time"
)

// goal is a ratio the report judges: a target to meet, or, without one, a
// figure shown for context.
type goal struct {
	label string
	// value computes the figure; ok is false if a row it needs is missing.
	value func(rep *report) (v float64, ok bool)
	show  func(v float64) string
	// target describes the goal and met judges it; both are empty for a
	// context figure.
	target string
	met    func(v float64) bool
}

// throughputRatio divides the closed-loop throughput of row a by b's.
func throughputRatio(a, b target) func(*report) (float64, bool) {
	return func(rep *report) (float64, bool) {
		ra, rb := rep.row(closedLoop, a.id), rep.row(closedLoop, b.id)
		if !ra.ok() || !rb.ok() || rb.throughput() == 0 {
			return 0, false
		}
		return ra.throughput() / rb.throughput(), true
	}
}

// frontCPURatio divides the front's CPU time per request in row a by b's.
func frontCPURatio(a, b target) func(*report) (float64, bool) {
	return func(rep *report) (float64, bool) {
		ra, rb := rep.row(closedLoop, a.id), rep.row(closedLoop, b.id)
		if !ra.ok() || !rb.ok() || rb.cpuPerRequest(roleFront) == 0 {
			return 0, false
		}
		return float64(ra.cpuPerRequest(roleFront)) / float64(rb.cpuPerRequest(roleFront)), true
	}
}

// latencyAdded subtracts the fixed-rate q-th percentile of row b from
// a's, in seconds.
func latencyAdded(q float64, a, b target) func(*report) (float64, bool) {
	return func(rep *report) (float64, bool) {
		ra, rb := rep.row(openLoop, a.id), rep.row(openLoop, b.id)
		if !ra.ok() || !rb.ok() {
			return 0, false
		}
		return (ra.percentile(q) - rb.percentile(q)).Seconds(), true
	}
}

// typicalAdded subtracts the typical fixed-rate p99 of row b from a's, in
// seconds.
func typicalAdded(a, b target) func(*report) (float64, bool) {
	return func(rep *report) (float64, bool) {
		ra, rb := rep.row(openLoop, a.id), rep.row(openLoop, b.id)
		if !ra.ok() || !rb.ok() {
			return 0, false
		}
		return (ra.slicePercentile(0.99) - rb.slicePercentile(0.99)).Seconds(), true
	}
}

func showRatio(v float64) string { return fmt.Sprintf("%.3f×", v) }

func showSeconds(v float64) string { return signedMS(time.Duration(v * float64(time.Second))) }

// goals lists the targets the proxy is held to, then context figures.
func (rep *report) goals() []goal {
	rate := thousands(rep.opts.rate)
	return []goal{
		{
			label:  "passthrough ÷ default ReverseProxy, req/s",
			value:  throughputRatio(passthrough, reverseProxy),
			show:   showRatio,
			target: "≥ 1.10×",
			met:    func(v float64) bool { return v >= 1.10 },
		},
		{
			label:  "protected, new keys, memory ÷ passthrough, req/s",
			value:  throughputRatio(protectedMemory, passthrough),
			show:   showRatio,
			target: "≥ 0.90×",
			met:    func(v float64) bool { return v >= 0.90 },
		},
		{
			label:  "replays, memory ÷ direct, req/s",
			value:  throughputRatio(replayMemory, direct),
			show:   showRatio,
			target: "≥ 0.60×",
			met:    func(v float64) bool { return v >= 0.60 },
		},
		{
			label:  "p99 added at " + rate + " req/s: protected, memory − direct",
			value:  latencyAdded(0.99, protectedMemory, direct),
			show:   showSeconds,
			target: "< 1 ms",
			met:    func(v float64) bool { return v < 0.001 },
		},
		{
			label: "passthrough ÷ ReverseProxy with 1024 idle conns, req/s",
			value: throughputRatio(passthrough, reverseProxy1k),
			show:  showRatio,
		},
		{
			label: "front CPU per request: default ReverseProxy ÷ passthrough",
			value: frontCPURatio(reverseProxy, passthrough),
			show:  showRatio,
		},
		{
			label: "front CPU per request: protected, new keys, memory ÷ passthrough",
			value: frontCPURatio(protectedMemory, passthrough),
			show:  showRatio,
		},
		{
			label: "protected, new keys, Redis ÷ passthrough, req/s",
			value: throughputRatio(protectedRedis, passthrough),
			show:  showRatio,
		},
		{
			label: "replays, Redis ÷ direct, req/s",
			value: throughputRatio(replayRedis, direct),
			show:  showRatio,
		},
		{
			label: "typical p99 added at " + rate + " req/s: protected, memory − direct",
			value: typicalAdded(protectedMemory, direct),
			show:  showSeconds,
		},
		{
			label: "p50 added at " + rate + " req/s: protected, memory − direct",
			value: latencyAdded(0.50, protectedMemory, direct),
			show:  showSeconds,
		},
		{
			label: "p99 added at " + rate + " req/s: passthrough − direct",
			value: latencyAdded(0.99, passthrough, direct),
			show:  showSeconds,
		},
		{
			label: "p99 added at " + rate + " req/s: protected, Redis − direct",
			value: latencyAdded(0.99, protectedRedis, direct),
			show:  showSeconds,
		},
	}
}

func (rep *report) writeGoals(b *strings.Builder) {
	b.WriteString("#### Targets\n\n")
	b.WriteString("| figure | measured | target | verdict |\n")
	b.WriteString("| --- | ---: | --- | --- |\n")
	for _, g := range rep.goals() {
		v, ok := g.value(rep)
		measured, verdict := "–", "not measured"
		if ok {
			measured = g.show(v)
		}
		switch {
		case g.met == nil:
			verdict = "context, no target"
		case !ok:
		case g.met(v):
			verdict = "met"
		default:
			verdict = "**missed**"
		}
		target := g.target
		if target == "" {
			target = "–"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", g.label, measured, target, verdict)
	}
}
