package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// DefaultShortLease is the lease and ttl the suite lets run out when the
// caller does not pass WithShortLease.
const DefaultShortLease = 150 * time.Millisecond

// longLease is a lease or ttl that never runs out during a test.
const longLease = time.Minute

// patience bounds how long the suite polls for something that must
// happen, such as a lease running out on a real clock.
const patience = 10 * time.Second

// Option changes how Run drives the stores it tests.
type Option func(*config)

// config holds the options of one Run.
type config struct {
	advance    func(time.Duration)
	shortLease time.Duration
}

// WithAdvance tells the suite how to move the stores' clock forward. The
// suite then lets leases and ttls run out at once instead of waiting in
// real time. Every store that newStore makes must read the clock that
// advance moves.
func WithAdvance(advance func(d time.Duration)) Option {
	return func(c *config) { c.advance = advance }
}

// WithShortLease sets the lease and ttl that the suite lets run out. On a
// real clock it is how long those tests take at least; it must be long
// enough for a few round trips to the store.
func WithShortLease(d time.Duration) Option {
	return func(c *config) { c.shortLease = d }
}

// Run runs the conformance suite, each case as a subtest with a store
// from newStore. Run closes each store when its subtest ends. The cases
// run one after the other, since they may share a clock.
func Run(t *testing.T, newStore func(t *testing.T) store.Store, opts ...Option) {
	t.Helper()
	cfg := config{shortLease: DefaultShortLease}
	for _, opt := range opts {
		opt(&cfg)
	}

	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("closing store: %v", err)
				}
			})
			c.run(&harness{T: t, store: s, cfg: cfg, ctx: t.Context()})
		})
	}
}

// testCase is one behaviour the suite checks.
type testCase struct {
	name string
	run  func(h *harness)
}

// cases lists every case of the suite, grouped by concern.
func cases() []testCase {
	var all []testCase
	all = append(all, claimCases()...)
	all = append(all, recordCases()...)
	all = append(all, ownerCases()...)
	all = append(all, expiryCases()...)
	all = append(all, waitCases()...)
	all = append(all, testCase{"PingSucceeds", func(h *harness) {
		if err := h.store.Ping(h.ctx); err != nil {
			h.Fatalf("Ping: %v", err)
		}
	}})
	return all
}

// harness gives a case its store and the helpers to drive it.
type harness struct {
	*testing.T
	store store.Store
	cfg   config
	ctx   context.Context
}
