package sampleapp_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

func TestPairCreateMakesANewPairEachCall(t *testing.T) {
	app := sampleapp.New()

	for _, want := range []string{"1", "2"} {
		rec := serve(t, app, http.MethodPost, "/api/pairs/create", `{"clientMutationId":"k1"}`)

		expectStatus(t, rec, http.StatusCreated)
		got := decode[sampleapp.PairResponse](t, rec)
		if got.PairID != want || got.Route != sampleapp.RoutePairCreate {
			t.Errorf("body = %+v, want pair %s", got, want)
		}
		if loc := rec.Header().Get("Location"); loc != "/api/pairs/"+want {
			t.Errorf("Location = %q, want /api/pairs/%s", loc, want)
		}
	}
	if n := app.Count(sampleapp.RoutePairCreate); n != 2 {
		t.Errorf("side effects of pairs.create = %d, want 2", n)
	}
}

func TestQuestionnaireAnswerAppends(t *testing.T) {
	app := sampleapp.New()
	path := "/api/pairs/7/questionnaires/q1/answer"

	for _, want := range []int{1, 2} {
		rec := serve(t, app, http.MethodPost, path, `{"answers":{"q1":"yes"}}`)

		expectStatus(t, rec, http.StatusCreated)
		got := decode[sampleapp.AnswerResponse](t, rec)
		if got.Answer != want || got.PairID != "7" || got.QuestionnaireID != "q1" ||
			got.Route != sampleapp.RouteQuestionnaireAnswer {
			t.Errorf("body = %+v, want answer %d to pair 7 questionnaire q1", got, want)
		}
		wantLoc := "/api/pairs/7/questionnaires/q1/answers/" + strconv.Itoa(want)
		if loc := rec.Header().Get("Location"); loc != wantLoc {
			t.Errorf("Location = %q, want %q", loc, wantLoc)
		}
	}

	other := serve(t, app, http.MethodPost, "/api/pairs/7/questionnaires/q2/answer", "")
	if got := decode[sampleapp.AnswerResponse](t, other).Answer; got != 1 {
		t.Errorf("first answer to another questionnaire is number %d, want 1", got)
	}
	if n := app.Count(sampleapp.RouteQuestionnaireAnswer); n != 3 {
		t.Errorf("side effects of questionnaires.answer = %d, want 3", n)
	}
}
