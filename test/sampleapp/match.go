package sampleapp

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Match states.
const (
	MatchAwaitingInitiator = "awaiting_initiator"
	MatchMutualReady       = "mutual_ready"
	MatchPaired            = "paired"
	MatchRejected          = "rejected"
)

// match is the state of one match.
type match struct {
	state string
	seq   uint64
}

// MatchResponse is the body of a successful match mutation.
type MatchResponse struct {
	Route   string `json:"route"`
	Seq     uint64 `json:"seq"`
	MatchID string `json:"matchId"`
	State   string `json:"state"`
	// ClientMutationID echoes the request field unchanged.
	ClientMutationID json.RawMessage `json:"clientMutationId,omitempty"`
}

// nextMatchState returns the state m moves a match in state to, and false
// when m is not allowed there.
func nextMatchState(m mutation, state string) (string, bool) {
	switch m {
	case matchAccept:
		switch state {
		case MatchAwaitingInitiator:
			return MatchMutualReady, true
		case MatchMutualReady:
			// A naive app takes a second accept for the other side's and
			// pairs the match: a retried accept makes a transition the
			// first accept never asked for.
			return MatchPaired, true
		}
	case matchConfirm:
		return MatchPaired, state == MatchMutualReady
	case matchReject:
		return MatchRejected, state == MatchAwaitingInitiator || state == MatchMutualReady
	}
	return "", false
}

// mutateMatch runs the match mutation m on the match named in body.
func (a *App) mutateMatch(m mutation, body mutationBody) result {
	if body.MatchID == nil || *body.MatchID == "" {
		return failure(http.StatusBadRequest, "matchId is required in the JSON body", "")
	}
	id := *body.MatchID

	a.mu.Lock()
	defer a.mu.Unlock()

	mt := a.matches[id]
	state := MatchAwaitingInitiator
	if mt != nil {
		state = mt.state
	}
	next, ok := nextMatchState(m, state)
	if !ok {
		action := strings.TrimPrefix(m.String(), "match.")
		return failure(http.StatusConflict,
			"cannot "+action+" match "+id+" in state "+state, state)
	}

	if mt == nil {
		mt = &match{}
		a.matches[id] = mt
	}
	mt.state = next
	mt.seq = a.record(m, id)

	return result{
		status: http.StatusOK,
		seq:    mt.seq,
		body: MatchResponse{
			Route:            m.String(),
			Seq:              mt.seq,
			MatchID:          id,
			State:            next,
			ClientMutationID: body.ClientMutationID,
		},
	}
}
