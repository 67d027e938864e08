package storetest

import (
	"errors"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// claim calls Claim and fails the test on error.
func (h *harness) claim(key, fingerprint string, lease time.Duration) store.ClaimResult {
	h.Helper()
	res, err := h.store.Claim(h.ctx, key, fingerprint, lease)
	if err != nil {
		h.Fatalf("Claim(%q): %v", key, err)
	}
	return res
}

// mustClaim claims an absent key and returns the owner token.
func (h *harness) mustClaim(key string, lease time.Duration) string {
	h.Helper()
	res := h.claim(key, "fp-"+key, lease)
	if res.State != store.Claimed {
		h.Fatalf("Claim(%q) = %v, want Claimed", key, res.State)
	}
	if res.Token == "" {
		h.Fatalf("Claim(%q) returned Claimed with an empty token", key)
	}
	return res.Token
}

// wantState claims key and fails unless the store reports state.
func (h *harness) wantState(key string, state store.State) store.ClaimResult {
	h.Helper()
	res := h.claim(key, "fp-"+key, longLease)
	if res.State != state {
		h.Fatalf("Claim(%q) = %v, want %v", key, res.State, state)
	}
	return res
}

// complete completes a claim with rec for ttl and fails the test on error.
func (h *harness) complete(key, token string, rec store.Record, ttl time.Duration) {
	h.Helper()
	if err := h.store.Complete(h.ctx, key, token, rec, ttl); err != nil {
		h.Fatalf("Complete(%q): %v", key, err)
	}
}

// wantNotOwner fails unless err is store.ErrNotOwner.
func (h *harness) wantNotOwner(op string, err error) {
	h.Helper()
	if !errors.Is(err, store.ErrNotOwner) {
		h.Fatalf("%s = %v, want ErrNotOwner", op, err)
	}
}

// elapse lets d pass on the store's clock: at once when the suite can
// move the clock, else by waiting in real time. Waiting here is the
// behaviour under test, the passing of a lease, not a way to let another
// goroutine catch up.
func (h *harness) elapse(d time.Duration) {
	if h.cfg.advance != nil {
		h.cfg.advance(d)
		return
	}
	<-time.After(d)
}

// eventuallyClaim claims key until the store grants it, which on a real
// clock happens some time after a lease or ttl ran out, and returns the
// new owner's result.
func (h *harness) eventuallyClaim(key, fingerprint string) store.ClaimResult {
	h.Helper()
	deadline := time.Now().Add(patience)
	poll := time.NewTicker(5 * time.Millisecond)
	defer poll.Stop()
	for {
		res := h.claim(key, fingerprint, longLease)
		if res.State == store.Claimed {
			return res
		}
		if time.Now().After(deadline) {
			h.Fatalf("Claim(%q) still %v after %s", key, res.State, patience)
		}
		<-poll.C
	}
}
