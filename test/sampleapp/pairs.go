package sampleapp

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// PairResponse is the body of POST /api/pairs/create.
type PairResponse struct {
	Route string `json:"route"`
	Seq   uint64 `json:"seq"`
	// PairID is the new pair's id: "1", "2", ... in order of creation.
	PairID string `json:"pairId"`
	// ClientMutationID echoes the request field unchanged.
	ClientMutationID json.RawMessage `json:"clientMutationId,omitempty"`
}

// createPair makes a new pair on every call, as a naive create does.
func (a *App) createPair(body mutationBody) result {
	a.mu.Lock()
	defer a.mu.Unlock()

	a.lastPairID++
	id := strconv.FormatUint(a.lastPairID, 10)
	seq := a.record(pairCreate, id)

	return result{
		status:   http.StatusCreated,
		seq:      seq,
		location: "/api/pairs/" + id,
		body: PairResponse{
			Route:            RoutePairCreate,
			Seq:              seq,
			PairID:           id,
			ClientMutationID: body.ClientMutationID,
		},
	}
}
