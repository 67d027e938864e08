package memory

import (
	"math"
	"time"
)

// DefaultMaxBytes is the byte budget used when Options.MaxBytes is zero.
const DefaultMaxBytes = 64 << 20

// DefaultShards is the number of shards used when Options.Shards is zero.
const DefaultShards = 32

// Options configures a Store. The zero value is ready to use.
type Options struct {
	// MaxBytes bounds the approximate memory held by the store: keys,
	// fingerprints, tokens, response headers and bodies, plus a fixed
	// overhead per entry. Zero means DefaultMaxBytes; a negative value
	// removes the bound.
	MaxBytes int64

	// MaxEntries bounds the number of keys held, claims and records
	// together. Zero or a negative value removes the bound.
	MaxEntries int

	// Shards is the number of independently locked partitions of the
	// key space. Zero means DefaultShards. One shard makes eviction
	// follow the global completion order exactly, at the cost of
	// contention.
	Shards int

	// Now returns the current time. Nil means time.Now. Tests set it to
	// move time forward without sleeping.
	Now func() time.Time
}

// limits holds the options after defaults are applied.
type limits struct {
	maxBytes   int64
	maxEntries int64
	shards     int
	now        func() time.Time
}

// resolve applies the defaults to o.
func (o Options) resolve() limits {
	l := limits{
		maxBytes:   o.MaxBytes,
		maxEntries: int64(o.MaxEntries),
		shards:     o.Shards,
		now:        o.Now,
	}
	switch {
	case l.maxBytes == 0:
		l.maxBytes = DefaultMaxBytes
	case l.maxBytes < 0:
		l.maxBytes = math.MaxInt64
	}
	if l.maxEntries <= 0 {
		l.maxEntries = math.MaxInt64
	}
	if l.shards <= 0 {
		l.shards = DefaultShards
	}
	if l.now == nil {
		l.now = time.Now
	}
	return l
}
