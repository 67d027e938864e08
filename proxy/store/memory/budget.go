package memory

import "sync/atomic"

// budget counts the bytes and entries held by all shards against the
// store's limits. It is shared so that one busy shard can use room the
// others do not need.
type budget struct {
	maxBytes   int64
	maxEntries int64
	bytes      atomic.Int64
	entries    atomic.Int64
}

// reserve takes bytes and entries from the budget if both fit, and
// reports whether they did. Negative amounts always fit.
func (b *budget) reserve(bytes, entries int64) bool {
	if b.bytes.Add(bytes) > b.maxBytes && bytes > 0 {
		b.bytes.Add(-bytes)
		return false
	}
	if b.entries.Add(entries) > b.maxEntries && entries > 0 {
		b.entries.Add(-entries)
		b.bytes.Add(-bytes)
		return false
	}
	return true
}

// force takes bytes and entries from the budget even past its limits.
func (b *budget) force(bytes, entries int64) {
	b.bytes.Add(bytes)
	b.entries.Add(entries)
}

// give returns bytes and entries to the budget.
func (b *budget) give(bytes, entries int64) {
	b.bytes.Add(-bytes)
	b.entries.Add(-entries)
}

// shortfall returns how many bytes and entries must be freed before
// bytes and entries more fit.
func (b *budget) shortfall(bytes, entries int64) (int64, int64) {
	return max(0, b.bytes.Load()+bytes-b.maxBytes), max(0, b.entries.Load()+entries-b.maxEntries)
}
