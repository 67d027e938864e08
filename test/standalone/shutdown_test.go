package standalone

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// inFlight is a request sent in the background.
type inFlight struct {
	// sent is closed once the whole request has been written.
	sent chan struct{}
	// done delivers the response, or the error, once it ends.
	done chan result
}

// result is how a request ended.
type result struct {
	response response
	err      error
}

// sendInBackground posts to url with key on a connection of its own and
// returns at once.
func sendInBackground(t *testing.T, url, key string, header ...string) *inFlight {
	t.Helper()
	f := &inFlight{sent: make(chan struct{}), done: make(chan result, 1)}
	var once sync.Once
	trace := &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { once.Do(func() { close(f.sent) }) },
	}
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}

	go func() {
		resp, err := c.Do(req)
		if err != nil {
			f.done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			f.done <- result{err: err}
			return
		}
		f.done <- result{response: response{
			status: resp.StatusCode, header: resp.Header, body: string(body),
		}}
	}()
	return f
}

// waitSent waits until the request has been written to the server.
func (f *inFlight) waitSent(t *testing.T) {
	t.Helper()
	select {
	case <-f.sent:
	case r := <-f.done:
		t.Fatalf("the request ended before it was sent: %v", r.err)
	case <-time.After(startTimeout):
		t.Fatalf("the request was not sent within %s", startTimeout)
	}
}

// wait waits for the request to end.
func (f *inFlight) wait(t *testing.T) result {
	t.Helper()
	select {
	case r := <-f.done:
		return r
	case <-time.After(exitTimeout):
		t.Fatalf("the request did not end within %s", exitTimeout)
		return result{}
	}
}

// waitAccepted returns once the server at base has accepted every
// connection opened to it so far. A server accepts connections in the
// order they arrive, so when a request on a new connection is answered, the
// earlier ones have been taken in, and a graceful shutdown waits for them
// rather than dropping them with the listener.
func waitAccepted(t *testing.T, base string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: exitTimeout}
	if r := do(t, c, req); r.status != http.StatusOK {
		t.Fatalf("GET %s/healthz = %s, want 200", base, r)
	}
}

// hostOf returns the host:port of a base URL.
func hostOf(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// waitRefused waits until a new connection to addr is refused.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	eventually(t, exitTimeout, "new connections to "+addr+" are refused", func() (bool, string) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return errors.Is(err, syscall.ECONNREFUSED), err.Error()
		}
		conn.Close()
		return false, "connection accepted"
	})
}

func TestSigtermLetsTheInFlightRequestFinishAndRefusesNewConnections(t *testing.T) {
	t.Parallel()
	const shutdownTimeout = 10 * time.Second
	app, px := startDemo(t, "--shutdown-timeout", shutdownTimeout.String())

	slow := sendInBackground(t, px.url+pairCreate, "slow-1", "X-Sample-Delay", "1500ms")
	slow.waitSent(t)
	waitAccepted(t, px.url)
	signalled := time.Now()
	px.signal(syscall.SIGTERM)

	waitRefused(t, hostOf(t, px.url))
	select {
	case r := <-slow.done:
		t.Fatalf("the slow request ended before the listener closed, "+
			"so the drain was not observed: %v %v", r.response, r.err)
	default:
	}

	r := slow.wait(t)
	if r.err != nil || r.response.status != http.StatusCreated {
		t.Errorf("the in-flight request got %v %v, want 201", r.response, r.err)
	}
	if code := px.waitExit(shutdownTimeout); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	if took := time.Since(signalled); took >= shutdownTimeout {
		t.Errorf("the proxy took %s to stop, longer than --shutdown-timeout %s", took, shutdownTimeout)
	}
	px.waitForLog(`"msg":"Draining in-flight requests"`)
	px.waitForLog(`"msg":"Stopped"`)
	app.wantEffects(pairCreateRoute, 1)
}

func TestSigtermCutsOffARequestThatOutlastsTheShutdownTimeout(t *testing.T) {
	t.Parallel()
	_, px := startDemo(t, "--shutdown-timeout", "200ms")

	slow := sendInBackground(t, px.url+pairCreate, "slow-1", "X-Sample-Delay", "5s")
	slow.waitSent(t)
	waitAccepted(t, px.url)
	px.signal(syscall.SIGTERM)

	if code := px.waitExit(exitTimeout); code != 1 {
		t.Errorf("exit status %d, want 1: the drain ran out of time", code)
	}
	if r := slow.wait(t); r.err == nil {
		t.Errorf("the cut-off request got %s, want a broken connection", r.response)
	}
	px.waitForLog("context deadline exceeded")
}

func TestSampleAppFinishesItsInFlightRequestAndExitsCleanlyOnSigterm(t *testing.T) {
	t.Parallel()
	app := startSampleApp(t)

	slow := sendInBackground(t, app.url+pairCreate, "unused", "X-Sample-Delay", "500ms")
	slow.waitSent(t)
	waitAccepted(t, app.url)
	app.signal(syscall.SIGTERM)

	r := slow.wait(t)
	if r.err != nil || r.response.status != http.StatusCreated {
		t.Errorf("the in-flight request got %v %v, want 201", r.response, r.err)
	}
	if code := app.waitExit(exitTimeout); code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	app.waitForLog(`msg="Shutting down"`)
}
