package proxy

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// ProblemTypeBase prefixes the type URI of every problem document the
// proxy writes; docs/api-contract.md describes each type.
const ProblemTypeBase = "https://idempotency.io/problems/"

// problem is an RFC 9457 problem details document.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// OriginalStatus is the status of the stored response, for
	// response-not-stored.
	OriginalStatus int `json:"originalStatus,omitempty"`
}

// The problems the proxy answers with, by type name.
var (
	problemKeyMissing = problem{Type: "key-missing", Status: http.StatusBadRequest,
		Title: "Idempotency key required"}
	problemKeyInvalid = problem{Type: "key-invalid", Status: http.StatusBadRequest,
		Title: "Invalid idempotency key"}
	problemKeyAmbiguous = problem{Type: "key-ambiguous", Status: http.StatusBadRequest,
		Title: "Idempotency key given twice with different values"}
	problemBodyInvalid = problem{Type: "body-invalid", Status: http.StatusBadRequest,
		Title: "Request body is not valid JSON"}
	problemBodyUnreadable = problem{Type: "body-unreadable", Status: http.StatusBadRequest,
		Title: "Request body could not be read"}
	problemBodyTooLarge = problem{Type: "body-too-large", Status: http.StatusRequestEntityTooLarge,
		Title: "Request body too large"}
	problemKeyReused = problem{Type: "key-reused", Status: http.StatusUnprocessableEntity,
		Title: "Idempotency key reused for a different request"}
	problemInProgress = problem{Type: "request-in-progress", Status: http.StatusConflict,
		Title: "A request with this idempotency key is in progress"}
	problemNotStored = problem{Type: "response-not-stored", Status: http.StatusConflict,
		Title: "Request already executed; its response was too large to store"}
	problemStoreUnavailable = problem{Type: "store-unavailable", Status: http.StatusServiceUnavailable,
		Title: "Idempotency store unavailable"}
	problemUpstreamUnavailable = problem{Type: "upstream-unavailable", Status: http.StatusBadGateway,
		Title: "Application unavailable"}
	problemUpstreamTimeout = problem{Type: "upstream-timeout", Status: http.StatusGatewayTimeout,
		Title: "Application did not answer in time"}
)

// writeProblem answers with p as application/problem+json.
func writeProblem(w http.ResponseWriter, p problem, detail string) {
	p.Type = ProblemTypeBase + p.Type
	p.Detail = detail
	body, _ := json.Marshal(p)
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_, _ = w.Write(body)
}
