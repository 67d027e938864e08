package memory_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/memory"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/storetest"
)

func TestFullStoreEvictsTheOldestCompletedRecordFirst(t *testing.T) {
	s := memory.New(memory.Options{MaxEntries: 3, Shards: 1})
	for _, key := range []string{"a", "b", "c"} {
		completeKey(t, s, key, time.Hour)
	}

	claimKey(t, s, "d")

	// Claiming an absent key inserts a claim, so "a" is checked last.
	wantState(t, s, "d", store.InFlight)
	wantState(t, s, "c", store.Completed)
	wantState(t, s, "b", store.Completed)
	wantState(t, s, "a", store.Claimed)
}

func TestFullStoreEvictsExpiredEntriesBeforeLiveRecords(t *testing.T) {
	clock := storetest.NewClock()
	s := memory.New(memory.Options{MaxEntries: 3, Shards: 1, Now: clock.Now})
	completeKey(t, s, "oldest", time.Hour)
	completeKey(t, s, "short-lived", time.Minute)
	claimKeyFor(t, s, "short-lease", time.Minute)
	clock.Advance(2 * time.Minute)

	claimKey(t, s, "new")
	claimKey(t, s, "newer")

	wantState(t, s, "oldest", store.Completed)
}

func TestFullStoreNeverEvictsInFlightClaims(t *testing.T) {
	s := memory.New(memory.Options{MaxEntries: 2, Shards: 1})
	a := claimKey(t, s, "a")
	claimKey(t, s, "b")

	_, err := s.Claim(t.Context(), "c", "fp", time.Hour)
	if !errors.Is(err, memory.ErrFull) {
		t.Fatalf("Claim on a store full of claims = %v, want ErrFull", err)
	}
	wantState(t, s, "a", store.InFlight)
	wantState(t, s, "b", store.InFlight)

	if err := s.Release(t.Context(), "a", a); err != nil {
		t.Fatalf("Release: %v", err)
	}
	claimKey(t, s, "c")
}

func TestFullStoreEvictsFromOtherShards(t *testing.T) {
	s := memory.New(memory.Options{MaxEntries: 8, Shards: 8})
	for i := range 8 {
		completeKey(t, s, fmt.Sprintf("old-%d", i), time.Hour)
	}

	for i := range 8 {
		claimKey(t, s, fmt.Sprintf("new-%d", i))
	}

	_, err := s.Claim(t.Context(), "one-too-many", "fp", time.Hour)
	if !errors.Is(err, memory.ErrFull) {
		t.Fatalf("Claim past 8 in-flight claims = %v, want ErrFull", err)
	}
}

func TestByteBudgetKeepsTheNewestRecords(t *testing.T) {
	s := memory.New(memory.Options{MaxBytes: 8 << 10, Shards: 1})
	body := bytes.Repeat([]byte("x"), 1000)
	for i := range 20 {
		token := claimKey(t, s, fmt.Sprintf("k%d", i))
		complete(t, s, fmt.Sprintf("k%d", i), token, store.Record{Status: 200, Body: body}, time.Hour)
	}

	// Count from the newest record down. The first absent key ends the
	// count, since claiming it inserts a claim that may evict older ones.
	kept := 0
	for i := 19; i >= 0; i-- {
		res, err := s.Claim(t.Context(), fmt.Sprintf("k%d", i), "fp", time.Hour)
		if err != nil {
			t.Fatalf("Claim: %v", err)
		}
		if res.State != store.Completed {
			break
		}
		kept++
	}
	if kept < 4 || kept > 8 {
		t.Fatalf("%d records of 1000 bytes kept in 8 KiB, want between 4 and 8", kept)
	}
}

func TestRecordLargerThanTheBudgetIsKeptWithoutItsBody(t *testing.T) {
	s := memory.New(memory.Options{MaxBytes: 4 << 10, Shards: 1})
	token := claimKey(t, s, "big")
	complete(t, s, "big", token, store.Record{
		Status: 201,
		Header: map[string][]string{"Location": {"/orders/1"}},
		Body:   bytes.Repeat([]byte("x"), 64<<10),
	}, time.Hour)

	res := wantState(t, s, "big", store.Completed)
	if !res.Record.BodyOmitted || len(res.Record.Body) != 0 {
		t.Fatalf("record kept %d body bytes, omitted=%t; want the body dropped and marked omitted",
			len(res.Record.Body), res.Record.BodyOmitted)
	}
	if res.Record.Status != 201 || res.Record.Header.Get("Location") != "/orders/1" {
		t.Fatalf("record = %+v, want status and headers kept", res.Record)
	}
}

func TestCloseWakesWaitersAndFailsLaterCalls(t *testing.T) {
	s := memory.New(memory.Options{})
	claimKey(t, s, "k")
	waited := make(chan error, 1)
	go func() { waited <- s.Wait(context.Background(), "k") }()

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	if err := <-waited; err != nil && !errors.Is(err, memory.ErrClosed) {
		t.Fatalf("Wait after Close = %v, want nil or ErrClosed", err)
	}
	if _, err := s.Claim(t.Context(), "k", "fp", time.Hour); !errors.Is(err, memory.ErrClosed) {
		t.Fatalf("Claim after Close = %v, want ErrClosed", err)
	}
	if err := s.Ping(t.Context()); !errors.Is(err, memory.ErrClosed) {
		t.Fatalf("Ping after Close = %v, want ErrClosed", err)
	}
}

// claimKey claims key for an hour and returns the token.
func claimKey(t *testing.T, s *memory.Store, key string) string {
	t.Helper()
	return claimKeyFor(t, s, key, time.Hour)
}

// claimKeyFor claims key for lease and returns the token.
func claimKeyFor(t *testing.T, s *memory.Store, key string, lease time.Duration) string {
	t.Helper()
	res, err := s.Claim(t.Context(), key, "fp", lease)
	if err != nil || res.State != store.Claimed {
		t.Fatalf("Claim(%q) = %v, %v; want Claimed", key, res.State, err)
	}
	return res.Token
}

// completeKey claims key and completes it with a small record kept for
// ttl.
func completeKey(t *testing.T, s *memory.Store, key string, ttl time.Duration) {
	t.Helper()
	complete(t, s, key, claimKey(t, s, key), store.Record{Status: 200}, ttl)
}

// complete completes key and fails the test on error.
func complete(
	t *testing.T, s *memory.Store, key, token string, rec store.Record, ttl time.Duration,
) {
	t.Helper()
	if err := s.Complete(t.Context(), key, token, rec, ttl); err != nil {
		t.Fatalf("Complete(%q): %v", key, err)
	}
}

// wantState claims key and fails unless the store reports state.
func wantState(t *testing.T, s *memory.Store, key string, state store.State) store.ClaimResult {
	t.Helper()
	res, err := s.Claim(t.Context(), key, "fp", time.Hour)
	if err != nil {
		t.Fatalf("Claim(%q): %v", key, err)
	}
	if res.State != state {
		t.Fatalf("Claim(%q) = %v, want %v", key, res.State, state)
	}
	return res
}
