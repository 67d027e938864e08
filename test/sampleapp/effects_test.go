package sampleapp_test

import (
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"

	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

// mutate performs one successful mutation of each kind and some failures.
func mutate(t *testing.T, app http.Handler) {
	t.Helper()

	ok := []struct{ path, body string }{
		{"/api/activities/a1/accept", ""},
		{"/api/activities/a1/accept", ""},
		{"/api/activities/a1/checkin", ""},
		{"/api/activities/a1/complete", ""},
		{"/api/activities/a2/cancel", ""},
		{"/api/match/accept", matchBody("m1")},
		{"/api/match/confirm", matchBody("m1")},
		{"/api/match/reject", matchBody("m2")},
		{"/api/pairs/create", ""},
		{"/api/pairs/1/questionnaires/q1/answer", ""},
	}
	for _, c := range ok {
		rec := serve(t, app, http.MethodPost, c.path, c.body)
		if rec.Code >= 300 {
			t.Fatalf("POST %s = %d, want success", c.path, rec.Code)
		}
	}

	serve(t, app, http.MethodPost, "/api/activities/a2/cancel", "")       // 409
	serve(t, app, http.MethodPost, "/api/match/confirm", matchBody("m3")) // 409
	serve(t, app, http.MethodPost, "/api/pairs/create", "{")              // 400
}

func TestEffectsCountSuccessfulMutations(t *testing.T) {
	app := sampleapp.New()
	mutate(t, app)

	want := sampleapp.Effects{
		Total: 10,
		ByRoute: map[string]int64{
			sampleapp.RouteActivityAccept:      2,
			sampleapp.RouteActivityCancel:      1,
			sampleapp.RouteActivityCheckin:     1,
			sampleapp.RouteActivityComplete:    1,
			sampleapp.RouteMatchAccept:         1,
			sampleapp.RouteMatchReject:         1,
			sampleapp.RouteMatchConfirm:        1,
			sampleapp.RoutePairCreate:          1,
			sampleapp.RouteQuestionnaireAnswer: 1,
		},
		Seq: 10,
	}

	if got := app.Effects(); !reflect.DeepEqual(got, want) {
		t.Errorf("Effects() = %+v, want %+v", got, want)
	}
	rec := serve(t, app, http.MethodGet, "/_effects", "")
	expectStatus(t, rec, http.StatusOK)
	if got := decode[sampleapp.Effects](t, rec); !reflect.DeepEqual(got, want) {
		t.Errorf("GET /_effects = %+v, want %+v", got, want)
	}
	if app.Total() != 10 || app.Count(sampleapp.RouteActivityAccept) != 2 || app.Count("nope") != 0 {
		t.Errorf("Total() = %d, Count(accept) = %d, Count(nope) = %d; want 10, 2, 0",
			app.Total(), app.Count(sampleapp.RouteActivityAccept), app.Count("nope"))
	}
}

func TestEffectsListEveryRouteFromTheStart(t *testing.T) {
	got := sampleapp.New().Effects()

	if got.Total != 0 || got.Seq != 0 || len(got.ByRoute) != len(sampleapp.Routes()) {
		t.Fatalf("Effects() of a new app = %+v", got)
	}
	for _, route := range sampleapp.Routes() {
		if n, ok := got.ByRoute[route]; !ok || n != 0 {
			t.Errorf("byRoute[%s] = %d, %t; want 0, true", route, n, ok)
		}
	}
}

func TestEventsRecordEachSideEffectInOrder(t *testing.T) {
	app := sampleapp.New()

	serve(t, app, http.MethodPost, "/api/activities/a1/accept", "")
	serve(t, app, http.MethodPost, "/api/activities/a1/checkin", "")
	serve(t, app, http.MethodPost, "/api/activities/a1/cancel", "") // 409
	serve(t, app, http.MethodPost, "/api/match/accept", matchBody("m1"))
	serve(t, app, http.MethodPost, "/api/pairs/create", "")
	serve(t, app, http.MethodPost, "/api/pairs/1/questionnaires/q1/answer", "")

	want := []sampleapp.Event{
		{Seq: 1, Route: sampleapp.RouteActivityAccept, Subject: "a1"},
		{Seq: 2, Route: sampleapp.RouteActivityCheckin, Subject: "a1"},
		{Seq: 3, Route: sampleapp.RouteMatchAccept, Subject: "m1"},
		{Seq: 4, Route: sampleapp.RoutePairCreate, Subject: "1"},
		{Seq: 5, Route: sampleapp.RouteQuestionnaireAnswer, Subject: "1/q1"},
	}
	if got := app.Events(); !reflect.DeepEqual(got, want) {
		t.Errorf("Events() = %+v, want %+v", got, want)
	}
}

func TestEventsKeepTheLatest(t *testing.T) {
	app := sampleapp.New()

	for range 1500 {
		serve(t, app, http.MethodPost, "/api/pairs/create", "")
	}

	events := app.Events()
	if len(events) != 1024 || events[0].Seq != 477 || events[1023].Seq != 1500 {
		t.Errorf("Events() holds %d events, seq %d to %d; want 1024, 477 to 1500",
			len(events), events[0].Seq, events[len(events)-1].Seq)
	}
	if app.Total() != 1500 {
		t.Errorf("Total() = %d, want 1500", app.Total())
	}
}

func TestResetClearsStateButNotTheSequence(t *testing.T) {
	app := sampleapp.New()
	mutate(t, app)

	rec := serve(t, app, http.MethodPost, "/_effects/reset", "")

	expectStatus(t, rec, http.StatusOK)
	got := decode[sampleapp.Effects](t, rec)
	if got.Total != 0 || got.Seq != 10 {
		t.Errorf("reset answered %+v, want total 0 and seq 10", got)
	}
	for route, n := range app.Effects().ByRoute {
		if n != 0 {
			t.Errorf("byRoute[%s] = %d after reset, want 0", route, n)
		}
	}
	if len(app.Events()) != 0 {
		t.Errorf("Events() holds %d events after reset, want 0", len(app.Events()))
	}

	rec = serve(t, app, http.MethodGet, "/api/activities/a1", "")
	read := decode[sampleapp.ActivityResponse](t, rec)
	if read.State != sampleapp.ActivityOpen {
		t.Errorf("activity a1 is %s after reset, want open", read.State)
	}
	pair := serve(t, app, http.MethodPost, "/api/pairs/create", "")
	if got := decode[sampleapp.PairResponse](t, pair); got.PairID != "1" || got.Seq != 11 {
		t.Errorf("first pair after reset = %+v, want pair 1 at seq 11", got)
	}
	if got := pair.Header().Get(sampleapp.HeaderSeq); got != "11" {
		t.Errorf("%s = %q, want 11", sampleapp.HeaderSeq, got)
	}

	app.Reset()
	if app.Total() != 0 || app.Effects().Seq != 11 {
		t.Errorf("after Reset() total = %d, seq = %d; want 0, 11", app.Total(), app.Effects().Seq)
	}
}

func TestConcurrentMutationsAreEachRecordedOnce(t *testing.T) {
	app := sampleapp.New()
	const workers, each = 16, 50

	ids := make(chan string, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				rec := serve(t, app, http.MethodPost, "/api/pairs/create", "")
				ids <- rec.Header().Get("Location")
				serve(t, app, http.MethodPost, fmt.Sprintf("/api/activities/w%d-%d/accept", w, i), "")
			}
		})
	}
	wg.Wait()
	close(ids)

	seen := make(map[string]bool)
	for id := range ids {
		if seen[id] {
			t.Fatalf("pair %s created twice", id)
		}
		seen[id] = true
	}
	if app.Count(sampleapp.RoutePairCreate) != workers*each ||
		app.Count(sampleapp.RouteActivityAccept) != workers*each {
		t.Errorf("counts = %+v, want %d per route", app.Effects().ByRoute, workers*each)
	}
}
