package sampleapp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

func TestStatusKnobAnswersAfterTheSideEffect(t *testing.T) {
	app := sampleapp.New()

	rec := serve(t, app, http.MethodPost, "/api/activities/a1/accept", "",
		sampleapp.HeaderStatus, "503")

	expectStatus(t, rec, http.StatusServiceUnavailable)
	if got := decode[sampleapp.ActivityResponse](t, rec); got.State != sampleapp.ActivityAccepted {
		t.Errorf("body = %+v, want the accepted activity", got)
	}
	if rec.Header().Get(sampleapp.HeaderSeq) != "1" || app.Count(sampleapp.RouteActivityAccept) != 1 {
		t.Errorf("the side effect was not recorded")
	}
}

func TestStatusKnobWithoutBody(t *testing.T) {
	for _, status := range []int{http.StatusNoContent, http.StatusNotModified} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			app := sampleapp.New()

			rec := serve(t, app, http.MethodPost, "/api/pairs/create", "",
				sampleapp.HeaderStatus, strconv.Itoa(status), sampleapp.HeaderBodyBytes, "100")

			expectStatus(t, rec, status)
			if rec.Body.Len() != 0 {
				t.Errorf("body = %q, want none", rec.Body)
			}
			if app.Total() != 1 {
				t.Errorf("side effects = %d, want 1", app.Total())
			}
		})
	}
}

func TestKnobsDoNotApplyToRefusedRequests(t *testing.T) {
	app := sampleapp.New()

	rec := serve(t, app, http.MethodPost, "/api/activities/a1/checkin", "",
		sampleapp.HeaderStatus, "503",
		sampleapp.HeaderBodyBytes, "4096",
		sampleapp.HeaderSetCookie, "session=1",
		sampleapp.HeaderAbort, "1")

	expectStatus(t, rec, http.StatusConflict)
	if rec.Body.Len() >= 4096 || rec.Header().Get("Set-Cookie") != "" {
		t.Errorf("a refused request was shaped by knobs: %d bytes, Set-Cookie %q",
			rec.Body.Len(), rec.Header().Get("Set-Cookie"))
	}
	if app.Total() != 0 {
		t.Errorf("a refused request recorded a side effect")
	}
}

func TestBodyBytesKnobPadsTheBody(t *testing.T) {
	tests := []struct {
		name, method, path string
		// extra is how many bytes more than the plain body to ask for.
		extra int
	}{
		{"smaller than the body", http.MethodPost, "/api/activities/a1/accept", -50},
		{"the body size", http.MethodPost, "/api/activities/a1/accept", 0},
		{"one byte more", http.MethodPost, "/api/activities/a1/accept", 1},
		{"just under an empty field", http.MethodPost, "/api/activities/a1/accept", 12},
		{"an empty field", http.MethodPost, "/api/activities/a1/accept", 13},
		{"one byte over an empty field", http.MethodPost, "/api/activities/a1/accept", 14},
		{"one MiB", http.MethodPost, "/api/pairs/create", 1 << 20},
		{"a read", http.MethodGet, "/api/activities/a1", 10000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := sampleapp.New()
			// Both executions have bodies of one length: only digits of the
			// same width differ.
			plain := serve(t, app, tt.method, tt.path, "")
			n := plain.Body.Len() + tt.extra

			rec := serve(t, app, tt.method, tt.path, "", sampleapp.HeaderBodyBytes, strconv.Itoa(n))

			expectStatus(t, rec, plain.Code)
			want := max(n, plain.Body.Len())
			if got := rec.Body.Len(); got != want {
				t.Errorf("body is %d bytes, want %d", got, want)
			}
			if got := rec.Header().Get("Content-Length"); got != strconv.Itoa(rec.Body.Len()) {
				t.Errorf("Content-Length = %s for a body of %d bytes", got, rec.Body.Len())
			}
			var fields map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &fields); err != nil {
				t.Fatalf("padded body is not JSON: %v", err)
			}
			var plainFields map[string]any
			_ = json.Unmarshal(plain.Body.Bytes(), &plainFields)
			for name := range plainFields {
				if _, ok := fields[name]; !ok {
					t.Errorf("padding lost the field %s", name)
				}
			}
		})
	}
}

