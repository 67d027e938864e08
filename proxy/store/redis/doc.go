// Package redis implements store.Store on Redis, so that every replica of
// a service shares one view of which requests ran.
//
// Each idempotency key is one Redis hash under a configurable prefix,
// with the fields state, token, fingerprint, status, header, body,
// omitted and completedAt. An in-flight claim expires with its lease and a
// completed record with its ttl, both through the key's own expiry, so the
// server forgets abandoned claims and old records without help.
//
// Claim, Complete, Release and Extend are each one Lua script, run with
// EVALSHA, that reads and writes a single key: every step is atomic and
// costs one round trip, and a store works unchanged on Redis Cluster. The
// scripts compare the caller's owner token with the stored one, so a proxy
// whose lease ran out cannot overwrite the claim of a newer owner. They
// need Redis 4.0 or later.
//
// New accepts redis://, rediss:// and unix:// URLs for one server,
// redis-sentinel:// and rediss-sentinel:// for a Sentinel-managed
// primary, and redis-cluster:// and rediss-cluster:// for a cluster. The
// client fails fast when Redis cannot be reached, so that the proxy's
// failure mode, not a hanging connection, decides what a request sees.
package redis
