package standalone

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// response is what a client saw.
type response struct {
	status int
	header http.Header
	body   string
}

// String shows the response in a failure message.
func (r response) String() string {
	return fmt.Sprintf("%d %s", r.status, strings.TrimSpace(r.body))
}

// replayed reports whether the proxy answered from its store.
func (r response) replayed() bool {
	return r.header.Get("Idempotent-Replayed") == "true"
}

// problemType is the last segment of a problem document's type URI.
func (r response) problemType() string {
	var p struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal([]byte(r.body), &p)
	return p.Type[strings.LastIndex(p.Type, "/")+1:]
}

// client shows redirects to the test instead of following them.
var client = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// send makes one request; header holds name, value pairs.
func send(t *testing.T, method, url, body string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return do(t, client, req)
}

// do sends req with c and reads the whole response.
func do(t *testing.T, c *http.Client, req *http.Request) response {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// get makes a GET request.
func get(t *testing.T, url string) response {
	t.Helper()
	return send(t, http.MethodGet, url, "")
}

// post sends a JSON body with an Idempotency-Key; an empty key sends none.
func post(t *testing.T, url, key, body string, header ...string) response {
	t.Helper()
	if key != "" {
		header = append(header, "Idempotency-Key", key)
	}
	return send(t, http.MethodPost, url, body, header...)
}

// wantReplay fails the test unless retry is a replay of first: the same
// status and body, marked Idempotent-Replayed.
func wantReplay(t *testing.T, first, retry response) {
	t.Helper()
	if first.replayed() {
		t.Errorf("the first request was marked replayed: %s", first)
	}
	if !retry.replayed() || retry.status != first.status || retry.body != first.body {
		t.Errorf("the retry was not a replay of the first response\nfirst: %s\nretry: %s (replayed %t)",
			first, retry, retry.replayed())
	}
}

// wantExecutedTwice fails the test unless neither response is a replay,
// as when the route is not protected and the retry ran again.
func wantExecutedTwice(t *testing.T, first, retry response) {
	t.Helper()
	if first.replayed() || retry.replayed() || first.body == retry.body {
		t.Errorf("the retry was not executed again\nfirst: %s\nretry: %s (replayed %t)",
			first, retry, retry.replayed())
	}
}
