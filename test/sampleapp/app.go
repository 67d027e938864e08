package sampleapp

import (
	"errors"
	"net/http"
	"sync"
)

// App is the sample application. It is an http.Handler; the zero value is
// not usable, call New. All methods are safe for concurrent use.
type App struct {
	mu sync.Mutex

	// seq is the last sequence number given out. Reset keeps it.
	seq    uint64
	counts [mutationCount]int64
	events eventLog

	activities     map[string]*activity
	matches        map[string]*match
	lastPairID     uint64
	questionnaires map[questionnaireKey]*questionnaire
}

// New returns an App with no state and no side effects recorded.
func New() *App {
	a := &App{}
	a.clear()
	return a
}

// Reset forgets every activity, match, pair and answer and sets the
// side-effect counts to zero. The sequence number keeps counting, so that a
// response body produced after a reset never equals one produced before.
func (a *App) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.clear()
}

// clear empties the state; the caller holds mu or owns a.
func (a *App) clear() {
	a.counts = [mutationCount]int64{}
	a.events = eventLog{}
	a.activities = make(map[string]*activity)
	a.matches = make(map[string]*match)
	a.lastPairID = 0
	a.questionnaires = make(map[questionnaireKey]*questionnaire)
}

// record counts one side effect of m on subject and returns its sequence
// number; the caller holds mu.
func (a *App) record(m mutation, subject string) uint64 {
	a.seq++
	a.counts[m]++
	a.events.append(Event{Seq: a.seq, Route: m.String(), Subject: subject})
	return a.seq
}

// ServeHTTP serves the routes listed in the package documentation.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e, ok := matchPath(r.URL.Path)
	if !ok {
		writeError(w, http.StatusNotFound, "no route for "+r.URL.Path)
		return
	}
	if !e.allows(r.Method) {
		w.Header().Set("Allow", e.allow())
		writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" is not allowed on "+
			r.URL.Path+"; use "+e.allow())
		return
	}

	switch e.kind {
	case endpointHealth:
		writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
	case endpointEffects:
		writeJSON(w, http.StatusOK, a.Effects())
	case endpointEffectsReset:
		writeJSON(w, http.StatusOK, a.resetEffects())
	default:
		a.serveAPI(w, r, e)
	}
}

// healthBody is the body of GET /healthz.
type healthBody struct {
	Status string `json:"status"`
}

// serveAPI serves a route under /api/: it applies the knobs, decodes the
// body and executes the request.
func (a *App) serveAPI(w http.ResponseWriter, r *http.Request, e endpoint) {
	k, err := parseKnobs(r.Header)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}

	if k.delay > 0 && !wait(r.Context(), k.delay) {
		writeError(w, http.StatusServiceUnavailable,
			"request cancelled during "+HeaderDelay+"; it was not executed")
		return
	}

	if e.kind == endpointActivityRead {
		writeResult(w, k, a.readActivity(e.id))
		return
	}

	body, err := readBody(r)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, errBodyTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		writeError(w, status, err.Error())
		return
	}

	res := a.execute(e, body)
	if res.failed {
		// Knobs shape successful responses only.
		k = knobs{}
	}
	writeResult(w, k, res)
}

// execute performs the mutation of e.
func (a *App) execute(e endpoint, body mutationBody) result {
	switch e.mutation {
	case activityAccept, activityCancel, activityCheckin, activityComplete:
		return a.mutateActivity(e.mutation, e.id, body)
	case matchAccept, matchReject, matchConfirm:
		return a.mutateMatch(e.mutation, body)
	case pairCreate:
		return a.createPair(body)
	default:
		return a.answerQuestionnaire(e.id, e.qid, body)
	}
}
