package memory

import (
	"sync"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// sweepBatch is how many expired entries a claim drops from its shard on
// the way, so that memory is reclaimed without a background goroutine
// while each claim does a bounded amount of work.
const sweepBatch = 2

// shard is one independently locked partition of the key space.
type shard struct {
	mu        sync.Mutex
	entries   map[string]*entry
	expiry    expiryHeap
	completed completionList
	budget    *budget

	// The padding keeps neighbouring shards' mutexes off one cache line.
	_ [64]byte
}

// lookup returns the live entry for key, dropping it first if it expired.
func (s *shard) lookup(key string, now int64) *entry {
	e := s.entries[key]
	if e == nil {
		return nil
	}
	if e.expired(now) {
		s.remove(e)
		return nil
	}
	return e
}

// insert adds a new claim whose size the budget already holds.
func (s *shard) insert(e *entry) {
	s.entries[e.key] = e
	s.expiry.push(e)
}

// remove drops e, returns its size to the budget and wakes its waiters.
func (s *shard) remove(e *entry) {
	delete(s.entries, e.key)
	s.expiry.remove(e)
	if e.completed {
		s.completed.remove(e)
	}
	s.budget.give(e.size, 1)
	e.wake()
}

// setExpiry moves e's expiry and its place in the heap.
func (s *shard) setExpiry(e *entry, expires int64) {
	e.expires = expires
	s.expiry.fix(e.heapIndex)
}

// sweep drops up to n expired entries.
func (s *shard) sweep(now int64, n int) {
	for range n {
		e := s.expiry.peek()
		if e == nil || !e.expired(now) {
			return
		}
		s.remove(e)
	}
}

// victim returns the entry that is cheapest to lose: an expired entry if
// there is one, else the oldest completed record. It never returns a live
// claim; it returns nil when nothing may be dropped.
func (s *shard) victim(now int64) *entry {
	if e := s.expiry.peek(); e != nil && e.expired(now) {
		return e
	}
	return s.completed.oldest
}

// admit reserves bytes and entries in the budget, evicting from this
// shard as long as that helps. It reports whether the reservation was
// made.
func (s *shard) admit(bytes, entries int64, now int64) bool {
	for !s.budget.reserve(bytes, entries) {
		e := s.victim(now)
		if e == nil {
			return false
		}
		s.remove(e)
	}
	return true
}

// free evicts from this shard until at least bytes and entries were
// released or nothing more may go. It returns what is still missing.
func (s *shard) free(bytes, entries int64, now int64) (int64, int64) {
	for bytes > 0 || entries > 0 {
		e := s.victim(now)
		if e == nil {
			break
		}
		bytes -= e.size
		entries--
		s.remove(e)
	}
	return bytes, entries
}

// clear drops every entry and wakes every waiter.
func (s *shard) clear() {
	for _, e := range s.entries {
		s.budget.give(e.size, 1)
		e.wake()
	}
	s.entries = make(map[string]*entry)
	s.expiry = nil
	s.completed = completionList{}
}

// owned returns the live entry for key if token holds it, in flight or
// completed, and nil otherwise.
func (s *shard) owned(key, token string, now int64) *entry {
	e := s.lookup(key, now)
	if e == nil || e.token != token {
		return nil
	}
	return e
}

// finish turns the claim e into a completed record that expires at
// expires, and wakes its waiters. The budget must already hold size.
func (s *shard) finish(e *entry, rec *store.Record, size int64, expires int64) {
	e.completed = true
	e.record = packRecord(rec)
	e.fingerprint = rec.Fingerprint
	e.size = size
	s.setExpiry(e, expires)
	s.completed.pushNewest(e)
	e.wake()
}
