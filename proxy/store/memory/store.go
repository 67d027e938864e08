package memory

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// Store is an in-memory store.Store. Create it with New; the zero value
// is not usable.
//
// Records returned by Claim share their body with the store: callers must
// not modify Record.Body. Headers are copied and may be modified.
type Store struct {
	shards []shard
	budget budget
	now    func() time.Time
	closed atomic.Bool
	// victims rotates the shard where eviction for another shard starts,
	// so that no shard is always emptied first.
	victims atomic.Uint32
}

var _ store.Store = (*Store)(nil)

// New returns an empty Store configured by opts.
func New(opts Options) *Store {
	l := opts.resolve()
	s := &Store{
		shards: make([]shard, l.shards),
		now:    l.now,
	}
	s.budget.maxBytes = l.maxBytes
	s.budget.maxEntries = l.maxEntries
	for i := range s.shards {
		s.shards[i].entries = make(map[string]*entry)
		s.shards[i].budget = &s.budget
	}
	return s
}

// Claim implements store.Store. It returns an error wrapping ErrFull when
// the store holds nothing but in-flight claims and has no room for one
// more.
func (s *Store) Claim(
	_ context.Context, key, fingerprint string, lease time.Duration,
) (store.ClaimResult, error) {
	if err := s.usable(); err != nil {
		return store.ClaimResult{}, fmt.Errorf("memory claim: %w", err)
	}
	if lease <= 0 {
		return store.ClaimResult{}, fmt.Errorf("memory claim: lease must be positive, got %s", lease)
	}

	sh := s.shardFor(key)
	for attempt := 0; ; attempt++ {
		sh.mu.Lock()
		now := s.now().UnixNano()
		sh.sweep(now, sweepBatch)
		if e := sh.lookup(key, now); e != nil {
			res := e.result()
			sh.mu.Unlock()
			return res, nil
		}

		token := store.NewToken()
		size := claimSize(key, fingerprint, token)
		if sh.admit(size, 1, now) {
			sh.insert(&entry{
				key:         key,
				fingerprint: fingerprint,
				token:       token,
				expires:     deadline(now, lease),
				size:        size,
			})
			sh.mu.Unlock()
			return store.ClaimResult{State: store.Claimed, Token: token, Fingerprint: fingerprint}, nil
		}
		sh.mu.Unlock()

		if attempt == evictAttempts || !s.evictElsewhere(sh, size, 1) {
			return store.ClaimResult{}, fmt.Errorf("memory claim: %w", ErrFull)
		}
	}
}

// Complete implements store.Store. It copies rec, so the caller may reuse
// its buffers. A record that does not fit even after eviction is kept
// with its body dropped and BodyOmitted set: forgetting that the request
// ran would let a retry run it twice. Completing again with the same
// token keeps the first record and returns nil.
func (s *Store) Complete(
	_ context.Context, key, token string, rec store.Record, ttl time.Duration,
) error {
	if err := s.usable(); err != nil {
		return fmt.Errorf("memory complete: %w", err)
	}
	if ttl <= 0 {
		return fmt.Errorf("memory complete: ttl must be positive, got %s", ttl)
	}
	sh := s.shardFor(key)
	lastTry := false
	for attempt := 1; ; attempt++ {
		sh.mu.Lock()
		at := s.now()
		now := at.UnixNano()
		e := sh.owned(key, token, now)
		if e == nil {
			sh.mu.Unlock()
			return fmt.Errorf("memory complete: %w", store.ErrNotOwner)
		}
		if e.completed {
			sh.mu.Unlock()
			return nil
		}

		if rec.Fingerprint == "" {
			rec.Fingerprint = e.fingerprint
		}
		if rec.CompletedAt.IsZero() {
			rec.CompletedAt = at
		}
		size := recordSize(key, token, &rec)
		if !sh.admit(size-e.size, 0, now) {
			if !lastTry {
				sh.mu.Unlock()
				lastTry = attempt >= evictAttempts || !s.evictElsewhere(sh, size-e.size, 0)
				continue
			}
			rec.Body, rec.BodyOmitted = nil, true
			size = recordSize(key, token, &rec)
			sh.budget.force(size-e.size, 0)
		}

		sh.finish(e, &rec, size, deadline(now, ttl))
		sh.mu.Unlock()
		return nil
	}
}

// Release implements store.Store.
func (s *Store) Release(_ context.Context, key, token string) error {
	if err := s.usable(); err != nil {
		return fmt.Errorf("memory release: %w", err)
	}

	sh := s.shardFor(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.owned(key, token, s.now().UnixNano())
	if e == nil || e.completed {
		return fmt.Errorf("memory release: %w", store.ErrNotOwner)
	}
	sh.remove(e)
	return nil
}

// Extend implements store.Store.
func (s *Store) Extend(_ context.Context, key, token string, lease time.Duration) error {
	if err := s.usable(); err != nil {
		return fmt.Errorf("memory extend: %w", err)
	}
	if lease <= 0 {
		return fmt.Errorf("memory extend: lease must be positive, got %s", lease)
	}

	sh := s.shardFor(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	now := s.now().UnixNano()
	e := sh.owned(key, token, now)
	if e == nil || e.completed {
		return fmt.Errorf("memory extend: %w", store.ErrNotOwner)
	}
	sh.setExpiry(e, deadline(now, lease))
	return nil
}

// Ping implements store.Store. It fails only after Close.
func (s *Store) Ping(context.Context) error {
	return s.usable()
}

// Close implements store.Store. It drops every entry and wakes every
// waiter; later calls fail with ErrClosed.
func (s *Store) Close() error {
	s.closed.Store(true)
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.clear()
		sh.mu.Unlock()
	}
	return nil
}

// usable returns ErrClosed after Close.
func (s *Store) usable() error {
	if s.closed.Load() {
		return ErrClosed
	}
	return nil
}

// shardFor returns the shard that holds key, chosen by the key's 32-bit
// FNV-1a hash.
func (s *Store) shardFor(key string) *shard {
	const (
		offset = 2166136261
		prime  = 16777619
	)
	h := uint32(offset)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= prime
	}
	return &s.shards[h%uint32(len(s.shards))]
}

// deadline returns now plus d in nanoseconds since the Unix epoch,
// saturating instead of overflowing for very long durations.
func deadline(now int64, d time.Duration) int64 {
	if d > 0 && now > math.MaxInt64-int64(d) {
		return math.MaxInt64
	}
	return now + int64(d)
}
