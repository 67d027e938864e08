package sampleapp_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// serve sends one request to h and returns the recorded response. header
// holds name, value pairs.
func serve(t *testing.T, h http.Handler, method, path, body string,
	header ...string) *httptest.ResponseRecorder {
	t.Helper()

	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// decode parses the JSON body of rec into a T.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()

	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decoding body %q: %v", rec.Body.String(), err)
	}
	return v
}

// errorBody is the JSON body of an error response.
type errorBody struct {
	Error string `json:"error"`
	State string `json:"state"`
}

// expectStatus fails the test when rec does not have status want.
func expectStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, want, rec.Body.String())
	}
}

// matchBody is a match request body.
func matchBody(id string) string {
	return `{"matchId":"` + id + `"}`
}
