package integration

import (
	"net/http"
	"testing"

	"github.com/idempotency-operator/idempotency-operator/test/redisserver"
	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

// call is one request a mutation case sends.
type call struct {
	method string
	path   string
	body   map[string]any
}

// mutationCase is one mutation of the sample app sent twice with one key.
type mutationCase struct {
	name  string
	route string
	call  call
	// keyInBody sends the key in the clientMutationId body field instead
	// of the Idempotency-Key header.
	keyInBody bool
	status    int
	// before are the mutations that bring the app into the state this one
	// starts from. They go through the proxy with keys of their own.
	before []call
	// probe asks the app directly, after the retry, for state that a
	// second execution would have changed; want lists fields of its
	// answer.
	probe       call
	probeStatus int
	want        map[string]string
}

func accept(id string) call {
	return call{path: "/api/activities/" + id + "/accept"}
}

func checkin(id string) call {
	return call{path: "/api/activities/" + id + "/checkin"}
}

func readActivity(id string) call {
	return call{method: http.MethodGet, path: "/api/activities/" + id}
}

func matchCall(action, id string) call {
	return call{path: "/api/match/" + action, body: map[string]any{"matchId": id}}
}

var mutationCases = []mutationCase{{
	name:   "activity accept",
	route:  sampleapp.RouteActivityAccept,
	call:   accept("a1"),
	status: http.StatusOK,
	// A second execution would count a second acceptance.
	probe:       readActivity("a1"),
	probeStatus: http.StatusOK,
	want:        map[string]string{"state": sampleapp.ActivityAccepted, "acceptances": "1"},
}, {
	name:        "activity checkin",
	route:       sampleapp.RouteActivityCheckin,
	before:      []call{accept("a1")},
	call:        checkin("a1"),
	status:      http.StatusOK,
	probe:       readActivity("a1"),
	probeStatus: http.StatusOK,
	want: map[string]string{
		"state": sampleapp.ActivityCheckedIn, "acceptances": "1", "checkins": "1",
	},
}, {
	name:        "activity complete",
	route:       sampleapp.RouteActivityComplete,
	before:      []call{accept("a1"), checkin("a1")},
	call:        call{path: "/api/activities/a1/complete"},
	status:      http.StatusOK,
	probe:       readActivity("a1"),
	probeStatus: http.StatusOK,
	want: map[string]string{
		"state": sampleapp.ActivityCompleted, "checkins": "1", "completions": "1",
	},
}, {
	// Without the proxy the retry of a cancel answers 409 although the
	// cancel happened; the replay gives the client the first 200.
	name:        "activity cancel",
	route:       sampleapp.RouteActivityCancel,
	call:        call{path: "/api/activities/a1/cancel"},
	status:      http.StatusOK,
	probe:       readActivity("a1"),
	probeStatus: http.StatusOK,
	want:        map[string]string{"state": sampleapp.ActivityCancelled},
}, {
	// A second accept would pair the match. It must stay mutual_ready,
	// the one state that confirm moves on to paired.
	name:        "match accept",
	route:       sampleapp.RouteMatchAccept,
	call:        matchCall("accept", "m1"),
	status:      http.StatusOK,
	probe:       matchCall("confirm", "m1"),
	probeStatus: http.StatusOK,
	want:        map[string]string{"state": sampleapp.MatchPaired},
}, {
	name:        "match accept, key in the body",
	route:       sampleapp.RouteMatchAccept,
	call:        matchCall("accept", "m1"),
	keyInBody:   true,
	status:      http.StatusOK,
	probe:       matchCall("confirm", "m1"),
	probeStatus: http.StatusOK,
	want:        map[string]string{"state": sampleapp.MatchPaired},
}, {
	// Without the proxy a second confirm is refused with 409; the retry
	// gets the 200 and the match is paired once.
	name:        "match confirm",
	route:       sampleapp.RouteMatchConfirm,
	before:      []call{matchCall("accept", "m1")},
	call:        matchCall("confirm", "m1"),
	status:      http.StatusOK,
	probe:       matchCall("reject", "m1"),
	probeStatus: http.StatusConflict,
	want:        map[string]string{"state": sampleapp.MatchPaired},
}, {
	name:        "match reject",
	route:       sampleapp.RouteMatchReject,
	call:        matchCall("reject", "m1"),
	status:      http.StatusOK,
	probe:       matchCall("confirm", "m1"),
	probeStatus: http.StatusConflict,
	want:        map[string]string{"state": sampleapp.MatchRejected},
}, {
	// Each execution makes a new pair: the next one made must be the
	// second.
	name:        "pairs create",
	route:       sampleapp.RoutePairCreate,
	call:        call{path: "/api/pairs/create", body: map[string]any{}},
	status:      http.StatusCreated,
	probe:       call{path: "/api/pairs/create"},
	probeStatus: http.StatusCreated,
	want:        map[string]string{"pairId": "2"},
}, {
	name:        "pairs create, key in the body",
	route:       sampleapp.RoutePairCreate,
	call:        call{path: "/api/pairs/create", body: map[string]any{}},
	keyInBody:   true,
	status:      http.StatusCreated,
	probe:       call{path: "/api/pairs/create"},
	probeStatus: http.StatusCreated,
	want:        map[string]string{"pairId": "2"},
}, {
	// Each execution appends an answer: the next one must be the second.
	name:        "questionnaire answer",
	route:       sampleapp.RouteQuestionnaireAnswer,
	call:        call{path: "/api/pairs/1/questionnaires/q1/answer"},
	status:      http.StatusCreated,
	probe:       call{path: "/api/pairs/1/questionnaires/q1/answer"},
	probeStatus: http.StatusCreated,
	want:        map[string]string{"answer": "2"},
}}

// do sends c to base; key, when set, goes in the Idempotency-Key header,
// or in the body field clientMutationId when inBody is set.
func (c call) do(t *testing.T, base, key string, inBody bool) response {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	var body string
	if c.body != nil || inBody {
		fields := map[string]any{}
		for k, v := range c.body {
			fields[k] = v
		}
		if inBody {
			fields["clientMutationId"] = key
		}
		body = jsonBody(t, fields)
	}
	var header []string
	if key != "" && !inBody {
		header = []string{keyHeader, key}
	}
	r, err := send(request{method: method, url: base + c.path, body: body, header: header})
	if err != nil {
		t.Fatalf("%s %s: %v", method, c.path, err)
	}
	return r
}

func TestRetryWithTheSameKeyRunsEachMutationOnce(t *testing.T) {
	redis := redisserver.Start(t)
	stores := []struct {
		name     string
		settings proxySettings
	}{
		{"memory", proxySettings{}},
		{"redis", proxySettings{redisURL: redis.URL()}},
	}

	for _, st := range stores {
		for _, tc := range mutationCases {
			t.Run(st.name+"/"+tc.name, func(t *testing.T) {
				app := startApp(t)
				px := startProxy(t, app.url, st.settings)
				for _, c := range tc.before {
					wantStatus(t, c.do(t, px, newKey(), false), http.StatusOK, "")
				}
				before := app.app.Count(tc.route)

				key := newKey()
				first := tc.call.do(t, px, key, tc.keyInBody)
				retry := tc.call.do(t, px, key, tc.keyInBody)

				wantStatus(t, first, tc.status, "")
				wantReplayOf(t, first, retry)
				wantCount(t, app, tc.route, before+1)
				if tc.keyInBody && first.field(t, "clientMutationId") != key {
					t.Fatalf("the app did not see the key in the body: %s", first.body)
				}

				probe := tc.probe.do(t, app.url, "", false)
				wantStatus(t, probe, tc.probeStatus, "")
				for name, want := range tc.want {
					if got := probe.field(t, name); got != want {
						t.Errorf("after the retry the app answers %s = %s, want %s; body %s",
							name, got, want, probe.body)
					}
				}
			})
		}
	}
}
