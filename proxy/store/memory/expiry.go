package memory

// expiryHeap orders a shard's entries by the time they expire, soonest
// first, so that expired entries are found without a scan. It is a
// binary min-heap written out rather than built on container/heap, and
// each slot carries its entry's expiry, because it sits on the path of
// every claim: comparisons then stay within the slice instead of
// following a pointer to each entry.
type expiryHeap []expirySlot

// expirySlot is one place in the heap.
type expirySlot struct {
	expires int64
	entry   *entry
}

// peek returns the entry that expires first, or nil.
func (h expiryHeap) peek() *entry {
	if len(h) == 0 {
		return nil
	}
	return h[0].entry
}

// push adds e.
func (h *expiryHeap) push(e *entry) {
	e.heapIndex = len(*h)
	*h = append(*h, expirySlot{expires: e.expires, entry: e})
	h.up(e.heapIndex)
}

// remove takes e out.
func (h *expiryHeap) remove(e *entry) {
	i, last := e.heapIndex, len(*h)-1
	if i != last {
		h.swap(i, last)
	}
	(*h)[last] = expirySlot{}
	*h = (*h)[:last]
	e.heapIndex = -1
	if i != last {
		h.fix(i)
	}
}

// fix restores the order after the entry at i changed its expiry.
func (h expiryHeap) fix(i int) {
	h[i].expires = h[i].entry.expires
	if !h.down(i) {
		h.up(i)
	}
}

// up moves the entry at i towards the root while it expires sooner than
// its parent.
func (h expiryHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if h[parent].expires <= h[i].expires {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

// down moves the entry at i towards the leaves while a child expires
// sooner, and reports whether it moved.
func (h expiryHeap) down(i int) bool {
	start := i
	for {
		child := 2*i + 1
		if child >= len(h) {
			break
		}
		if right := child + 1; right < len(h) && h[right].expires < h[child].expires {
			child = right
		}
		if h[i].expires <= h[child].expires {
			break
		}
		h.swap(i, child)
		i = child
	}
	return i > start
}

// swap exchanges the entries at i and j.
func (h expiryHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].entry.heapIndex = i
	h[j].entry.heapIndex = j
}
