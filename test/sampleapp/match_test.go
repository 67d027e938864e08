package sampleapp_test

import (
	"net/http"
	"testing"

	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

func TestMatchTransitions(t *testing.T) {
	tests := []struct {
		name       string
		before     []string
		action     string
		wantStatus int
		wantState  string
	}{
		{"accept moves awaiting_initiator to mutual_ready", nil, "accept",
			http.StatusOK, sampleapp.MatchMutualReady},
		{"confirm moves mutual_ready to paired", []string{"accept"}, "confirm",
			http.StatusOK, sampleapp.MatchPaired},
		{"reject moves awaiting_initiator to rejected", nil, "reject",
			http.StatusOK, sampleapp.MatchRejected},
		{"reject moves mutual_ready to rejected", []string{"accept"}, "reject",
			http.StatusOK, sampleapp.MatchRejected},

		{"confirm on awaiting_initiator is refused", nil, "confirm",
			http.StatusConflict, sampleapp.MatchAwaitingInitiator},
		{"confirm on paired is refused", []string{"accept", "confirm"}, "confirm",
			http.StatusConflict, sampleapp.MatchPaired},
		{"accept on paired is refused", []string{"accept", "confirm"}, "accept",
			http.StatusConflict, sampleapp.MatchPaired},
		{"reject on paired is refused", []string{"accept", "confirm"}, "reject",
			http.StatusConflict, sampleapp.MatchPaired},
		{"accept on rejected is refused", []string{"reject"}, "accept",
			http.StatusConflict, sampleapp.MatchRejected},
		{"a second reject is refused", []string{"reject"}, "reject",
			http.StatusConflict, sampleapp.MatchRejected},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := sampleapp.New()
			for _, action := range tt.before {
				expectStatus(t, serve(t, app, http.MethodPost, "/api/match/"+action, matchBody("m1")),
					http.StatusOK)
			}
			before := app.Total()

			rec := serve(t, app, http.MethodPost, "/api/match/"+tt.action, matchBody("m1"))

			expectStatus(t, rec, tt.wantStatus)
			if tt.wantStatus == http.StatusOK {
				got := decode[sampleapp.MatchResponse](t, rec)
				if got.State != tt.wantState || got.MatchID != "m1" || got.Route != "match."+tt.action {
					t.Errorf("body = %+v, want match m1 in state %s", got, tt.wantState)
				}
				if app.Total() != before+1 {
					t.Errorf("side effects = %d, want %d", app.Total(), before+1)
				}
				return
			}
			got := decode[errorBody](t, rec)
			if got.State != tt.wantState {
				t.Errorf("error body = %+v, want state %s", got, tt.wantState)
			}
			if app.Total() != before {
				t.Errorf("a refused transition recorded a side effect")
			}
		})
	}
}

func TestMatchDoubleAcceptPairs(t *testing.T) {
	app := sampleapp.New()

	first := serve(t, app, http.MethodPost, "/api/match/accept", matchBody("m1"))
	second := serve(t, app, http.MethodPost, "/api/match/accept", matchBody("m1"))

	expectStatus(t, first, http.StatusOK)
	expectStatus(t, second, http.StatusOK)
	if got := decode[sampleapp.MatchResponse](t, first).State; got != sampleapp.MatchMutualReady {
		t.Errorf("first accept state = %s, want %s", got, sampleapp.MatchMutualReady)
	}
	if got := decode[sampleapp.MatchResponse](t, second).State; got != sampleapp.MatchPaired {
		t.Errorf("second accept state = %s, want %s", got, sampleapp.MatchPaired)
	}
	if n := app.Count(sampleapp.RouteMatchAccept); n != 2 {
		t.Errorf("side effects of match.accept = %d, want 2", n)
	}
}

func TestMatchesAreIndependent(t *testing.T) {
	app := sampleapp.New()

	serve(t, app, http.MethodPost, "/api/match/accept", matchBody("m1"))
	rec := serve(t, app, http.MethodPost, "/api/match/accept", matchBody("m2"))

	if got := decode[sampleapp.MatchResponse](t, rec).State; got != sampleapp.MatchMutualReady {
		t.Errorf("first accept of m2 state = %s, want %s", got, sampleapp.MatchMutualReady)
	}
}

func TestMatchNeedsMatchID(t *testing.T) {
	bodies := map[string]string{
		"empty body":      "",
		"no matchId":      `{"clientMutationId":"k1"}`,
		"empty matchId":   `{"matchId":""}`,
		"numeric matchId": `{"matchId":7}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			app := sampleapp.New()

			rec := serve(t, app, http.MethodPost, "/api/match/accept", body)

			expectStatus(t, rec, http.StatusBadRequest)
			if app.Total() != 0 {
				t.Errorf("a refused request recorded a side effect")
			}
		})
	}
}
