package storetest

import (
	"context"
	"errors"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// promptly bounds how long Wait may take when it has nothing to wait for.
const promptly = time.Second

// waitCases checks when Wait returns.
func waitCases() []testCase {
	ends := []struct {
		name string
		end  func(h *harness, key, token string) error
	}{
		{"Completed", func(h *harness, key, token string) error {
			return h.store.Complete(h.ctx, key, token, store.Record{Status: 200}, longLease)
		}},
		{"Released", func(h *harness, key, token string) error {
			return h.store.Release(h.ctx, key, token)
		}},
	}

	var cs []testCase
	for _, end := range ends {
		cs = append(cs, testCase{"WaitReturnsWhenTheClaimIs" + end.name, func(h *harness) {
			token := h.mustClaim("k", longLease)
			waited := h.startWait("k", patience)
			select {
			case err := <-waited:
				h.Fatalf("Wait returned %v while the key was in flight", err)
			default:
			}

			if err := end.end(h, "k", token); err != nil {
				h.Fatalf("ending the claim: %v", err)
			}
			if err := <-waited; err != nil {
				h.Fatalf("Wait = %v, want nil", err)
			}
		}})
	}

	return append(cs,
		testCase{"WaitReturnsAtOnceForAbsentKey", func(h *harness) {
			h.wantPromptWait("absent")
		}},
		testCase{"WaitReturnsAtOnceForCompletedKey", func(h *harness) {
			token := h.mustClaim("k", longLease)
			h.complete("k", token, store.Record{Status: 200}, longLease)
			h.wantPromptWait("k")
		}},
		testCase{"WaitReturnsWhenTheLeaseRunsOut", func(h *harness) {
			h.mustClaim("k", h.cfg.shortLease)
			waited := h.startWait("k", patience)
			h.elapse(h.cfg.shortLease)

			if err := <-waited; err != nil {
				h.Fatalf("Wait = %v, want nil once the lease ran out", err)
			}
			h.eventuallyClaim("k", "fp-new")
		}},
		testCase{"WaitReturnsTheContextErrorWhileInFlight", func(h *harness) {
			h.mustClaim("k", longLease)
			ctx, cancel := context.WithTimeout(h.ctx, 50*time.Millisecond)
			defer cancel()

			if err := h.store.Wait(ctx, "k"); !errors.Is(err, context.DeadlineExceeded) {
				h.Fatalf("Wait = %v, want context.DeadlineExceeded", err)
			}
			h.wantState("k", store.InFlight)
		}},
	)
}

// startWait calls Wait in a goroutine with a context that ends after d
// and returns a channel that receives its result.
func (h *harness) startWait(key string, d time.Duration) <-chan error {
	waited := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(h.ctx, d)
		defer cancel()
		waited <- h.store.Wait(ctx, key)
	}()
	return waited
}

// wantPromptWait fails unless Wait on key returns nil within promptly.
func (h *harness) wantPromptWait(key string) {
	h.Helper()
	start := time.Now()
	if err := <-h.startWait(key, promptly); err != nil {
		h.Fatalf("Wait(%q) = %v, want nil at once", key, err)
	}
	if took := time.Since(start); took > promptly/2 {
		h.Fatalf("Wait(%q) took %s, want it to return at once", key, took)
	}
}
