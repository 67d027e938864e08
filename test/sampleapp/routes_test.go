package sampleapp_test

import (
	"net/http"
	"testing"

	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

func TestUnknownPathsAreNotFound(t *testing.T) {
	paths := []string{
		"/",
		"/api",
		"/api/activities/",
		"/api/activities//accept",
		"/api/activities/a1/accept/",
		"/api/activities/a1/archive",
		"/api/match/accept/",
		"/api/match/m1/accept",
		"/api/pairs/create/",
		"/api/pairs/1",
		"/api/pairs/1/questionnaires/q1",
		"/api/pairs/1/questionnaires//answer",
		"/api/pairs/1/questionnaires/q1/x/answer",
		"/api/pairs//questionnaires/q1/answer",
		"/_effects/",
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			app := sampleapp.New()

			rec := serve(t, app, http.MethodPost, path, "{}")

			expectStatus(t, rec, http.StatusNotFound)
			if decode[errorBody](t, rec).Error == "" {
				t.Errorf("404 without an error message")
			}
			if app.Total() != 0 {
				t.Errorf("an unknown path recorded a side effect")
			}
		})
	}
}

func TestWrongMethodsAreNotAllowed(t *testing.T) {
	tests := []struct {
		method, path, wantAllow string
	}{
		{http.MethodGet, "/api/activities/a1/accept", "POST"},
		{http.MethodPut, "/api/activities/a1/cancel", "POST"},
		{http.MethodGet, "/api/match/accept", "POST"},
		{http.MethodDelete, "/api/pairs/create", "POST"},
		{http.MethodGet, "/api/pairs/1/questionnaires/q1/answer", "POST"},
		{http.MethodPost, "/api/activities/a1", "GET, HEAD"},
		{http.MethodPost, "/healthz", "GET, HEAD"},
		{http.MethodPost, "/_effects", "GET, HEAD"},
		{http.MethodGet, "/_effects/reset", "POST"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			app := sampleapp.New()

			rec := serve(t, app, tt.method, tt.path, "{}")

			expectStatus(t, rec, http.StatusMethodNotAllowed)
			if got := rec.Header().Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
			if app.Total() != 0 {
				t.Errorf("a wrong method recorded a side effect")
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		rec := serve(t, sampleapp.New(), method, "/healthz", "")
		expectStatus(t, rec, http.StatusOK)
	}
}

func TestBadBodiesAreRefused(t *testing.T) {
	bodies := map[string]string{
		"broken JSON":      `{"clientMutationId":`,
		"trailing garbage": `{} {}`,
		"array":            `[1, 2]`,
		"string":           `"accept"`,
		"null":             `null`,
	}
	routes := []string{
		"/api/activities/a1/accept",
		"/api/match/accept",
		"/api/pairs/create",
		"/api/pairs/1/questionnaires/q1/answer",
	}
	for name, body := range bodies {
		for _, path := range routes {
			t.Run(name+" "+path, func(t *testing.T) {
				app := sampleapp.New()

				rec := serve(t, app, http.MethodPost, path, body)

				expectStatus(t, rec, http.StatusBadRequest)
				if decode[errorBody](t, rec).Error == "" {
					t.Errorf("400 without an error message")
				}
				if app.Total() != 0 {
					t.Errorf("a bad body recorded a side effect")
				}
			})
		}
	}
}

func TestClientMutationIDIsEchoed(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"string", `{"clientMutationId":"k1"}`, `"k1"`},
		{"object", `{"clientMutationId": {"n": 1}}`, `{"n":1}`},
		{"absent", `{}`, ``},
		{"empty body", ``, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(t, sampleapp.New(), http.MethodPost, "/api/pairs/create", tt.body)

			expectStatus(t, rec, http.StatusCreated)
			got := decode[sampleapp.PairResponse](t, rec)
			if string(got.ClientMutationID) != tt.want {
				t.Errorf("clientMutationId = %s, want %s", got.ClientMutationID, tt.want)
			}
		})
	}
}
