package proxy_test

import (
	"strings"
	"testing"
)

const basicSpec = `
  key: {bodyField: clientMutationId}
  replayHeaders: [X-Custom]
  routes:
  - path: /things/{id}/accept
  - path: /required
    required: true
  - path: /reject
    concurrency: Reject
  - path: /short-wait
    waitTimeout: 100ms
`

func TestRetryWithSameKeyReplaysWithoutCallingTheApp(t *testing.T) {
	h := newHarness(t, basicSpec)
	first := h.do("POST", "/things/1/accept", `{"a":1}`, "Idempotency-Key", "k1")
	second := h.do("POST", "/things/1/accept", `{"a":1}`, "Idempotency-Key", "k1")

	h.wantCalls(1)
	wantStatus(t, first, 201, "")
	wantStatus(t, second, 201, "")
	if first.replayed() || !second.replayed() {
		t.Fatalf("Idempotent-Replayed: first %q, second %q; want only the second",
			first.header.Get("Idempotent-Replayed"), second.header.Get("Idempotent-Replayed"))
	}
	if first.body != second.body {
		t.Fatalf("replayed body %q differs from the original %q", second.body, first.body)
	}
	for _, name := range []string{"Content-Type", "Location", "Etag", "X-Custom"} {
		if first.header.Get(name) == "" || first.header.Get(name) != second.header.Get(name) {
			t.Errorf("header %s: original %q, replay %q", name, first.header.Get(name), second.header.Get(name))
		}
	}
	if first.header.Get("Set-Cookie") == "" {
		t.Fatal("the original response lost its Set-Cookie")
	}
	if c := second.header.Get("Set-Cookie"); c != "" {
		t.Errorf("replay carries Set-Cookie %q; cookies are never replayed", c)
	}
}

func TestQuotedAndBareKeysAreTheSameKey(t *testing.T) {
	h := newHarness(t, basicSpec)
	h.do("POST", "/things/1/accept", "", "Idempotency-Key", `"abc"`)
	r := h.do("POST", "/things/1/accept", "", "Idempotency-Key", `abc`)
	h.wantCalls(1)
	if !r.replayed() {
		t.Fatal(`"abc" and abc were treated as different keys`)
	}
}

func TestDifferentKeysExecuteSeparately(t *testing.T) {
	h := newHarness(t, basicSpec)
	a := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "a")
	b := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "b")
	h.wantCalls(2)
	if a.body == b.body || b.replayed() {
		t.Fatal("a new key was answered from another key's record")
	}
}

func TestKeysAreScopedToTheCaller(t *testing.T) {
	h := newHarness(t, basicSpec)
	alice := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k", "Authorization", "Bearer alice")
	bob := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k", "Authorization", "Bearer bob")
	h.wantCalls(2)
	if bob.replayed() || bob.body == alice.body {
		t.Fatal("one caller received another caller's response")
	}
	again := h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k", "Authorization", "Bearer alice")
	if !again.replayed() || again.body != alice.body {
		t.Fatal("the same caller's retry was not replayed")
	}
}

func TestKeysAreScopedToTheRoute(t *testing.T) {
	h := newHarness(t, basicSpec)
	h.do("POST", "/things/1/accept", "", "Idempotency-Key", "k")
	r := h.do("POST", "/required", "", "Idempotency-Key", "k")
	h.wantCalls(2)
	if r.replayed() {
		t.Fatal("a key used on one route was replayed on another")
	}
}

func TestMalformedKeysAreRejectedBeforeTheApp(t *testing.T) {
	h := newHarness(t, basicSpec)
	cases := map[string][]string{
		"empty quoted": {"Idempotency-Key", `""`},
		"too long":     {"Idempotency-Key", strings.Repeat("k", 256)},
		"not ascii":    {"Idempotency-Key", "clé"},
		"bad quoting":  {"Idempotency-Key", `"abc`},
		"inner space":  {"Idempotency-Key", `a b`},
		"given twice":  {"Idempotency-Key", "a", "Idempotency-Key", "b"},
		"bad escape":   {"Idempotency-Key", `"a\b"`},
	}
	for name, hdr := range cases {
		r := h.do("POST", "/things/1/accept", "", hdr...)
		if r.status != 400 || r.problemType() != "key-invalid" {
			t.Errorf("%s: status %d, problem %q; want 400 key-invalid", name, r.status, r.problemType())
		}
	}
	h.wantCalls(0)
}

func TestRequiredRouteRejectsMissingKey(t *testing.T) {
	h := newHarness(t, basicSpec)
	r := h.do("POST", "/required", "")
	wantStatus(t, r, 400, "key-missing")
	h.wantCalls(0)
	if !strings.Contains(r.body, "Idempotency-Key") {
		t.Errorf("problem detail %s does not name the header to send", r.body)
	}
}

func TestOptionalRouteWithoutKeyPassesThroughUnprotected(t *testing.T) {
	h := newHarness(t, basicSpec)
	a := h.do("POST", "/things/1/accept", "")
	b := h.do("POST", "/things/1/accept", "")
	h.wantCalls(2)
	if a.replayed() || b.replayed() || a.body == b.body {
		t.Fatal("requests without a key were treated as duplicates")
	}
}

func TestKeyFromBodyField(t *testing.T) {
	h := newHarness(t, basicSpec)
	first := h.do("POST", "/things/1/accept", `{"clientMutationId":"m1","x":1}`)
	retry := h.do("POST", "/things/1/accept", `{"x":1, "clientMutationId":"m1"}`)
	h.wantCalls(1)
	if !retry.replayed() || retry.body != first.body {
		t.Fatal("a retry keyed by the body field was not replayed")
	}
}

func TestKeyFromJSONPointer(t *testing.T) {
	h := newHarness(t, `
  key: {bodyField: /input/clientMutationId}
  routes: [{path: /graphql}]
`)
	body := `{"input":{"clientMutationId":"m1"},"query":"mutation"}`
	h.do("POST", "/graphql", body)
	r := h.do("POST", "/graphql", body)
	h.wantCalls(1)
	if !r.replayed() {
		t.Fatal("a key at a JSON pointer was not used")
	}
}

func TestHeaderKeyWinsAndMustAgreeWithBodyField(t *testing.T) {
	h := newHarness(t, basicSpec)
	same := h.do("POST", "/things/1/accept", `{"clientMutationId":"k"}`, "Idempotency-Key", "k")
	wantStatus(t, same, 201, "")
	differ := h.do("POST", "/things/1/accept", `{"clientMutationId":"other"}`, "Idempotency-Key", "k")
	wantStatus(t, differ, 400, "key-ambiguous")
	h.wantCalls(1)
}

func TestBodyFieldErrors(t *testing.T) {
	h := newHarness(t, basicSpec)
	wantStatus(t, h.do("POST", "/required", `{"clientMutationId":`), 400, "body-invalid")
	wantStatus(t, h.do("POST", "/things/1/accept", `{"clientMutationId":42}`), 400, "key-invalid")
	wantStatus(t, h.do("POST", "/things/1/accept", `{"clientMutationId":""}`), 400, "key-invalid")
	h.wantCalls(0)
}

func TestBodyWithoutReadableKeyPassesThroughWhenKeyIsOptional(t *testing.T) {
	h := newHarness(t, basicSpec)
	for range 2 {
		r := h.do("POST", "/things/1/accept", "a=1&b=2", "Content-Type", "application/x-www-form-urlencoded")
		wantStatus(t, r, 201, "")
		if r.replayed() {
			t.Fatal("a request without a key was replayed")
		}
	}
	h.wantCalls(2)
}
