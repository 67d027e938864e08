package sampleapp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

// discard is a ResponseWriter that keeps nothing, so that benchmarks
// measure the application rather than a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func benchmark(b *testing.B, method, path, body string) {
	app := sampleapp.New()
	req := httptest.NewRequest(method, path, nil)
	w := &discard{h: make(http.Header)}
	r := strings.NewReader(body)

	b.ReportAllocs()
	for b.Loop() {
		r.Reset(body)
		req.Body = http.NoBody
		if body != "" {
			req.Body = readCloser{r}
		}
		clear(w.h)
		app.ServeHTTP(w, req)
	}
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

func BenchmarkActivityAccept(b *testing.B) {
	benchmark(b, http.MethodPost, "/api/activities/a1/accept", `{"clientMutationId":"k1"}`)
}

func BenchmarkQuestionnaireAnswer(b *testing.B) {
	benchmark(b, http.MethodPost, "/api/pairs/1/questionnaires/q1/answer", `{"answer":"yes"}`)
}

func BenchmarkPairCreate(b *testing.B) {
	benchmark(b, http.MethodPost, "/api/pairs/create", "")
}

func BenchmarkActivityRead(b *testing.B) {
	benchmark(b, http.MethodGet, "/api/activities/a1", "")
}
