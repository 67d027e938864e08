package integration

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
	"github.com/idempotency-operator/idempotency-operator/proxy"
	"github.com/idempotency-operator/idempotency-operator/proxy/config"
	"github.com/idempotency-operator/idempotency-operator/proxy/stores"
	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

// The sample policies protect the nine mutation routes of the sample app;
// the tests run the proxy with them as a user would.
const (
	memoryPolicy = "../../config/samples/idempotency_v1alpha1_idempotencypolicy.yaml"
	redisPolicy  = "../../config/samples/idempotency_v1alpha1_idempotencypolicy_redis.yaml"
)

// keyHeader is the header the sample policies read the key from.
const keyHeader = "Idempotency-Key"

// slow makes the sample app wait before it executes a request, so that
// duplicates arrive while the first one runs.
func slow(d time.Duration) []string { return []string{sampleapp.HeaderDelay, d.String()} }

// upstream is the sample app served on a loopback socket.
type upstream struct {
	app *sampleapp.App
	url string
	// arrived counts the mutations that reached the app, as soon as they
	// arrive and before the app decides whether to run them.
	arrived atomic.Int64
}

// startApp serves a new sample app until the test ends.
func startApp(t *testing.T) *upstream {
	t.Helper()
	u := &upstream{app: sampleapp.New()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/") {
			u.arrived.Add(1)
		}
		u.app.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	u.url = srv.URL
	return u
}

// waitForArrivals polls until n mutations have reached the app.
func (u *upstream) waitForArrivals(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for u.arrived.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d mutations reached the app within 5s, want %d", u.arrived.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// proxySettings choose how a test proxy runs. The zero value is the memory
// sample policy with the proxy's default lease.
type proxySettings struct {
	// redisURL, when set, selects the Redis sample policy with its store
	// pointed at this URL.
	redisURL string
	// failOpen switches the policy's failureMode from Closed to Open.
	failOpen bool
	// lease is the proxy's claim lease; zero means the default.
	lease time.Duration
}

// startProxy serves a proxy in front of appURL until the test ends and
// returns its URL. Each proxy has its own store clients, as separate
// replicas would.
func startProxy(t *testing.T, appURL string, s proxySettings) string {
	t.Helper()
	policy := memoryPolicy
	if s.redisURL != "" {
		policy = redisPolicy
	}
	doc, err := config.LoadFiles([]string{policy})
	if err != nil {
		t.Fatalf("loading the sample policy: %v", err)
	}
	if s.failOpen {
		for i := range doc.Policies {
			doc.Policies[i].FailureMode = v1alpha1.FailureOpen
		}
	}

	opener := stores.New(stores.Options{Override: s.redisURL})
	t.Cleanup(func() { _ = opener.Close() })
	upstreamURL, err := url.Parse(appURL)
	if err != nil {
		t.Fatal(err)
	}
	px, err := proxy.New(proxy.Options{
		Upstream:  upstreamURL,
		OpenStore: opener.Open,
		Lease:     s.lease,
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("creating the proxy: %v", err)
	}
	if err := px.Load(doc); err != nil {
		t.Fatalf("loading the sample policy into the proxy: %v", err)
	}

	srv := httptest.NewServer(px)
	t.Cleanup(srv.Close)
	return srv.URL
}

// newKey returns an idempotency key no other request uses.
func newKey() string { return "key-" + rand.Text() }

// jsonBody encodes fields as a JSON object.
func jsonBody(t *testing.T, fields map[string]any) string {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// response is what a client saw.
type response struct {
	status int
	header http.Header
	body   string
}

// replayed reports whether the proxy answered from its store.
func (r response) replayed() bool { return r.header.Get(proxy.ReplayedHeader) == "true" }

// problemType is the short type of a problem document, such as
// "key-reused", or "" for any other body.
func (r response) problemType() string {
	var p struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal([]byte(r.body), &p)
	return strings.TrimPrefix(p.Type, proxy.ProblemTypeBase)
}

// field returns a top-level field of a JSON body as text: "accepted", "1".
func (r response) field(t *testing.T, name string) string {
	t.Helper()
	var fields map[string]any
	if err := json.Unmarshal([]byte(r.body), &fields); err != nil {
		t.Fatalf("response body %q is not a JSON object: %v", r.body, err)
	}
	v, ok := fields[name]
	if !ok {
		t.Fatalf("response body %s has no field %q", r.body, name)
	}
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// client keeps enough connections open for the concurrent tests, shows
// redirects instead of following them, and gives up on a hung request.
var client = &http.Client{
	Transport: &http.Transport{
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 512,
		IdleConnTimeout:     30 * time.Second,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       20 * time.Second,
}

// request is one request to send; header holds name, value pairs.
type request struct {
	method string
	url    string
	body   string
	header []string
}

// send sends r. It is safe to call from any goroutine.
func send(r request) (response, error) {
	req, err := http.NewRequest(r.method, r.url, strings.NewReader(r.body))
	if err != nil {
		return response{}, err
	}
	if r.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(r.header); i += 2 {
		req.Header.Set(r.header[i], r.header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(body)}, nil
}

// post sends a POST with a JSON body to base+path.
func post(t *testing.T, base, path, body string, header ...string) response {
	t.Helper()
	r, err := send(request{method: http.MethodPost, url: base + path, body: body, header: header})
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return r
}

// timedPost is post that also says how long the answer took.
func timedPost(t *testing.T, base, path, body string, header ...string) (response, time.Duration) {
	t.Helper()
	start := time.Now()
	r := post(t, base, path, body, header...)
	return r, time.Since(start)
}

// burst sends all requests at once: every sender waits for one signal, so
// the duplicates reach the proxies together rather than one by one.
func burst(t *testing.T, reqs []request) []response {
	t.Helper()
	out := make([]response, len(reqs))
	errs := make([]error, len(reqs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Go(func() {
			<-start
			out[i], errs[i] = send(r)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d of the burst: %v", i, err)
		}
	}
	return out
}

// wantStatus fails the test unless r has the status and, when problem is
// set, is a problem document of that type.
func wantStatus(t *testing.T, r response, status int, problem string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if problem == "" {
		return
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, r.body)
	}
	if got := r.problemType(); got != problem {
		t.Fatalf("problem type = %q, want %q; body %s", got, problem, r.body)
	}
}

// wantReplayOf fails the test unless retry is a replay of first: the same
// status, body and stored headers, marked as replayed.
func wantReplayOf(t *testing.T, first, retry response) {
	t.Helper()
	if first.replayed() {
		t.Fatalf("the first request was answered as a replay: %s", first.body)
	}
	if !retry.replayed() {
		t.Fatalf("the retry was not marked %s: true; it got %d %s",
			proxy.ReplayedHeader, retry.status, retry.body)
	}
	if retry.status != first.status || retry.body != first.body {
		t.Fatalf("the retry got %d %s, want the first response %d %s",
			retry.status, retry.body, first.status, first.body)
	}
	for _, h := range []string{"Content-Type", "Location"} {
		if retry.header.Get(h) != first.header.Get(h) {
			t.Fatalf("the retry's %s is %q, want the first response's %q",
				h, retry.header.Get(h), first.header.Get(h))
		}
	}
}

// wantCount fails the test unless the app ran route want times.
func wantCount(t *testing.T, u *upstream, route string, want int64) {
	t.Helper()
	if got := u.app.Count(route); got != want {
		t.Fatalf("the app ran %s %d times, want %d", route, got, want)
	}
}
