package storetest

import (
	"sync"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// concurrentClaims is how many goroutines race for one key.
const concurrentClaims = 100

// claimCases checks who gets a key and what the others are told.
func claimCases() []testCase {
	return []testCase{
		{"ClaimOnAbsentKeyGrantsIt", func(h *harness) {
			res := h.claim("k", "fp-1", longLease)
			if res.State != store.Claimed || res.Token == "" {
				h.Fatalf("Claim = %+v, want Claimed with a token", res)
			}
			if res.Fingerprint != "fp-1" || res.Record != nil {
				h.Fatalf("Claim = %+v, want the caller's fingerprint and no record", res)
			}
		}},
		{"ClaimOnInFlightKeyReportsTheHolder", func(h *harness) {
			h.claim("k", "fp-1", longLease)
			second := h.claim("k", "fp-2", longLease)
			if second.State != store.InFlight {
				h.Fatalf("second Claim = %v, want InFlight", second.State)
			}
			if second.Fingerprint != "fp-1" {
				h.Fatalf("second Claim fingerprint = %q, want the holder's %q", second.Fingerprint, "fp-1")
			}
			if second.Token != "" {
				h.Fatalf("second Claim got token %q, want none", second.Token)
			}
		}},
		{"KeysAreIndependent", func(h *harness) {
			a := h.mustClaim("a", longLease)
			b := h.mustClaim("b", longLease)
			if a == b {
				h.Fatalf("two claims got the same token %q", a)
			}
			h.complete("a", a, store.Record{Status: 201}, longLease)
			h.wantState("b", store.InFlight)
		}},
		{"ConcurrentClaimsHaveExactlyOneWinner", func(h *harness) {
			var (
				start  = make(chan struct{})
				wg     sync.WaitGroup
				states = make(chan store.State, concurrentClaims)
			)
			for range concurrentClaims {
				wg.Go(func() {
					<-start
					res, err := h.store.Claim(h.ctx, "k", "fp", longLease)
					if err != nil {
						h.Errorf("Claim: %v", err)
						return
					}
					states <- res.State
				})
			}
			close(start)
			wg.Wait()
			close(states)

			counts := map[store.State]int{}
			for s := range states {
				counts[s]++
			}
			if counts[store.Claimed] != 1 || counts[store.InFlight] != concurrentClaims-1 {
				h.Fatalf("outcomes = %v, want 1 Claimed and %d InFlight", counts, concurrentClaims-1)
			}
		}},
		{"NonPositiveDurationsAreRejected", func(h *harness) {
			token := h.mustClaim("k", longLease)
			for name, err := range map[string]error{
				"Claim with lease 0":     claimErr(h, "other", 0),
				"Extend with lease 0":    h.store.Extend(h.ctx, "k", token, 0),
				"Complete with ttl -1ns": h.store.Complete(h.ctx, "k", token, store.Record{Status: 200}, -1),
			} {
				if err == nil {
					h.Errorf("%s succeeded, want an error", name)
				}
			}
			h.wantState("k", store.InFlight)
		}},
	}
}

// claimErr returns only the error of a Claim.
func claimErr(h *harness, key string, lease time.Duration) error {
	_, err := h.store.Claim(h.ctx, key, "fp", lease)
	return err
}
