package proxy_test

import (
	"testing"
)

func TestKeyReusedForADifferentRequestIs422(t *testing.T) {
	cases := map[string]struct {
		method, path, body string
		header             []string
	}{
		"different body":         {"POST", "/things/1/accept", `{"a":2}`, nil},
		"different actual path":  {"POST", "/things/2/accept", `{"a":1}`, nil},
		"different query":        {"POST", "/things/1/accept?x=1", `{"a":1}`, nil},
		"different method":       {"PUT", "/things/1/accept", `{"a":1}`, nil},
		"different content type": {"POST", "/things/1/accept", `{"a":1}`, []string{"Content-Type", "text/plain"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, `
  routes:
  - path: /things/{id}/accept
    methods: [POST, PUT]
`)
			h.do("POST", "/things/1/accept", `{"a":1}`, "Idempotency-Key", "k")
			hdr := append([]string{"Idempotency-Key", "k"}, c.header...)
			r := h.do(c.method, c.path, c.body, hdr...)
			wantStatus(t, r, 422, "key-reused")
			h.wantCalls(1)
		})
	}
}

func TestJSONBodiesAreComparedCanonically(t *testing.T) {
	h := newHarness(t, basicSpec)
	first := h.do("POST", "/things/1/accept", `{"a":1,"b":{"c":[1,2]}}`, "Idempotency-Key", "k")
	retry := h.do("POST", "/things/1/accept", "{ \"b\": {\"c\": [1, 2]},\n  \"a\": 1 }", "Idempotency-Key", "k")
	h.wantCalls(1)
	if !retry.replayed() || retry.body != first.body {
		t.Fatalf("reordered JSON was not recognised as the same request: %d %s", retry.status, retry.body)
	}
	reordered := h.do("POST", "/things/1/accept?b=2&a=1", "", "Idempotency-Key", "q")
	again := h.do("POST", "/things/1/accept?a=1&b=2", "", "Idempotency-Key", "q")
	if !again.replayed() || again.body != reordered.body {
		t.Fatal("reordered query parameters were not recognised as the same request")
	}
}

func TestMismatchWhileInFlightIs422(t *testing.T) {
	h := newHarness(t, basicSpec)
	h.app.block = make(chan struct{})
	done := make(chan response)
	go func() { done <- h.do("POST", "/things/1/accept", `{"a":1}`, "Idempotency-Key", "k") }()
	waitForCalls(t, h, 1)

	r := h.do("POST", "/things/1/accept", `{"a":2}`, "Idempotency-Key", "k")
	wantStatus(t, r, 422, "key-reused")
	close(h.app.block)
	wantStatus(t, <-done, 201, "")
	h.wantCalls(1)
}
