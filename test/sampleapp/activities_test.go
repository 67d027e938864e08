package sampleapp_test

import (
	"net/http"
	"testing"

	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

func TestActivityTransitions(t *testing.T) {
	tests := []struct {
		name       string
		before     []string
		action     string
		wantStatus int
		wantState  string
	}{
		{"accept moves open to accepted", nil, "accept", http.StatusOK, sampleapp.ActivityAccepted},
		{"checkin moves accepted to checked_in", []string{"accept"}, "checkin",
			http.StatusOK, sampleapp.ActivityCheckedIn},
		{"complete moves checked_in to completed", []string{"accept", "checkin"}, "complete",
			http.StatusOK, sampleapp.ActivityCompleted},
		{"cancel moves open to cancelled", nil, "cancel", http.StatusOK, sampleapp.ActivityCancelled},
		{"cancel moves accepted to cancelled", []string{"accept"}, "cancel",
			http.StatusOK, sampleapp.ActivityCancelled},

		{"checkin on open is refused", nil, "checkin", http.StatusConflict, sampleapp.ActivityOpen},
		{"complete on open is refused", nil, "complete", http.StatusConflict, sampleapp.ActivityOpen},
		{"complete on accepted is refused", []string{"accept"}, "complete",
			http.StatusConflict, sampleapp.ActivityAccepted},
		{"accept on checked_in is refused", []string{"accept", "checkin"}, "accept",
			http.StatusConflict, sampleapp.ActivityCheckedIn},
		{"cancel on checked_in is refused", []string{"accept", "checkin"}, "cancel",
			http.StatusConflict, sampleapp.ActivityCheckedIn},
		{"cancel on completed is refused", []string{"accept", "checkin", "complete"}, "cancel",
			http.StatusConflict, sampleapp.ActivityCompleted},
		{"accept on cancelled is refused", []string{"cancel"}, "accept",
			http.StatusConflict, sampleapp.ActivityCancelled},
		{"checkin on cancelled is refused", []string{"cancel"}, "checkin",
			http.StatusConflict, sampleapp.ActivityCancelled},
		{"a second cancel is refused", []string{"cancel"}, "cancel",
			http.StatusConflict, sampleapp.ActivityCancelled},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := sampleapp.New()
			for _, action := range tt.before {
				expectStatus(t, serve(t, app, http.MethodPost, "/api/activities/a1/"+action, ""),
					http.StatusOK)
			}
			before := app.Total()

			rec := serve(t, app, http.MethodPost, "/api/activities/a1/"+tt.action, "")

			expectStatus(t, rec, tt.wantStatus)
			if tt.wantStatus == http.StatusOK {
				got := decode[sampleapp.ActivityResponse](t, rec)
				if got.State != tt.wantState || got.Route != "activities."+tt.action {
					t.Errorf("body = %+v, want state %s", got, tt.wantState)
				}
				if app.Total() != before+1 {
					t.Errorf("side effects = %d, want %d", app.Total(), before+1)
				}
			} else {
				got := decode[errorBody](t, rec)
				if got.State != tt.wantState || got.Error == "" {
					t.Errorf("error body = %+v, want state %s", got, tt.wantState)
				}
				if app.Total() != before {
					t.Errorf("a refused transition recorded a side effect")
				}
				if rec.Header().Get(sampleapp.HeaderSeq) != "" {
					t.Errorf("a refused transition sent %s", sampleapp.HeaderSeq)
				}
			}

			read := decode[sampleapp.ActivityResponse](t,
				serve(t, app, http.MethodGet, "/api/activities/a1", ""))
			if read.State != tt.wantState {
				t.Errorf("read state = %s, want %s", read.State, tt.wantState)
			}
		})
	}
}

func TestActivityRepeatsExecuteAgain(t *testing.T) {
	tests := []struct {
		before []string
		action string
		count  func(sampleapp.ActivityResponse) int
	}{
		{nil, "accept", func(r sampleapp.ActivityResponse) int { return r.Acceptances }},
		{[]string{"accept"}, "checkin", func(r sampleapp.ActivityResponse) int { return r.Checkins }},
		{[]string{"accept", "checkin"}, "complete",
			func(r sampleapp.ActivityResponse) int { return r.Completions }},
	}

	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			app := sampleapp.New()
			for _, action := range tt.before {
				serve(t, app, http.MethodPost, "/api/activities/a1/"+action, "")
			}
			path := "/api/activities/a1/" + tt.action
			body := `{"clientMutationId":"k1"}`

			first := serve(t, app, http.MethodPost, path, body)
			second := serve(t, app, http.MethodPost, path, body)

			expectStatus(t, first, http.StatusOK)
			expectStatus(t, second, http.StatusOK)
			if first.Body.String() == second.Body.String() {
				t.Errorf("the second execution returned the same body %s", second.Body)
			}
			if first.Header().Get(sampleapp.HeaderSeq) == second.Header().Get(sampleapp.HeaderSeq) {
				t.Errorf("both executions sent %s %s", sampleapp.HeaderSeq,
					first.Header().Get(sampleapp.HeaderSeq))
			}
			got := decode[sampleapp.ActivityResponse](t, second)
			if n := tt.count(got); n != 2 {
				t.Errorf("%s count = %d, want 2", tt.action, n)
			}
			if n := app.Count("activities." + tt.action); n != 2 {
				t.Errorf("side effects of %s = %d, want 2", tt.action, n)
			}
		})
	}
}

func TestActivityReadHasNoSideEffect(t *testing.T) {
	app := sampleapp.New()

	rec := serve(t, app, http.MethodGet, "/api/activities/never-touched", "")

	expectStatus(t, rec, http.StatusOK)
	got := decode[sampleapp.ActivityResponse](t, rec)
	want := sampleapp.ActivityResponse{ActivityID: "never-touched", State: sampleapp.ActivityOpen}
	if got.ActivityID != want.ActivityID || got.State != want.State || got.Seq != 0 ||
		got.Route != "" {
		t.Errorf("body = %+v, want %+v", got, want)
	}
	if app.Total() != 0 || rec.Header().Get(sampleapp.HeaderSeq) != "" {
		t.Errorf("a read recorded a side effect")
	}

	serve(t, app, http.MethodPost, "/api/activities/a1/accept", "")
	rec = serve(t, app, http.MethodGet, "/api/activities/a1", "")
	got = decode[sampleapp.ActivityResponse](t, rec)
	if got.Seq != 1 || got.Acceptances != 1 {
		t.Errorf("read after accept = %+v, want seq 1 and one acceptance", got)
	}
}
