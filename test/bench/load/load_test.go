package load

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentileUsesTheNearestRank(t *testing.T) {
	ten := Latencies{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	tests := []struct {
		name string
		l    Latencies
		q    float64
		want time.Duration
	}{
		{"no samples", nil, 0.99, 0},
		{"one sample", Latencies{7}, 0.5, 7},
		{"median of ten", ten, 0.5, 5},
		{"p99 of ten is the largest", ten, 0.99, 10},
		{"p90 of ten", ten, 0.9, 9},
		{"p100", ten, 1, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.l.Percentile(tt.q); got != tt.want {
				t.Errorf("Percentile(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

// countingServer answers 201 to POST /ok and 503 to anything else, and
// counts the requests it served.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if r.URL.Path == "/ok" {
			w.WriteHeader(http.StatusCreated)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	return srv, &served
}

func postTo(url string) Target {
	return Target{NewRequest: func() (*http.Request, error) {
		return http.NewRequest(http.MethodPost, url, strings.NewReader("{}"))
	}}
}

func TestClosedRunStopsAtTheRequestCap(t *testing.T) {
	srv, served := countingServer(t)

	res, err := Closed{
		Client:      NewClient(4),
		Target:      postTo(srv.URL + "/ok"),
		Concurrency: 4,
		Duration:    time.Minute,
		MaxRequests: 100,
	}.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	if res.Completed != 100 || res.Successes() != 100 || served.Load() != 100 {
		t.Errorf("completed %d, 2xx %d, served %d; want 100 of each",
			res.Completed, res.Successes(), served.Load())
	}
	if len(res.Latencies) != 100 || res.Failures() != "" {
		t.Errorf("got %d latency samples and failures %q; want 100 and none",
			len(res.Latencies), res.Failures())
	}
}

func TestClosedRunCountsNon2xxResponsesAsFailures(t *testing.T) {
	srv, _ := countingServer(t)

	res, err := Closed{
		Client:      NewClient(1),
		Target:      postTo(srv.URL + "/unavailable"),
		Concurrency: 1,
		Duration:    time.Minute,
		MaxRequests: 3,
	}.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	if res.Successes() != 0 || res.Status[http.StatusServiceUnavailable] != 3 {
		t.Errorf("status counts %v; want three 503s", res.Status)
	}
	if want := "3 × 503 Service Unavailable"; res.Failures() != want {
		t.Errorf("Failures() = %q, want %q", res.Failures(), want)
	}
}

func TestOpenRunSendsEveryScheduledRequest(t *testing.T) {
	srv, served := countingServer(t)

	res, err := Open{
		Client:      NewClient(8),
		Target:      postTo(srv.URL + "/ok"),
		Rate:        1000,
		Duration:    50 * time.Millisecond,
		MaxRequests: 1000,
		MaxInFlight: 8,
	}.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	if res.Completed != 50 || served.Load() != 50 || res.Errors != 0 {
		t.Errorf("completed %d, served %d, errors %d; want 50, 50 and 0",
			res.Completed, served.Load(), res.Errors)
	}
	// The schedule spans 49 intervals of 1ms; the run cannot be shorter.
	if res.Elapsed < 49*time.Millisecond {
		t.Errorf("the run took %v; the schedule alone spans 49ms", res.Elapsed)
	}
}

func TestOpenRunCountsUnsentRequestsWhenStoppedAsErrors(t *testing.T) {
	srv, _ := countingServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	res, err := Open{
		Client:      NewClient(1),
		Target:      postTo(srv.URL + "/ok"),
		Rate:        100,
		Duration:    time.Second,
		MaxRequests: 1000,
		MaxInFlight: 1,
	}.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}

	if res.Completed != 0 || res.Errors != 100 || !errors.Is(res.FirstError, errNotSent) {
		t.Errorf("completed %d, errors %d (%v); want all 100 counted as not sent",
			res.Completed, res.Errors, res.FirstError)
	}
}

func TestRunsRejectUnboundedOptions(t *testing.T) {
	target := postTo("http://127.0.0.1:1/")
	client := NewClient(1)

	if _, err := (Closed{Client: client, Target: target, Concurrency: 1, Duration: time.Second}).
		Run(context.Background()); err == nil {
		t.Error("a closed run without a request cap started")
	}
	if _, err := (Open{Client: client, Target: target, Rate: 10, MaxRequests: 1, MaxInFlight: 1}).
		Run(context.Background()); err == nil {
		t.Error("an open run without a duration started")
	}
}

func TestClientOnlyDialsLoopbackAddresses(t *testing.T) {
	tests := []struct {
		address string
		allowed bool
	}{
		{"127.0.0.1:8080", true},
		{"127.1.2.3:8080", true},
		{"[::1]:8080", true},
		{"192.0.2.10:8080", false},
		{"10.0.0.1:80", false},
		{"[2001:db8::1]:443", false},
	}
	for _, tt := range tests {
		err := loopbackOnly("tcp", tt.address, nil)
		if (err == nil) != tt.allowed {
			t.Errorf("loopbackOnly(%s) = %v; allowed should be %v", tt.address, err, tt.allowed)
		}
	}
}

func TestCombineAddsSlicesUp(t *testing.T) {
	a := Result{Elapsed: time.Second, Completed: 3, Status: map[int]int64{201: 3}, Latencies: Latencies{1, 5, 9}}
	b := Result{Elapsed: time.Second, Completed: 2, Status: map[int]int64{201: 1, 503: 1},
		Errors: 1, FirstError: errNotSent, Latencies: Latencies{2, 7}}

	got := Combine(a, b)

	if got.Elapsed != 2*time.Second || got.Completed != 5 || got.Errors != 1 {
		t.Errorf("elapsed %v, completed %d, errors %d; want 2s, 5 and 1", got.Elapsed, got.Completed, got.Errors)
	}
	if got.Status[201] != 4 || got.Status[503] != 1 || got.Throughput() != 2.5 {
		t.Errorf("status %v, throughput %v; want four 201s, one 503 and 2.5/s", got.Status, got.Throughput())
	}
	if want := (Latencies{1, 2, 5, 7, 9}); !slices.Equal(got.Latencies, want) {
		t.Errorf("latencies %v, want %v sorted", got.Latencies, want)
	}
}
