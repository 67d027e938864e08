package proxy_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/memory"
)

func TestWhichResponsesAreStored(t *testing.T) {
	cases := []struct {
		status int
		stored bool
	}{
		{200, true}, {201, true}, {204, true}, {302, true}, {400, true}, {404, true}, {409, true}, {422, true},
		{408, false}, {425, false}, {429, false}, {500, false}, {502, false}, {503, false},
	}
	for _, c := range cases {
		t.Run(strconv.Itoa(c.status), func(t *testing.T) {
			h := newHarness(t, basicSpec)
			first := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k", "X-Status", strconv.Itoa(c.status))
			retry := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k", "X-Status", strconv.Itoa(c.status))
			wantStatus(t, first, c.status, "")
			wantStatus(t, retry, c.status, "")
			if c.stored {
				h.wantCalls(1)
				if !retry.replayed() || retry.body != first.body {
					t.Fatalf("a %d response was not replayed", c.status)
				}
			} else {
				h.wantCalls(2)
				if retry.replayed() {
					t.Fatalf("a %d response was replayed; the retry must execute again", c.status)
				}
			}
		})
	}
}

func TestBrokenUpstreamResponseReleasesTheClaim(t *testing.T) {
	h := newHarness(t, basicSpec)
	req, _ := http.NewRequest("POST", h.url+"/things/1/accept", nil)
	req.Header.Set("Idempotency-Key", "k")
	req.Header.Set("X-Abort", "1")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Fatal("the client received a cut response as if it were whole")
	}

	retry := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k")
	wantStatus(t, retry, 201, "")
	if retry.replayed() {
		t.Fatal("a broken response was replayed")
	}
	h.wantCalls(2)
}

func TestUnreachableUpstreamIs502AndReleases(t *testing.T) {
	a := &app{}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now
	h := startProxy(t, a, "http://"+addr, memory.New(memory.Options{}), basicSpec)
	wantStatus(t, h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k"), 502, "upstream-unavailable")

	// The application comes up on that address: the retry executes.
	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	srv := &httptest.Server{Listener: ln2, Config: &http.Server{Handler: a}}
	srv.Start()
	defer srv.Close()
	r := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k")
	wantStatus(t, r, 201, "")
	h.wantCalls(1)
}

func TestUpstreamTimeoutIs504AndReleases(t *testing.T) {
	h := newHarness(t, basicSpec, func(o *proxy.Options) { o.UpstreamTimeout = 100 * time.Millisecond })
	r := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k", "X-Delay", "300ms")
	wantStatus(t, r, 504, "upstream-timeout")
	before := h.app.calls.Load()
	retry := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k")
	wantStatus(t, retry, 201, "")
	// On a busy machine the timed-out request may not have reached the
	// application at all; what must hold is that the retry ran.
	if retry.replayed() || h.app.calls.Load() < before+1 {
		t.Fatalf("the retry after a timeout was not executed (replayed %v, calls %d -> %d)",
			retry.replayed(), before, h.app.calls.Load())
	}
}

func TestLargeResponseIsDeliveredOnceAndNeverReplayedTruncated(t *testing.T) {
	h := newHarness(t, `
  maxResponseBytes: 1000
  routes: [{path: /big}]
`)
	first := h.do("POST", "/big", "", "Idempotency-Key", "k", "X-Body-Bytes", "5000")
	wantStatus(t, first, 201, "")
	if len(first.body) != 5000 {
		t.Fatalf("the first caller got %d bytes, want all 5000", len(first.body))
	}
	retry := h.do("POST", "/big", "", "Idempotency-Key", "k", "X-Body-Bytes", "5000")
	wantStatus(t, retry, 409, "response-not-stored")
	if !strings.Contains(retry.body, `"originalStatus":201`) {
		t.Errorf("problem %s does not report the original status", retry.body)
	}
	if retry.header.Get("Location") != first.header.Get("Location") {
		t.Errorf("Location %q, want the original %q", retry.header.Get("Location"), first.header.Get("Location"))
	}
	h.wantCalls(1)

	fits := h.do("POST", "/big", "", "Idempotency-Key", "small", "X-Body-Bytes", "1000")
	if again := h.do("POST", "/big", "", "Idempotency-Key", "small", "X-Body-Bytes", "1000"); !again.replayed() || again.body != fits.body {
		t.Fatal("a response exactly at the limit was not replayed")
	}
}

func TestLargeRequestBodyIs413(t *testing.T) {
	h := newHarness(t, `
  maxRequestBytes: 100
  routes: [{path: /upload}]
`)
	r := h.do("POST", "/upload", `{"pad":"`+strings.Repeat("x", 200)+`"}`, "Idempotency-Key", "k")
	wantStatus(t, r, 413, "body-too-large")
	h.wantCalls(0)
}

func TestClientDisconnectDoesNotCancelTheMutation(t *testing.T) {
	h := newHarness(t, basicSpec)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", h.url+"/things/1/accept", nil)
	req.Header.Set("Idempotency-Key", "k")
	req.Header.Set("X-Delay", "200ms")
	go func() {
		waitForCalls(t, h, 1)
		cancel()
	}()
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the request was not cancelled")
	}

	retry := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k", "X-Delay", "200ms")
	wantStatus(t, retry, 201, "")
	if !retry.replayed() {
		t.Fatal("the retry executed again although the first request completed after the client left")
	}
	h.wantCalls(1)
}

