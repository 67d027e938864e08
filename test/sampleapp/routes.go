package sampleapp

import (
	"net/http"
	"strings"
)

// Route names, as they appear in the byRoute counts of GET /_effects and in
// the route field of a response body.
const (
	RouteActivityAccept      = "activities.accept"
	RouteActivityCancel      = "activities.cancel"
	RouteActivityCheckin     = "activities.checkin"
	RouteActivityComplete    = "activities.complete"
	RouteMatchAccept         = "match.accept"
	RouteMatchReject         = "match.reject"
	RouteMatchConfirm        = "match.confirm"
	RoutePairCreate          = "pairs.create"
	RouteQuestionnaireAnswer = "questionnaires.answer"
)

// mutation numbers the nine mutation routes, so that counts live in an array
// rather than a map.
type mutation int

const (
	activityAccept mutation = iota
	activityCancel
	activityCheckin
	activityComplete
	matchAccept
	matchReject
	matchConfirm
	pairCreate
	questionnaireAnswer
	mutationCount
)

var mutationNames = [mutationCount]string{
	activityAccept:      RouteActivityAccept,
	activityCancel:      RouteActivityCancel,
	activityCheckin:     RouteActivityCheckin,
	activityComplete:    RouteActivityComplete,
	matchAccept:         RouteMatchAccept,
	matchReject:         RouteMatchReject,
	matchConfirm:        RouteMatchConfirm,
	pairCreate:          RoutePairCreate,
	questionnaireAnswer: RouteQuestionnaireAnswer,
}

// String returns the route name of m.
func (m mutation) String() string { return mutationNames[m] }

// Routes returns the names of the nine mutation routes, in a fixed order.
func Routes() []string {
	return append([]string(nil), mutationNames[:]...)
}

// endpointKind says which handler serves a matched path.
type endpointKind int

const (
	endpointMutation endpointKind = iota
	endpointActivityRead
	endpointEffects
	endpointEffectsReset
	endpointHealth
)

// endpoint is a matched path: its handler, the mutation it performs if any,
// and the ids taken from the path.
type endpoint struct {
	kind     endpointKind
	mutation mutation
	id       string
	qid      string
}

// readOnly reports whether e is served on GET and HEAD rather than POST.
func (e endpoint) readOnly() bool {
	switch e.kind {
	case endpointActivityRead, endpointEffects, endpointHealth:
		return true
	}
	return false
}

// allows reports whether method is served on e.
func (e endpoint) allows(method string) bool {
	if e.readOnly() {
		return method == http.MethodGet || method == http.MethodHead
	}
	return method == http.MethodPost
}

// allow is the value of the Allow header of a 405 on e.
func (e endpoint) allow() string {
	if e.readOnly() {
		return "GET, HEAD"
	}
	return http.MethodPost
}

// matchPath finds the endpoint of a request path. It works on substrings of
// path and allocates nothing.
func matchPath(path string) (endpoint, bool) {
	switch path {
	case "/healthz":
		return endpoint{kind: endpointHealth}, true
	case "/_effects":
		return endpoint{kind: endpointEffects}, true
	case "/_effects/reset":
		return endpoint{kind: endpointEffectsReset}, true
	case "/api/match/accept":
		return endpoint{mutation: matchAccept}, true
	case "/api/match/reject":
		return endpoint{mutation: matchReject}, true
	case "/api/match/confirm":
		return endpoint{mutation: matchConfirm}, true
	case "/api/pairs/create":
		return endpoint{mutation: pairCreate}, true
	}

	if rest, ok := strings.CutPrefix(path, "/api/activities/"); ok {
		return matchActivity(rest)
	}
	if rest, ok := strings.CutPrefix(path, "/api/pairs/"); ok {
		return matchAnswer(rest)
	}
	return endpoint{}, false
}

// matchActivity matches "{id}" and "{id}/{action}".
func matchActivity(rest string) (endpoint, bool) {
	id, action, hasAction := strings.Cut(rest, "/")
	if id == "" {
		return endpoint{}, false
	}
	if !hasAction {
		return endpoint{kind: endpointActivityRead, id: id}, true
	}

	e := endpoint{id: id}
	switch action {
	case "accept":
		e.mutation = activityAccept
	case "cancel":
		e.mutation = activityCancel
	case "checkin":
		e.mutation = activityCheckin
	case "complete":
		e.mutation = activityComplete
	default:
		return endpoint{}, false
	}
	return e, true
}

// matchAnswer matches "{id}/questionnaires/{qid}/answer".
func matchAnswer(rest string) (endpoint, bool) {
	id, rest, _ := strings.Cut(rest, "/")
	rest, ok := strings.CutPrefix(rest, "questionnaires/")
	if !ok || id == "" {
		return endpoint{}, false
	}
	qid, ok := strings.CutSuffix(rest, "/answer")
	if !ok || qid == "" || strings.Contains(qid, "/") {
		return endpoint{}, false
	}
	return endpoint{mutation: questionnaireAnswer, id: id, qid: qid}, true
}
