// Package sampleapp is a small web application whose mutations are not
// idempotent, the way many real applications are not. It stands behind the
// idempotency proxy in integration tests, benchmarks and the demo, so that a
// request that reaches it twice is observable: each execution is a side
// effect with its own sequence number, and a second execution answers with
// a different body, a different status or a state the first never reached.
//
// New returns an App, an http.Handler that keeps all state in memory behind
// one mutex. In-process tests read the side effects through Effects, Count,
// Total and Events; tests across a network use GET /_effects and
// POST /_effects/reset instead.
//
// # Mutation routes
//
// All nine are POST and answer JSON. A successful mutation records exactly
// one side effect: it takes the next value of a global sequence number,
// counts once for its route, and sends that number in the X-Sample-Seq
// header and the seq field of the body. A refused request records none.
//
//	POST /api/activities/{id}/accept    open -> accepted; accepted -> accepted again
//	POST /api/activities/{id}/checkin   accepted -> checked_in; checked_in -> checked_in again
//	POST /api/activities/{id}/complete  checked_in -> completed; completed -> completed again
//	POST /api/activities/{id}/cancel    open or accepted -> cancelled
//	POST /api/match/accept              awaiting_initiator -> mutual_ready -> paired
//	POST /api/match/confirm             mutual_ready -> paired
//	POST /api/match/reject              awaiting_initiator or mutual_ready -> rejected
//	POST /api/pairs/create              201, a new pair "1", "2", ...
//	POST /api/pairs/{id}/questionnaires/{qid}/answer  201, one more answer
//
// Activities, matches and questionnaires come into being on their first
// successful mutation: activities open, matches awaiting_initiator, and a
// questionnaire needs no created pair. A match is named by the matchId
// string field of the body, which is required. Any other transition is
// refused with 409 and the current state.
//
// The repeats are deliberate, each a different retry bug. A repeated
// accept, checkin or complete on an activity succeeds and counts again, like
// a notification sent twice. A repeated cancel answers 409 although the
// first succeeded, so the client sees a failure for a mutation that
// happened. A repeated match accept moves mutual_ready on to paired, a
// transition the first accept never asked for. Each pairs/create makes a new
// pair, and each answer is appended.
//
// Successful bodies, with the route name and the sequence number first:
//
//	activities  {"route","seq","activityId","state","acceptances","checkins","completions"}
//	match       {"route","seq","matchId","state"}
//	pairs       {"route","seq","pairId"}; Location /api/pairs/{pairId}
//	answer      {"route","seq","pairId","questionnaireId","answer"};
//	            Location /api/pairs/{id}/questionnaires/{qid}/answers/{answer}
//
// A request body is optional (empty reads as {}) except on the match routes;
// when present it must be one JSON object of at most 64 MiB. Its field
// clientMutationId, of any JSON type, is ignored by the application and
// echoed in the body of a successful response, omitted when absent.
//
// GET /api/activities/{id} reads an activity without side effect and
// without creating it: a new activity reads as open with seq 0, and seq is
// otherwise the sequence number of its last change. Its route field is
// empty.
//
// # Test routes
//
//	GET  /_effects        {"total": N, "byRoute": {"activities.accept": n, ...}, "seq": S}
//	POST /_effects/reset  clears all state and counts; answers with the cleared counts
//	GET  /healthz         {"status": "ok"}
//
// byRoute always lists the nine route names of Routes. seq is the last
// sequence number given out. Reset does not rewind it, so that one App never
// gives out a sequence number, and thus a response body, twice; pair ids do
// start again at 1.
//
// # Errors
//
// Every error has the body {"error": "..."}, plus "state" on a 409. A
// request is checked in this order, and the first failure answers:
//
//	404  no route has this path
//	405  the route has no such method; Allow says which it has
//	400  a knob header has an invalid value
//	503  the request was cancelled during X-Sample-Delay and not executed
//	413  the body is larger than 64 MiB
//	400  the body is not one JSON object, or matchId is missing
//	409  the transition is not allowed in the current state
//
// # Knobs
//
// Request headers change how a request under /api/ is served, so that tests
// can drive the proxy through slow, failing and odd responses:
//
//	X-Sample-Delay: 200ms    wait before executing (at most 1m); a request
//	                         cancelled while waiting is not executed
//	X-Sample-Status: 503     execute, side effect included, then answer
//	                         with this status (200-599) instead
//	X-Sample-Body-Bytes: N   pad a shorter JSON body to exactly N bytes (at
//	                         most 64 MiB) with a "padding" string field, or
//	                         spaces when the gap is under 13 bytes
//	X-Sample-Set-Cookie: v   add the response header "Set-Cookie: v", verbatim
//	X-Sample-Abort: 1        execute, side effect included, send the headers
//	                         with a Content-Length for the whole body and
//	                         its first half, then break the connection with
//	                         panic(http.ErrAbortHandler)
//
// Status, Body-Bytes, Set-Cookie and Abort shape successful responses only,
// reads included: a refused request is answered as described above whatever
// its knobs. With X-Sample-Status 204 or 304 no body is sent. X-Sample-Abort
// takes any value strconv.ParseBool accepts. Because Abort panics, an
// in-process test that calls ServeHTTP directly must recover.
package sampleapp
