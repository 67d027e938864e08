package sampleapp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// questionnaireKey names one questionnaire of one pair.
type questionnaireKey struct {
	pairID, questionnaireID string
}

// questionnaire counts the answers given to it. The answers themselves are
// not kept, so that a load test does not grow the application.
type questionnaire struct {
	answers int
}

// AnswerResponse is the body of
// POST /api/pairs/{id}/questionnaires/{qid}/answer.
type AnswerResponse struct {
	Route           string `json:"route"`
	Seq             uint64 `json:"seq"`
	PairID          string `json:"pairId"`
	QuestionnaireID string `json:"questionnaireId"`
	// Answer is the number of this answer: 1 for the first answer to the
	// questionnaire, 2 for the second, and so on.
	Answer int `json:"answer"`
	// ClientMutationID echoes the request field unchanged.
	ClientMutationID json.RawMessage `json:"clientMutationId,omitempty"`
}

// answerQuestionnaire appends one answer to a questionnaire of a pair. The
// pair need not have been created: like activities and matches,
// questionnaires exist from their first answer.
func (a *App) answerQuestionnaire(pairID, qid string, body mutationBody) result {
	a.mu.Lock()
	defer a.mu.Unlock()

	key := questionnaireKey{pairID: pairID, questionnaireID: qid}
	q := a.questionnaires[key]
	if q == nil {
		q = &questionnaire{}
		key = questionnaireKey{pairID: strings.Clone(pairID), questionnaireID: strings.Clone(qid)}
		a.questionnaires[key] = q
	}
	q.answers++
	seq := a.record(questionnaireAnswer, key.pairID+"/"+key.questionnaireID)

	n := strconv.Itoa(q.answers)
	return result{
		status: http.StatusCreated,
		seq:    seq,
		location: "/api/pairs/" + url.PathEscape(pairID) + "/questionnaires/" +
			url.PathEscape(qid) + "/answers/" + n,
		body: AnswerResponse{
			Route:            RouteQuestionnaireAnswer,
			Seq:              seq,
			PairID:           pairID,
			QuestionnaireID:  qid,
			Answer:           q.answers,
			ClientMutationID: body.ClientMutationID,
		},
	}
}
