package storetest

import (
	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// expiryCases checks that leases and ttls run out and what that means for
// the owners.
func expiryCases() []testCase {
	return []testCase{
		{"ExpiredLeaseLetsAnotherOwnerClaim", func(h *harness) {
			old := h.mustClaim("k", h.cfg.shortLease)
			h.elapse(h.cfg.shortLease)

			res := h.eventuallyClaim("k", "fp-new")
			if res.Token == old {
				h.Fatalf("new claim got the expired token %q", old)
			}
			h.wantNotOwner("Complete with the expired token",
				h.store.Complete(h.ctx, "k", old, store.Record{Status: 200}, longLease))
			h.wantNotOwner("Extend with the expired token", h.store.Extend(h.ctx, "k", old, longLease))
			h.wantNotOwner("Release with the expired token", h.store.Release(h.ctx, "k", old))

			h.complete("k", res.Token, store.Record{Status: 201}, longLease)
			if got := h.wantState("k", store.Completed); got.Record.Status != 201 {
				h.Fatalf("replayed status = %d, want the new owner's 201", got.Record.Status)
			}
		}},
		{"ExpiredLeaseCannotBeCompleted", func(h *harness) {
			token := h.mustClaim("k", h.cfg.shortLease)
			h.elapse(h.cfg.shortLease)
			h.eventuallyClaim("k", "fp-new")

			h.wantNotOwner("Complete after the lease ran out",
				h.store.Complete(h.ctx, "k", token, store.Record{Status: 200}, longLease))
		}},
		{"CompletionReplacesTheLeaseWithTheTTL", func(h *harness) {
			token := h.mustClaim("k", h.cfg.shortLease)
			h.complete("k", token, store.Record{Status: 200}, longLease)
			h.elapse(2 * h.cfg.shortLease)

			h.wantState("k", store.Completed)
		}},
		{"CompletedRecordExpiresAfterItsTTL", func(h *harness) {
			token := h.mustClaim("k", longLease)
			h.complete("k", token, store.Record{Status: 200}, h.cfg.shortLease)
			h.elapse(h.cfg.shortLease)

			res := h.eventuallyClaim("k", "fp-new")
			if res.Record != nil {
				h.Fatalf("Claim after the ttl returned a record: %+v", res.Record)
			}
		}},
	}
}
