package proxy_test

import (
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy"
)

func TestConcurrentDuplicatesWaitAndReplay(t *testing.T) {
	h := newHarness(t, basicSpec)
	rs := h.concurrently(60, "POST", "/things/1/accept", `{"a":1}`, "Idempotency-Key", "k", "X-Delay", "50ms")
	h.wantCalls(1)
	executed := 0
	for _, r := range rs {
		wantStatus(t, r, 201, "")
		if r.body != rs[0].body {
			t.Fatalf("duplicates got different bodies: %q vs %q", r.body, rs[0].body)
		}
		if !r.replayed() {
			executed++
		}
	}
	if executed != 1 {
		t.Fatalf("%d responses were not replays, want exactly 1", executed)
	}
}

func TestConcurrentDuplicateIsRejectedWithRetryAfter(t *testing.T) {
	h := newHarness(t, basicSpec)
	h.app.block = make(chan struct{})
	done := make(chan response)
	go func() { done <- h.do("POST", "/reject", "", "Idempotency-Key", "k") }()
	waitForCalls(t, h, 1)

	r := h.do("POST", "/reject", "", "Idempotency-Key", "k")
	wantStatus(t, r, 409, "request-in-progress")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("409 without Retry-After")
	}
	close(h.app.block)
	<-done
	after := h.do("POST", "/reject", "", "Idempotency-Key", "k")
	if !after.replayed() {
		t.Fatal("the retry after completion was not replayed")
	}
	h.wantCalls(1)
}

func TestWaitTimesOutWith409(t *testing.T) {
	h := newHarness(t, basicSpec)
	h.app.block = make(chan struct{})
	done := make(chan response)
	go func() { done <- h.do("POST", "/short-wait", "", "Idempotency-Key", "k") }()
	waitForCalls(t, h, 1)

	start := time.Now()
	r := h.do("POST", "/short-wait", "", "Idempotency-Key", "k")
	wantStatus(t, r, 409, "request-in-progress")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("409 without Retry-After")
	}
	if waited := time.Since(start); waited < 100*time.Millisecond {
		t.Fatalf("answered after %v, before the 100ms waitTimeout", waited)
	}
	close(h.app.block)
	<-done
	h.wantCalls(1)
}

// waitForCalls polls until the application has seen n requests.
func waitForCalls(t *testing.T, h *harness, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for h.app.calls.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the application saw %d requests, want %d", h.app.calls.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestASlowRequestKeepsItsClaimPastTheLease(t *testing.T) {
	h := newHarness(t, basicSpec, func(o *proxy.Options) { o.Lease = 300 * time.Millisecond })
	done := make(chan response)
	go func() { done <- h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k", "X-Delay", "1200ms") }()
	waitForCalls(t, h, 1)

	// Well past the lease: only renewals keep the key claimed now.
	time.Sleep(700 * time.Millisecond)
	dup := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k")
	first := <-done
	wantStatus(t, first, 201, "")
	if !dup.replayed() || dup.body != first.body {
		t.Fatalf("a duplicate sent while the first request ran past its lease got %d %q; "+
			"want the first response replayed", dup.status, dup.body)
	}
	h.wantCalls(1)
}

func TestUpstreamTimeoutIsEnforcedForSlowApplications(t *testing.T) {
	h := newHarness(t, basicSpec, func(o *proxy.Options) { o.UpstreamTimeout = 200 * time.Millisecond })
	start := time.Now()
	r := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k", "X-Delay", "1500ms")
	wantStatus(t, r, 504, "upstream-timeout")
	if took := time.Since(start); took > 1200*time.Millisecond {
		t.Fatalf("the 200ms upstream timeout answered after %v", took)
	}
}
