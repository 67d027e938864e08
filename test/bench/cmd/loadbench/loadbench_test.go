package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/config"
	"github.com/idempotency-operator/idempotency-operator/test/bench/load"
)

func TestPassthroughPolicyLeavesOutOnlyTheBenchRoute(t *testing.T) {
	sample := filepath.Join("..", "..", "..", "..", "config", "samples",
		"idempotency_v1alpha1_idempotencypolicy.yaml")

	path, err := passthroughPolicy(sample, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}

	doc, err := config.LoadFiles([]string{path})
	if err != nil {
		t.Fatalf("the proxy cannot load the passthrough policy: %v", err)
	}
	if len(doc.Policies) != 1 {
		t.Fatalf("got %d policies, want 1", len(doc.Policies))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), benchPath) {
		t.Errorf("the passthrough policy still protects %s:\n%s", benchPath, data)
	}
	if n := strings.Count(string(data), "path: /api/"); n != 8 {
		t.Errorf("the passthrough policy has %d routes, want the other 8:\n%s", n, data)
	}
}

func TestPassthroughPolicyRefusesAPolicyWithoutTheBenchRoute(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.yaml")
	policy := "apiVersion: idempotency.io/v1alpha1\nkind: IdempotencyPolicy\n" +
		"metadata:\n  name: other\nspec:\n  routes:\n  - path: /api/other\n    methods: [POST]\n"
	if err := os.WriteFile(path, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}

	if _, err := passthroughPolicy(path, dir); err == nil {
		t.Error("a policy that never protected the bench route was accepted as the passthrough policy")
	}
}

func TestWriteReportReplacesOnlyTheMarkedSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "benchmarks.md")
	doc := "# Benchmarks\n\nMethod.\n\n" + beginMarker + "\nold table\n" + endMarker + "\n\nCaveats.\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}

	if err := writeReport(path, "new table\n"); err != nil {
		t.Fatal(err)
	}

	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "# Benchmarks\n\nMethod.\n\n" + beginMarker + "\nnew table\n" + endMarker + "\n\nCaveats.\n"
	if string(got) != want {
		t.Errorf("file after writeReport:\n%s\nwant:\n%s", got, want)
	}
}

func TestWriteReportLeavesAFileWithoutMarkersAlone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "benchmarks.md")
	if err := os.WriteFile(path, []byte("hand-written\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	if err := writeReport(path, "table\n"); err == nil {
		t.Error("writeReport overwrote a file that has no report section")
	}
	if got, _ := os.ReadFile(path); string(got) != "hand-written\n" {
		t.Errorf("file changed to %q", got)
	}
}

// results builds a run that got count responses of status code.
func results(code int, count int64) load.Result {
	return load.Result{Completed: count, Status: map[int]int64{code: count}}
}

func TestVerifyComparesSideEffectsWithKeysThatSucceeded(t *testing.T) {
	tests := []struct {
		name     string
		target   target
		runs     []load.Result
		replayed int64
		effects  int64
		passed   bool
	}{
		{"one effect per new key", protectedMemory,
			[]load.Result{results(201, 10), results(201, 90)}, 0, 100, true},
		{"a new key ran twice", protectedMemory,
			[]load.Result{results(201, 10), results(201, 90)}, 0, 101, false},
		{"a new key was replayed", protectedMemory,
			[]load.Result{results(201, 100)}, 1, 100, false},
		{"refused keys cause no effect", protectedMemory,
			[]load.Result{results(201, 60), results(409, 40)}, 0, 60, true},
		{"every replay served from the store", replayMemory,
			[]load.Result{results(201, 500)}, 500, 1, true},
		{"a replay reached the app", replayMemory,
			[]load.Result{results(201, 500)}, 499, 2, false},
		{"a replay refused by a store outage", replayMemory,
			[]load.Result{results(201, 499), results(503, 1)}, 499, 1, true},
		{"a 2xx that was not a replay", replayMemory,
			[]load.Result{results(201, 500)}, 499, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := verify(tt.target, tt.runs, tt.replayed, tt.effects)
			if got.passed != tt.passed {
				t.Errorf("verify passed = %v (%s), want %v", got.passed, got.detail, tt.passed)
			}
		})
	}
}

func TestThousandsSeparatesGroupsOfThreeDigits(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 12345.6: "12,346", 2000000: "2,000,000"} {
		if got := thousands(v); got != want {
			t.Errorf("thousands(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestProcessUsageIsReadFromProc(t *testing.T) {
	self, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	p := &process{name: "test", cmd: &exec.Cmd{Process: self}}

	// Burn CPU until the kernel has counted at least one clock tick, for
	// at most a few seconds.
	deadline := time.Now().Add(5 * time.Second)
	var used time.Duration
	for used == 0 && time.Now().Before(deadline) {
		for i := 0; i < 1_000_000; i++ {
			sink += i
		}
		if used, err = p.cpuTime(); err != nil {
			t.Fatal(err)
		}
	}
	if used <= 0 {
		t.Errorf("cpuTime() = %v after burning CPU; want more than 0", used)
	}

	rss, err := p.residentBytes()
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 {
		t.Errorf("residentBytes() = %d; a Go test process holds more than 1 MiB", rss)
	}
}

var sink int

func TestTypicalP99IgnoresOneSpoiledSlice(t *testing.T) {
	calm := load.Latencies{1, 1, 1, 2}
	stalled := load.Latencies{500, 500, 500, 500}
	r := &row{slices: []load.Result{
		{Latencies: calm}, {Latencies: stalled}, {Latencies: calm},
	}}
	r.result = load.Combine(r.slices...)

	if got := r.slicePercentile(0.99); got != 2 {
		t.Errorf("typical p99 = %v, want 2, the p99 of the calm slices", got)
	}
	if got := r.result.Latencies.Percentile(0.99); got != 500 {
		t.Errorf("overall p99 = %v, want 500: the stall must still show there", got)
	}
}