func TestSetCookieKnobIsSentVerbatim(t *testing.T) {
	rec := serve(t, sampleapp.New(), http.MethodPost, "/api/pairs/create", "",
		sampleapp.HeaderSetCookie, "session=abc; Path=/; HttpOnly")

	expectStatus(t, rec, http.StatusCreated)
	if got := rec.Header().Get("Set-Cookie"); got != "session=abc; Path=/; HttpOnly" {
		t.Errorf("Set-Cookie = %q", got)
	}
}

func TestDelayKnobWaitsBeforeExecuting(t *testing.T) {
	app := sampleapp.New()
	start := time.Now()

	rec := serve(t, app, http.MethodPost, "/api/pairs/create", "", sampleapp.HeaderDelay, "20ms")

	expectStatus(t, rec, http.StatusCreated)
	if elapsed := time.Since(start); elapsed < 20*time.Millisecond {
		t.Errorf("answered after %s, want at least 20ms", elapsed)
	}
	if app.Total() != 1 {
		t.Errorf("side effects = %d, want 1", app.Total())
	}
}

func TestDelayKnobDoesNotExecuteACancelledRequest(t *testing.T) {
	app := sampleapp.New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/api/pairs/create", nil)
	req.Header.Set(sampleapp.HeaderDelay, "1m")
	rec := httptest.NewRecorder()

	app.ServeHTTP(rec, req)

	expectStatus(t, rec, http.StatusServiceUnavailable)
	if app.Total() != 0 {
		t.Errorf("a request cancelled during its delay was executed")
	}
}

func TestInvalidKnobsAreRefused(t *testing.T) {
	tests := []struct{ header, value string }{
		{sampleapp.HeaderDelay, "soon"},
		{sampleapp.HeaderDelay, "-1s"},
		{sampleapp.HeaderDelay, "2m"},
		{sampleapp.HeaderStatus, "oops"},
		{sampleapp.HeaderStatus, "199"},
		{sampleapp.HeaderStatus, "600"},
		{sampleapp.HeaderBodyBytes, "-1"},
		{sampleapp.HeaderBodyBytes, "1k"},
		{sampleapp.HeaderBodyBytes, "67108865"},
		{sampleapp.HeaderAbort, "maybe"},
	}
	for _, tt := range tests {
		t.Run(tt.header+" "+tt.value, func(t *testing.T) {
			app := sampleapp.New()

			rec := serve(t, app, http.MethodPost, "/api/pairs/create", "", tt.header, tt.value)

			expectStatus(t, rec, http.StatusBadRequest)
			if decode[errorBody](t, rec).Error == "" {
				t.Errorf("400 without an error message")
			}
			if app.Total() != 0 {
				t.Errorf("a request with an invalid knob recorded a side effect")
			}
		})
	}
}

func TestAbortKnobBreaksTheConnectionAfterTheSideEffect(t *testing.T) {
	app := sampleapp.New()
	srv := httptest.NewServer(app)
	defer srv.Close()

	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/activities/a1/accept", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(sampleapp.HeaderAbort, "1")
	req.Header.Set(sampleapp.HeaderBodyBytes, "4096")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("headers were not received: %v", err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)

	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading the body: err = %v, want %v", err, io.ErrUnexpectedEOF)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get(sampleapp.HeaderSeq) != "1" {
		t.Errorf("status %d, %s %q; want 200 and 1", resp.StatusCode, sampleapp.HeaderSeq,
			resp.Header.Get(sampleapp.HeaderSeq))
	}
	if len(body) != 2048 || resp.ContentLength != 4096 {
		t.Errorf("received %d of %d bytes, want 2048 of 4096", len(body), resp.ContentLength)
	}
	if app.Count(sampleapp.RouteActivityAccept) != 1 {
		t.Errorf("side effects = %d, want 1", app.Count(sampleapp.RouteActivityAccept))
	}
}

func TestAbortKnobPanicsInProcess(t *testing.T) {
	app := sampleapp.New()
	req := httptest.NewRequest(http.MethodPost, "/api/pairs/create", nil)
	req.Header.Set(sampleapp.HeaderAbort, "true")

	defer func() {
		if got := recover(); got != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", got)
		}
		if app.Total() != 1 {
			t.Errorf("side effects = %d, want 1", app.Total())
		}
	}()
	app.ServeHTTP(httptest.NewRecorder(), req)
}
