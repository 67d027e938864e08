package proxy_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/idempotency-operator/idempotency-operator/proxy"
	"github.com/idempotency-operator/idempotency-operator/proxy/config"
	"github.com/idempotency-operator/idempotency-operator/proxy/store"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/memory"
)

// app is an upstream that counts the requests it executes. Request headers
// steer it: X-Status sets the status, X-Delay sleeps first, X-Body-Bytes
// pads the body, X-Abort breaks the connection after part of the body.
type app struct {
	calls atomic.Int64
	// block, when set, holds every request until it is closed.
	block chan struct{}
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := a.calls.Add(1)
	body, _ := io.ReadAll(r.Body)
	if a.block != nil {
		<-a.block
	}
	if d, err := time.ParseDuration(r.Header.Get("X-Delay")); err == nil {
		time.Sleep(d)
	}
	status := http.StatusCreated
	if s, err := strconv.Atoi(r.Header.Get("X-Status")); err == nil {
		status = s
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Location", fmt.Sprintf("/things/%d", n))
	h.Set("Etag", fmt.Sprintf(`"v%d"`, n))
	h.Set("Set-Cookie", fmt.Sprintf("session=%d", n))
	h.Set("X-Custom", fmt.Sprintf("c%d", n))
	resp := fmt.Sprintf(`{"call":%d,"method":%q,"path":%q,"body":%q}`, n, r.Method, r.URL.Path, body)
	if size, err := strconv.Atoi(r.Header.Get("X-Body-Bytes")); err == nil && size > len(resp) {
		resp += strings.Repeat(" ", size-len(resp))
	}
	if r.Header.Get("X-Abort") != "" {
		h.Set("Content-Length", strconv.Itoa(len(resp)+100))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, resp[:len(resp)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, resp)
}

type harness struct {
	t       *testing.T
	app     *app
	px      *proxy.Proxy
	url     string
	store   store.Store
	metrics *prometheus.Registry
}

type harnessOption func(*proxy.Options)

// newHarness starts the app and a proxy in front of it, on real sockets,
// with policy (the spec of one IdempotencyPolicy) loaded.
func newHarness(t *testing.T, spec string, opts ...harnessOption) *harness {
	t.Helper()
	a := &app{}
	upstream := httptest.NewServer(a)
	t.Cleanup(upstream.Close)
	return startProxy(t, a, upstream.URL, memory.New(memory.Options{}), spec, opts...)
}

func startProxy(t *testing.T, a *app, upstreamURL string, st store.Store, spec string, opts ...harnessOption) *harness {
	t.Helper()
	u, _ := url.Parse(upstreamURL)
	reg := prometheus.NewRegistry()
	o := proxy.Options{
		Upstream:  u,
		OpenStore: func(config.Store) (store.Store, error) { return st, nil },
		Metrics:   proxy.NewMetrics(reg),
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, opt := range opts {
		opt(&o)
	}
	px, err := proxy.New(o)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "policy.yaml")
	policy := "apiVersion: idempotency.io/v1alpha1\nkind: IdempotencyPolicy\nmetadata: {name: test, namespace: ns}\nspec:\n" + spec
	if err := os.WriteFile(path, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	doc, err := config.LoadFiles([]string{path})
	if err != nil {
		t.Fatalf("policy does not load: %v\n%s", err, policy)
	}
	if err := px.Load(doc); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(px)
	t.Cleanup(srv.Close)
	return &harness{t: t, app: a, px: px, url: srv.URL, store: st, metrics: reg}
}

// response is what a client saw.
type response struct {
	status int
	header http.Header
	body   string
}

func (r response) problemType() string {
	var p struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal([]byte(r.body), &p)
	return strings.TrimPrefix(p.Type, proxy.ProblemTypeBase)
}

func (r response) replayed() bool { return r.header.Get(proxy.ReplayedHeader) == "true" }

// client shows redirects to the test instead of following them.
var client = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// do sends a request; header pairs are name, value, name, value...
func (h *harness) do(method, path, body string, header ...string) response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// concurrently sends n copies of a request at once and returns the
// responses.
func (h *harness) concurrently(n int, method, path, body string, header ...string) []response {
	h.t.Helper()
	out := make([]response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = h.do(method, path, body, header...)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

func (h *harness) wantCalls(want int64) {
	h.t.Helper()
	if got := h.app.calls.Load(); got != want {
		h.t.Fatalf("the application executed %d requests, want %d", got, want)
	}
}

func wantStatus(t *testing.T, r response, status int, problem string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if problem == "" {
		return
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json", ct)
	}
	if got := r.problemType(); got != problem {
		t.Fatalf("problem type = %q, want %q; body %s", got, problem, r.body)
	}
}

// counter reads a metric's value from the harness registry.
func (h *harness) counter(name string, labels map[string]string) float64 {
	h.t.Helper()
	families, err := h.metrics.Gather()
	if err != nil {
		h.t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue next
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
