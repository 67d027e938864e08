package main

import (
	"fmt"
	"strings"
	"time"
)

// Targets the operator is held to.
const (
	targetChangeP99     = 200 * time.Millisecond
	targetAllProgrammed = 30 * time.Second
	targetManagerMemory = 150 << 20
)

type report struct {
	namespaces, perNamespace int
	changes                  []time.Duration
	created, allProgrammed   time.Duration
	maxRSS, peakRSS          int64
}

func (r report) met() bool {
	return percentile(r.changes, 0.99) < targetChangeP99 &&
		r.allProgrammed < targetAllProgrammed &&
		r.peakRSS < targetManagerMemory
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

func (r report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- operatorbench -->\n")
	fmt.Fprintf(&b, "Measured %s on %s, against kube-apiserver and etcd from envtest on the same machine.\n\n",
		time.Now().UTC().Format("2006-01-02"), machine())
	fmt.Fprintf(&b, "| figure | value | target | |\n| --- | --- | --- | --- |\n")
	p50, p99 := percentile(r.changes, 0.50), percentile(r.changes, 0.99)
	fmt.Fprintf(&b, "| policy change to rendered ConfigMap, p50 (%d changes) | %s | | |\n",
		len(r.changes), p50.Round(time.Millisecond))
	fmt.Fprintf(&b, "| policy change to rendered ConfigMap, p99 | %s | < %s | %s |\n",
		p99.Round(time.Millisecond), targetChangeP99, verdict(p99 < targetChangeP99))
	total := r.namespaces * r.perNamespace
	fmt.Fprintf(&b, "| %d policies in %d namespaces: created (client side) | %s | | |\n",
		total, r.namespaces, r.created.Round(10*time.Millisecond))
	fmt.Fprintf(&b, "| %d policies in %d namespaces: all Programmed, from the first create | %s | < %s | %s |\n",
		total, r.namespaces, r.allProgrammed.Round(10*time.Millisecond), targetAllProgrammed,
		verdict(r.allProgrammed < targetAllProgrammed))
	fmt.Fprintf(&b, "| manager resident memory, peak (VmHWM) | %d MiB | < %d MiB | %s |\n",
		r.peakRSS>>20, targetManagerMemory>>20, verdict(r.peakRSS < targetManagerMemory))
	fmt.Fprintf(&b, "| manager resident memory, highest sample while reconciling | %d MiB | | |\n", r.maxRSS>>20)
	fmt.Fprintf(&b, "<!-- /operatorbench -->\n")
	return b.String()
}

func splitLines(s string) []string { return strings.Split(s, "\n") }

func trim(s string) string { return strings.TrimSpace(s) }
