package memory

import (
	"math/rand/v2"
	"testing"
)

func TestExpiryHeapKeepsTheSoonestOnTop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h expiryHeap
	live := map[*entry]bool{}

	for range 2000 {
		switch op := rng.IntN(4); {
		case op < 2 || len(live) == 0:
			e := &entry{expires: rng.Int64N(1000)}
			h.push(e)
			live[e] = true
		case op == 2:
			e := anyEntry(live)
			h.remove(e)
			delete(live, e)
		default:
			e := anyEntry(live)
			e.expires = rng.Int64N(1000)
			h.fix(e.heapIndex)
		}

		if len(h) != len(live) {
			t.Fatalf("heap holds %d entries, want %d", len(h), len(live))
		}
		for i, slot := range h {
			e := slot.entry
			if e.heapIndex != i || slot.expires != e.expires {
				t.Fatalf("entry at %d records index %d and expiry %d, slot says %d",
					i, e.heapIndex, e.expires, slot.expires)
			}
			if i > 0 && h[(i-1)/2].expires > slot.expires {
				t.Fatalf("entry at %d expires before its parent", i)
			}
		}
	}
}

// anyEntry returns one entry of set.
func anyEntry(set map[*entry]bool) *entry {
	for e := range set {
		return e
	}
	return nil
}
