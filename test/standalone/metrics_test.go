package standalone

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
	labelPair  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
)

// metricValue returns the value of the sample of metric name whose labels
// include labels (name, value pairs), from the Prometheus text format.
func metricValue(exposition, name string, labels ...string) (float64, bool) {
	for line := range strings.Lines(exposition) {
		m := sampleLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil || m[1] != name {
			continue
		}
		have := map[string]string{}
		for _, pair := range labelPair.FindAllStringSubmatch(m[2], -1) {
			have[pair[1]] = pair[2]
		}
		matches := true
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				matches = false
			}
		}
		if matches {
			v, err := strconv.ParseFloat(m[3], 64)
			return v, err == nil
		}
	}
	return 0, false
}

// wantMetric fails the test unless the sample of name with labels has the
// value want.
func wantMetric(t *testing.T, exposition string, want float64, name string, labels ...string) {
	t.Helper()
	got, ok := metricValue(exposition, name, labels...)
	switch {
	case !ok:
		t.Errorf("/metrics has no %s%v", name, labels)
	case got != want:
		t.Errorf("/metrics: %s%v = %v, want %v", name, labels, got, want)
	}
}
