package storetest

import (
	"fmt"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// ownerCases checks that only the holder of the current token can end or
// renew a claim.
func ownerCases() []testCase {
	ops := []struct {
		name string
		call func(h *harness, key, token string) error
	}{
		{"Complete", func(h *harness, key, token string) error {
			return h.store.Complete(h.ctx, key, token, store.Record{Status: 200}, longLease)
		}},
		{"Release", func(h *harness, key, token string) error {
			return h.store.Release(h.ctx, key, token)
		}},
		{"Extend", func(h *harness, key, token string) error {
			return h.store.Extend(h.ctx, key, token, longLease)
		}},
	}

	var cs []testCase
	for _, op := range ops {
		cs = append(cs,
			testCase{op.name + "WithWrongTokenIsRejected", func(h *harness) {
				token := h.mustClaim("k", longLease)
				h.wantNotOwner(op.name+" with a wrong token", op.call(h, "k", token+"x"))
				h.wantNotOwner(op.name+" with an empty token", op.call(h, "k", ""))
				h.wantState("k", store.InFlight)
			}},
			testCase{op.name + "OnAbsentKeyIsRejected", func(h *harness) {
				h.wantNotOwner(op.name+" on an absent key", op.call(h, "absent", "token"))
				h.mustClaim("absent", longLease)
			}},
		)
	}

	return append(cs,
		testCase{"ReleasedKeyCanBeClaimedAgain", func(h *harness) {
			old := h.mustClaim("k", longLease)
			if err := h.store.Release(h.ctx, "k", old); err != nil {
				h.Fatalf("Release: %v", err)
			}

			res := h.claim("k", "fp-again", longLease)
			if res.State != store.Claimed || res.Token == old {
				h.Fatalf("Claim after Release = %+v, want Claimed with a new token", res)
			}
			for _, op := range ops {
				h.wantNotOwner(fmt.Sprintf("%s with the released token", op.name), op.call(h, "k", old))
			}
			h.complete("k", res.Token, store.Record{Status: 200}, longLease)
		}},
		testCase{"ExtendKeepsTheClaimPastItsFirstLease", func(h *harness) {
			token := h.mustClaim("k", h.cfg.shortLease)
			if err := h.store.Extend(h.ctx, "k", token, longLease); err != nil {
				h.Fatalf("Extend: %v", err)
			}
			h.elapse(2 * h.cfg.shortLease)

			h.wantState("k", store.InFlight)
			h.complete("k", token, store.Record{Status: 200}, longLease)
			h.wantState("k", store.Completed)
		}},
	)
}
