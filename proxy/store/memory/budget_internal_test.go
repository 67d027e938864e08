package memory

import (
	"fmt"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/storetest"
)

func TestBudgetIsReturnedWhenEntriesGo(t *testing.T) {
	clock := storetest.NewClock()
	s := New(Options{Now: clock.Now})
	ctx := t.Context()

	for i := range 100 {
		key := fmt.Sprintf("k%d", i)
		res, err := s.Claim(ctx, key, "fp", time.Minute)
		if err != nil {
			t.Fatalf("Claim: %v", err)
		}
		switch i % 3 {
		case 0:
			err = s.Release(ctx, key, res.Token)
		case 1:
			err = s.Complete(ctx, key, res.Token, store.Record{
				Status: 200,
				Header: map[string][]string{"A": {"1", "2"}},
				Body:   []byte("body"),
			}, time.Minute)
		}
		if err != nil {
			t.Fatalf("ending claim %d: %v", i, err)
		}
	}
	if got := s.budget.entries.Load(); got != 66 {
		t.Fatalf("entries = %d after 34 releases of 100 claims, want 66", got)
	}

	clock.Advance(time.Hour)
	for i := range 100 {
		if err := s.Wait(ctx, fmt.Sprintf("k%d", i)); err != nil {
			t.Fatalf("Wait: %v", err)
		}
	}
	if b, n := s.budget.bytes.Load(), s.budget.entries.Load(); b != 0 || n != 0 {
		t.Fatalf("budget holds %d bytes in %d entries after everything expired, want none", b, n)
	}
}

func TestClaimsSweepExpiredEntries(t *testing.T) {
	clock := storetest.NewClock()
	s := New(Options{Now: clock.Now, Shards: 1})
	ctx := t.Context()
	for i := range 10 {
		if _, err := s.Claim(ctx, fmt.Sprintf("old%d", i), "fp", time.Minute); err != nil {
			t.Fatalf("Claim: %v", err)
		}
	}
	clock.Advance(time.Hour)

	for i := range 5 {
		if _, err := s.Claim(ctx, fmt.Sprintf("new%d", i), "fp", time.Minute); err != nil {
			t.Fatalf("Claim: %v", err)
		}
	}

	if got := s.budget.entries.Load(); got != 5 {
		t.Fatalf("entries = %d after 5 claims swept 10 expired ones, want 5", got)
	}
}
