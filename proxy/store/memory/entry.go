package memory

import (
	"net/http"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// entryOverhead approximates the memory an entry costs besides its
// strings and bytes: the entry itself, its map slot and its place in the
// expiry heap.
const entryOverhead = 192

// headerValueOverhead approximates the cost of one header value or name
// besides its bytes: a string header in a slice or map.
const headerValueOverhead = 16

// entry is the state of one key: an in-flight claim or a completed record.
type entry struct {
	key         string
	fingerprint string
	// token identifies the owner of the claim. A completed entry keeps it
	// so that a repeated Complete by the same owner is recognised.
	token     string
	completed bool
	// expires is the end of the lease for a claim and the end of the ttl
	// for a record, in nanoseconds since the Unix epoch.
	expires int64
	// record is the stored response once completed, packed by packRecord.
	record []byte
	// done is closed when the claim ends. It is made only when someone
	// waits, so that claims nobody waits for cost no channel.
	done chan struct{}
	// size is the entry's share of the byte budget.
	size int64

	// heapIndex is the entry's position in its shard's expiry heap.
	heapIndex int
	// older and newer link completed entries in completion order.
	older, newer *entry
}

// expired reports whether the entry's lease or ttl has run out at now,
// given in nanoseconds since the Unix epoch.
func (e *entry) expired(now int64) bool {
	return now >= e.expires
}

// wake closes the done channel, if anyone waits for the claim to end.
func (e *entry) wake() {
	if e.done != nil {
		close(e.done)
		e.done = nil
	}
}

// claimSize is the budget share of an in-flight claim.
func claimSize(key, fingerprint, token string) int64 {
	return entryOverhead + int64(len(key)+len(fingerprint)+len(token))
}

// recordSize is the budget share of a completed record.
func recordSize(key, token string, rec *store.Record) int64 {
	return claimSize(key, rec.Fingerprint, token) + headerSize(rec.Header) + int64(len(rec.Body))
}

// headerSize approximates the memory held by h.
func headerSize(h http.Header) int64 {
	var n int64
	for name, values := range h {
		n += headerValueOverhead + int64(len(name))
		for _, v := range values {
			n += headerValueOverhead + int64(len(v))
		}
	}
	return n
}

// result describes the entry to a caller of Claim who did not get it.
func (e *entry) result() store.ClaimResult {
	if !e.completed {
		return store.ClaimResult{State: store.InFlight, Fingerprint: e.fingerprint}
	}
	rec := unpackRecord(e.record, e.fingerprint)
	return store.ClaimResult{State: store.Completed, Fingerprint: e.fingerprint, Record: &rec}
}
