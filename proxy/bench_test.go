package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/idempotency-operator/idempotency-operator/proxy/store/memory"
)

// These benchmarks drive the proxy over real loopback sockets, as a
// client would, so that their ns/op can be compared with one another:
// passthrough against a protected route with new keys and with replays.
// make bench measures the same against separate processes.

func benchHarness(b *testing.B) (*harness, *http.Client) {
	b.Helper()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"pairId":"1","state":"created"}`)
	}))
	b.Cleanup(upstream.Close)
	t := &testing.T{}
	h := startProxy(t, &app{}, upstream.URL, memory.New(memory.Options{MaxBytes: benchStoreBytes}), `
  key: {bodyField: clientMutationId}
  routes: [{path: /api/pairs/create}]
`)
	b.Cleanup(func() {})
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	return h, c
}

func post(b *testing.B, c *http.Client, url, key string) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(`{"clientMutationId":null,"a":1,"b":[true,"x"]}`))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func BenchmarkPassthrough(b *testing.B) {
	h, c := benchHarness(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			post(b, c, h.url+"/api/other", "")
		}
	})
}

func BenchmarkProtectedNewKeys(b *testing.B) {
	h, c := benchHarness(b)
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			post(b, c, h.url+"/api/pairs/create", fmt.Sprintf("key-%d", n.Add(1)))
		}
	})
}

func BenchmarkProtectedReplays(b *testing.B) {
	h, c := benchHarness(b)
	post(b, c, h.url+"/api/pairs/create", "same")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			post(b, c, h.url+"/api/pairs/create", "same")
		}
	})
}

var benchStoreBytes int64 = 0