func TestUnprotectedRoutesStreamUnbuffered(t *testing.T) {
	release := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "first chunk\n")
		w.(http.Flusher).Flush()
		<-release
		_, _ = io.WriteString(w, "second chunk\n")
	}))
	defer upstream.Close()
	h := startProxy(t, &app{}, upstream.URL, memory.New(memory.Options{}), basicSpec)

	resp, err := http.Get(h.url + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || line != "first chunk\n" {
		t.Fatalf("first chunk = %q, %v; the proxy held the stream back", line, err)
	}
	close(release)
}

func TestUpstreamRequestIsNeverResent(t *testing.T) {
	// The application reads each request, then drops the connection
	// without answering: the way a crash after a commit looks from the
	// proxy. net/http's transport would re-send such a request on a fresh
	// connection if it thought the request replayable.
	var seen atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					if seen.Add(1) > 1 {
						return // the second request on this connection: drop it
					}
					_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
			}()
		}
	}()
	h := startProxy(t, &app{}, "http://"+ln.Addr().String(), memory.New(memory.Options{}), basicSpec)

	wantStatus(t, h.do("POST", "/things/1/accept", "", "Idempotency-Key", "a"), 200, "")
	for i, tc := range []struct{ path, body string }{
		{"/things/1/accept", ""},        // protected, no body
		{"/things/1/accept", `{"x":1}`}, // protected, with a body
		{"/unprotected", ""},            // passed through, still keyed
	} {
		before := seen.Load()
		r := h.do("POST", tc.path, tc.body, "Idempotency-Key", "b"+strconv.Itoa(i))
		if got := seen.Load() - before; got != 1 {
			t.Fatalf("POST %s reached the application %d times, want once (status %d)", tc.path, got, r.status)
		}
		wantStatus(t, r, 502, "")
	}
}

func TestAuditModeNeverBlocksOrReplays(t *testing.T) {
	h := newHarness(t, `
  mode: Audit
  routes:
  - path: /things/{id}/accept
    required: true
`)
	a := h.do("POST", "/things/1/accept", `{"a":1}`, "Idempotency-Key", "k")
	b := h.do("POST", "/things/1/accept", `{"a":1}`, "Idempotency-Key", "k")
	c := h.do("POST", "/things/1/accept", `{"a":2}`, "Idempotency-Key", "k")
	d := h.do("POST", "/things/1/accept", `{"a":1}`)
	for _, r := range []response{a, b, c, d} {
		wantStatus(t, r, 201, "")
		if r.replayed() {
			t.Fatal("Audit mode replayed a response")
		}
	}
	h.wantCalls(4)
	route := map[string]string{"policy": "ns/test", "route": "POST /things/{id}/accept"}
	for outcome, want := range map[string]float64{
		"executed": 1, "audit_would_replay": 1, "audit_would_mismatch": 1, "audit_would_reject": 1,
	} {
		route["outcome"] = outcome
		if got := h.counter("idempotency_requests_total", route); got != want {
			t.Errorf("idempotency_requests_total{outcome=%q} = %v, want %v", outcome, got, want)
		}
	}
}

func TestForwardedHeadersAreTheSameOnEveryPath(t *testing.T) {
	seen := make(chan http.Header, 2)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Clone()
	}))
	defer upstream.Close()
	h := startProxy(t, &app{}, upstream.URL, memory.New(memory.Options{}), basicSpec)

	hdr := []string{"X-Forwarded-For", "203.0.113.7", "X-Forwarded-Proto", "https", "Idempotency-Key", "k"}
	h.do("POST", "/things/1/accept", "", hdr...) // protected
	h.do("POST", "/elsewhere", "", hdr...)       // passed through
	protected, passed := <-seen, <-seen
	for _, name := range []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"} {
		if protected.Get(name) != passed.Get(name) {
			t.Errorf("%s: protected path sent %q, pass-through %q", name, protected.Get(name), passed.Get(name))
		}
	}
	if got := protected.Get("X-Forwarded-For"); got != "203.0.113.7, 127.0.0.1" {
		t.Errorf("X-Forwarded-For = %q, want the client's chain extended", got)
	}
	if got := protected.Get("X-Forwarded-Proto"); got != "https" {
		t.Errorf("X-Forwarded-Proto = %q, want the front proxy's https kept", got)
	}
}
