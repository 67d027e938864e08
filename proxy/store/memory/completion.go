package memory

// completionList links a shard's completed entries from the oldest
// completion to the newest, so that eviction finds the oldest record in
// constant time.
type completionList struct {
	oldest, newest *entry
}

// pushNewest appends e as the most recently completed entry.
func (l *completionList) pushNewest(e *entry) {
	e.older, e.newer = l.newest, nil
	if l.newest != nil {
		l.newest.newer = e
	} else {
		l.oldest = e
	}
	l.newest = e
}

// remove unlinks e.
func (l *completionList) remove(e *entry) {
	if e.older != nil {
		e.older.newer = e.newer
	} else {
		l.oldest = e.newer
	}
	if e.newer != nil {
		e.newer.older = e.older
	} else {
		l.newest = e.older
	}
	e.older, e.newer = nil, nil
}
