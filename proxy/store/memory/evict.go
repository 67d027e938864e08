package memory

// evictAttempts bounds how often Claim and Complete free room in other
// shards and try again before they give up, since concurrent claims may
// take the room that was freed.
const evictAttempts = 3

// evictElsewhere frees room for bytes and entries more by evicting from
// the shards other than home, which the caller must not hold. Shards are
// visited from a rotating start so that the same one is not always
// emptied first. It reports whether there is now room or anything was
// freed, that is, whether trying again may succeed.
func (s *Store) evictElsewhere(home *shard, bytes, entries int64) bool {
	bytes, entries = s.budget.shortfall(bytes, entries)
	if bytes <= 0 && entries <= 0 {
		return true
	}

	freed := false
	start := int(s.victims.Add(1))
	for i := range len(s.shards) {
		sh := &s.shards[(start+i)%len(s.shards)]
		if sh == home {
			continue
		}

		sh.mu.Lock()
		b, n := sh.free(bytes, entries, s.now().UnixNano())
		sh.mu.Unlock()

		freed = freed || b < bytes || n < entries
		bytes, entries = b, n
		if bytes <= 0 && entries <= 0 {
			break
		}
	}
	return freed
}
