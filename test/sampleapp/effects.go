package sampleapp

// Effects is a snapshot of the side effects an App recorded since it was
// created or last reset. It is also the body of GET /_effects.
type Effects struct {
	// Total is the number of side effects, all routes together.
	Total int64 `json:"total"`
	// ByRoute counts side effects per route name; it always holds the
	// nine names Routes returns.
	ByRoute map[string]int64 `json:"byRoute"`
	// Seq is the last sequence number given out, 0 if none ever was. Reset
	// does not rewind it.
	Seq uint64 `json:"seq"`
}

// Effects returns the side-effect counts.
func (a *App) Effects() Effects {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.effects()
}

// resetEffects resets a and returns the cleared counts, in one step so that
// no request lands between the two.
func (a *App) resetEffects() Effects {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.clear()
	return a.effects()
}

// effects builds the snapshot; the caller holds mu.
func (a *App) effects() Effects {
	e := Effects{ByRoute: make(map[string]int64, mutationCount), Seq: a.seq}
	for m, n := range a.counts {
		e.ByRoute[mutationNames[m]] = n
		e.Total += n
	}
	return e
}

// Total returns the number of side effects, all routes together.
func (a *App) Total() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()

	var total int64
	for _, n := range a.counts {
		total += n
	}
	return total
}

// Count returns the number of side effects of the route named route, one of
// the Route constants; it is 0 for any other name.
func (a *App) Count(route string) int64 {
	a.mu.Lock()
	defer a.mu.Unlock()

	for m, name := range mutationNames {
		if name == route {
			return a.counts[m]
		}
	}
	return 0
}
