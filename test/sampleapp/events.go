package sampleapp

// Event is one recorded side effect.
type Event struct {
	// Seq is the sequence number of the side effect, unique within an App.
	Seq uint64
	// Route is the route name, one of the Route constants.
	Route string
	// Subject is what the mutation changed: the activity id, the match id,
	// the new pair id, or "{pair id}/{questionnaire id}" for an answer.
	Subject string
}

// eventLogSize bounds the event log, so that a load test does not grow the
// application without end; the counts are never truncated.
const eventLogSize = 1024

// eventLog keeps the last eventLogSize events in a ring.
type eventLog struct {
	ring [eventLogSize]Event
	// appended counts every event ever appended, including those the ring
	// has overwritten.
	appended int
}

func (l *eventLog) append(e Event) {
	l.ring[l.appended%eventLogSize] = e
	l.appended++
}

// list returns the events still in the ring, oldest first.
func (l *eventLog) list() []Event {
	n := min(l.appended, eventLogSize)
	out := make([]Event, 0, n)
	for i := l.appended - n; i < l.appended; i++ {
		out = append(out, l.ring[i%eventLogSize])
	}
	return out
}

// Events returns the most recent side effects, oldest first: all of them
// since New or Reset, up to the last 1024.
func (a *App) Events() []Event {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.events.list()
}
