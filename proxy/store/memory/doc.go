// Package memory implements store.Store in the proxy's own memory, for a
// single replica or for development. It is the default store.
//
// Records live in a fixed number of shards, each behind its own mutex and
// chosen by a hash of the key, so that requests for different keys rarely
// contend. The store is bounded by an approximate byte budget and an
// optional entry count shared by all shards. When a claim or a record does
// not fit, the store drops expired entries first and then the oldest
// completed records, starting with the shard the key falls into; it never
// drops an in-flight claim, so when only claims are left, Claim fails with
// ErrFull.
//
// Expiry is lazy: no goroutine runs per key or in the background. Expired
// entries are dropped when they are met, when space is needed, and a few at
// a time on each claim. Waiters block on a channel that is closed when the
// claim ends and on a timer for the end of its lease.
//
// Everything is lost when the process exits, and replicas do not share
// records: run several replicas against the redis store instead.
package memory
