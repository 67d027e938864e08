package sampleapp

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Activity states.
const (
	ActivityOpen      = "open"
	ActivityAccepted  = "accepted"
	ActivityCheckedIn = "checked_in"
	ActivityCompleted = "completed"
	ActivityCancelled = "cancelled"
)

// activity is the state of one activity and how many times each repeatable
// transition ran on it.
type activity struct {
	state       string
	seq         uint64
	acceptances int
	checkins    int
	completions int
}

// ActivityResponse is the body of a successful activity mutation and of
// GET /api/activities/{id}.
type ActivityResponse struct {
	// Route is the route name of the mutation; empty on a read.
	Route string `json:"route,omitempty"`
	// Seq is the sequence number of the last side effect on the activity,
	// 0 for an activity never changed.
	Seq         uint64 `json:"seq"`
	ActivityID  string `json:"activityId"`
	State       string `json:"state"`
	Acceptances int    `json:"acceptances"`
	Checkins    int    `json:"checkins"`
	Completions int    `json:"completions"`
	// ClientMutationID echoes the request field unchanged.
	ClientMutationID json.RawMessage `json:"clientMutationId,omitempty"`
}

// nextActivityState returns the state m moves an activity in state to, and
// false when m is not allowed there.
func nextActivityState(m mutation, state string) (string, bool) {
	switch m {
	case activityAccept:
		// A naive app accepts again and sends its notification again.
		return ActivityAccepted, state == ActivityOpen || state == ActivityAccepted
	case activityCheckin:
		// A naive app logs the attendance twice.
		return ActivityCheckedIn, state == ActivityAccepted || state == ActivityCheckedIn
	case activityComplete:
		// A naive app grants the completion reward twice.
		return ActivityCompleted, state == ActivityCheckedIn || state == ActivityCompleted
	case activityCancel:
		// A naive app refuses to cancel twice, so a retried cancel reports
		// a failure for a cancel that happened.
		return ActivityCancelled, state == ActivityOpen || state == ActivityAccepted
	}
	return "", false
}

// mutateActivity runs the activity mutation m on the activity id.
func (a *App) mutateActivity(m mutation, id string, body mutationBody) result {
	a.mu.Lock()
	defer a.mu.Unlock()

	act := a.activities[id]
	state := ActivityOpen
	if act != nil {
		state = act.state
	}
	next, ok := nextActivityState(m, state)
	if !ok {
		action := strings.TrimPrefix(m.String(), "activities.")
		return failure(http.StatusConflict,
			"cannot "+action+" activity "+id+" in state "+state, state)
	}

	if act == nil {
		// The key is cloned so that the map does not keep the whole
		// request path alive.
		act = &activity{}
		a.activities[strings.Clone(id)] = act
	}
	act.state = next
	switch m {
	case activityAccept:
		act.acceptances++
	case activityCheckin:
		act.checkins++
	case activityComplete:
		act.completions++
	}
	act.seq = a.record(m, id)

	return result{
		status: http.StatusOK,
		seq:    act.seq,
		body:   act.response(m.String(), id, body.ClientMutationID),
	}
}

// readActivity answers GET /api/activities/{id}. An activity never touched
// reads as open; reading it does not create it.
func (a *App) readActivity(id string) result {
	a.mu.Lock()
	defer a.mu.Unlock()

	act := a.activities[id]
	if act == nil {
		act = &activity{state: ActivityOpen}
	}
	return result{status: http.StatusOK, body: act.response("", id, nil)}
}

func (act *activity) response(route, id string, cmid json.RawMessage) ActivityResponse {
	return ActivityResponse{
		Route:            route,
		Seq:              act.seq,
		ActivityID:       id,
		State:            act.state,
		Acceptances:      act.acceptances,
		Checkins:         act.checkins,
		Completions:      act.completions,
		ClientMutationID: cmid,
	}
}
