package v1alpha1_test

import (
	"strings"
	"testing"
)

// policy wraps a spec, written as YAML starting at column zero, into a
// complete IdempotencyPolicy manifest.
func policy(spec string) string {
	var b strings.Builder
	b.WriteString("apiVersion: idempotency.io/v1alpha1\n")
	b.WriteString("kind: IdempotencyPolicy\n")
	b.WriteString("metadata:\n  name: orders\n  namespace: shop\n")
	b.WriteString("spec:\n")
	for _, line := range strings.Split(strings.TrimSpace(spec), "\n") {
		b.WriteString("  " + line + "\n")
	}
	return b.String()
}

// rejection is a manifest the API server must refuse, the messages a user
// must see, and the one constraint in the CRD that refuses it.
type rejection struct {
	name     string
	manifest string
	want     []string
	by       constraint
}

var rejections = []rejection{
	{
		name:     "routes missing",
		manifest: policy(`ttl: 1h`),
		want:     []string{`spec.routes: Required value`},
		by:       requiredProperty("spec", "routes"),
	},
	{
		name:     "routes empty",
		manifest: policy(`routes: []`),
		want:     []string{`spec.routes: Invalid value: 0: spec.routes in body should have at least 1 items`},
		by:       schemaCheck("spec.routes", "minItems"),
	},
	{
		name:     "path without a leading slash",
		manifest: policy(`routes: [{path: orders}]`),
		want:     []string{`spec.routes[0].path: Invalid value: "orders": spec.routes[0].path in body should match`},
		by:       schemaCheck("spec.routes[].path", "pattern"),
	},
	{
		name:     "empty path",
		manifest: policy(`routes: [{path: ""}]`),
		want:     []string{`spec.routes[0].path: Invalid value: "": spec.routes[0].path in body should be at least 1 chars long`},
		by:       schemaCheck("spec.routes[].path", "minLength"),
	},
	{
		name:     "path with an empty parameter",
		manifest: policy(`routes: [{path: "/orders/{}"}]`),
		want:     []string{`spec.routes[0].path: Invalid value: "/orders/{}"`},
		by:       schemaCheck("spec.routes[].path", "pattern"),
	},
	{
		name:     "path with a space in a parameter",
		manifest: policy(`routes: [{path: "/orders/{a b}"}]`),
		want:     []string{`spec.routes[0].path: Invalid value: "/orders/{a b}"`},
		by:       schemaCheck("spec.routes[].path", "pattern"),
	},
	{
		name:     "path with a rest parameter before the last segment",
		manifest: policy(`routes: [{path: "/files/{rest...}/meta"}]`),
		want:     []string{`spec.routes[0].path: Invalid value: "/files/{rest...}/meta"`},
		by:       schemaCheck("spec.routes[].path", "pattern"),
	},
	{
		name:     "path with an empty segment",
		manifest: policy(`routes: [{path: "/orders//items"}]`),
		want:     []string{`spec.routes[0].path: Invalid value: "/orders//items"`},
		by:       schemaCheck("spec.routes[].path", "pattern"),
	},
	{
		name:     "path that is two slashes",
		manifest: policy(`routes: [{path: "//"}]`),
		want:     []string{`spec.routes[0].path: Invalid value: "//"`},
		by:       schemaCheck("spec.routes[].path", "pattern"),
	},
	{
		name:     "path segment mixing a parameter and text",
		manifest: policy(`routes: [{path: "/orders/{id}:cancel"}]`),
		want:     []string{`spec.routes[0].path: Invalid value: "/orders/{id}:cancel"`},
		by:       schemaCheck("spec.routes[].path", "pattern"),
	},
	{
		name:     "parameter name starting with a digit",
		manifest: policy(`routes: [{path: "/orders/{1st}"}]`),
		want:     []string{`spec.routes[0].path: Invalid value: "/orders/{1st}"`},
		by:       schemaCheck("spec.routes[].path", "pattern"),
	},
	{
		name: "two routes with the same path and default method",
		manifest: policy(`
routes:
- path: /orders
- path: /orders
`),
		want: []string{`spec.routes: Invalid value: two routes share the same path and method`},
		by:   celRule("spec.routes", "two routes share the same path and method"),
	},
	{
		name: "two routes with the same path sharing one of their methods",
		manifest: policy(`
routes:
- path: /orders/{id}
  methods: [PUT, PATCH]
- path: /orders/{id}
  methods: [DELETE, PATCH]
`),
		want: []string{`spec.routes: Invalid value: two routes share the same path and method`},
		by:   celRule("spec.routes", "two routes share the same path and method"),
	},
	{
		name: "a method listed twice",
		manifest: policy(`
routes:
- path: /orders
  methods: [POST, POST]
`),
		want: []string{`spec.routes[0].methods[1]: Duplicate value: "POST"`},
		by:   schemaCheck("spec.routes[].methods", "x-kubernetes-list-type"),
	},
	{
		name: "ttl under a second",
		manifest: policy(`
routes: [{path: /orders}]
ttl: 500ms
`),
		want: []string{`spec.ttl: Invalid value: "500ms": ttl must be between 1s and 720h (30 days)`},
		by:   celRule("spec.ttl", "ttl must be between 1s and 720h (30 days)"),
	},
	{
		name: "ttl over thirty days",
		manifest: policy(`
routes: [{path: /orders}]
ttl: 744h
`),
		want: []string{`spec.ttl: Invalid value: "744h": ttl must be between 1s and 720h (30 days)`},
		by:   celRule("spec.ttl", "ttl must be between 1s and 720h (30 days)"),
	},
	{
		// The duration rules skip values the pattern already rejects, so
		// the user reads one clear message rather than a CEL type error.
		name: "ttl in days",
		manifest: policy(`
routes: [{path: /orders}]
ttl: 1d
`),
		want: []string{`spec.ttl: Invalid value: "1d": spec.ttl in body should match`},
		by:   schemaCheck("spec.ttl", "pattern"),
	},
	{
		name:     "route ttl over thirty days",
		manifest: policy(`routes: [{path: /orders, ttl: 721h}]`),
		want:     []string{`spec.routes[0].ttl: Invalid value: "721h": ttl must be between 1s and 720h (30 days)`},
		by:       celRule("spec.routes[].ttl", "ttl must be between 1s and 720h (30 days)"),
	},
	{
		name:     "waitTimeout over ten minutes",
		manifest: policy(`routes: [{path: /orders, waitTimeout: 11m}]`),
		want:     []string{`spec.routes[0].waitTimeout: Invalid value: "11m": waitTimeout must be between 1ms and 10m`},
		by:       celRule("spec.routes[].waitTimeout", "waitTimeout must be between 1ms and 10m"),
	},
	{
		name: "unknown mode",
		manifest: policy(`
routes: [{path: /orders}]
mode: Sometimes
`),
		want: []string{`spec.mode: Unsupported value: "Sometimes": supported values: "Enforce", "Audit"`},
		by:   schemaCheck("spec.mode", "enum"),
	},
	{
		name: "unknown failureMode",
		manifest: policy(`
routes: [{path: /orders}]
failureMode: Ajar
`),
		want: []string{`spec.failureMode: Unsupported value: "Ajar": supported values: "Closed", "Open"`},
		by:   schemaCheck("spec.failureMode", "enum"),
	},
	{
		name:     "unknown concurrency",
		manifest: policy(`routes: [{path: /orders, concurrency: Queue}]`),
		want:     []string{`spec.routes[0].concurrency: Unsupported value: "Queue": supported values: "Wait", "Reject"`},
		by:       schemaCheck("spec.routes[].concurrency", "enum"),
	},
	{
		name: "unknown store type",
		manifest: policy(`
routes: [{path: /orders}]
store: {type: Postgres}
`),
		want: []string{`spec.store.type: Unsupported value: "Postgres": supported values: "Memory", "Redis"`},
		by:   schemaCheck("spec.store.type", "enum"),
	},
	{
		name:     "unsafe method",
		manifest: policy(`routes: [{path: /orders, methods: [GET]}]`),
		want:     []string{`spec.routes[0].methods[0]: Unsupported value: "GET": supported values: "POST", "PUT", "PATCH", "DELETE"`},
		by:       schemaCheck("spec.routes[].methods[]", "enum"),
	},
	{
		name: "Redis store without an address",
		manifest: policy(`
routes: [{path: /orders}]
store: {type: Redis}
`),
		want: []string{`spec: Invalid value: store.type Redis needs store.url or store.urlSecretRef`},
		by:   celRule("spec", "store.type Redis needs store.url or store.urlSecretRef"),
	},
	{
		name: "Redis store with both url and urlSecretRef",
		manifest: policy(`
routes: [{path: /orders}]
store:
  type: Redis
  url: redis://redis:6379
  urlSecretRef: {name: redis}
`),
		want: []string{`spec.store: Invalid value: set store.url or store.urlSecretRef, not both`},
		by:   celRule("spec.store", "set store.url or store.urlSecretRef, not both"),
	},
	{
		name: "Memory store with a Redis url",
		manifest: policy(`
routes: [{path: /orders}]
store: {url: redis://redis:6379}
`),
		want: []string{`spec.store: Invalid value: store.url and store.urlSecretRef apply to type Redis only`},
		by:   celRule("spec.store", "store.url and store.urlSecretRef apply to type Redis only"),
	},
	{
		name: "store url that is not Redis",
		manifest: policy(`
routes: [{path: /orders}]
store: {type: Redis, url: "http://redis:6379"}
`),
		want: []string{`spec.store.url: Invalid value: "http://redis:6379": spec.store.url in body should match`},
		by:   schemaCheck("spec.store.url", "pattern"),
	},
	{
		name: "Set-Cookie in replayHeaders",
		manifest: policy(`
routes: [{path: /orders}]
replayHeaders: [X-Request-Id, Set-Cookie]
`),
		want: []string{`spec.replayHeaders: Invalid value: Set-Cookie and hop-by-hop headers are never replayed`},
		by:   celRule("spec.replayHeaders", "Set-Cookie and hop-by-hop headers are never replayed"),
	},
	{
		name: "hop-by-hop header in replayHeaders, any case",
		manifest: policy(`
routes: [{path: /orders}]
replayHeaders: [transfer-ENCODING]
`),
		want: []string{`spec.replayHeaders: Invalid value: Set-Cookie and hop-by-hop headers are never replayed`},
		by:   celRule("spec.replayHeaders", "Set-Cookie and hop-by-hop headers are never replayed"),
	},
	{
		name: "replay header that is not a header name",
		manifest: policy(`
routes: [{path: /orders}]
replayHeaders: ["X Trace"]
`),
		want: []string{`spec.replayHeaders[0]: Invalid value: "X Trace": spec.replayHeaders[0] in body should match`},
		by:   schemaCheck("spec.replayHeaders[]", "pattern"),
	},
	{
		name: "key header that is not a header name",
		manifest: policy(`
routes: [{path: /orders}]
key: {header: "Idempotency Key"}
`),
		want: []string{`spec.key.header: Invalid value: "Idempotency Key": spec.key.header in body should match`},
		by:   schemaCheck("spec.key.header", "pattern"),
	},
	{
		name: "zero maxRequestBytes",
		manifest: policy(`
routes: [{path: /orders}]
maxRequestBytes: 0
`),
		want: []string{`spec.maxRequestBytes: Invalid value: 0: spec.maxRequestBytes in body should be greater than or equal to 1`},
		by:   schemaCheck("spec.maxRequestBytes", "minimum"),
	},
	{
		name: "urlSecretRef without a name",
		manifest: policy(`
routes: [{path: /orders}]
store: {type: Redis, urlSecretRef: {key: url}}
`),
		want: []string{`spec.store.urlSecretRef.name: Required value`},
		by:   requiredProperty("spec.store.urlSecretRef", "name"),
	},
}

// TestCRDRejectsInvalidPolicies submits each invalid policy and checks that
// the API server refuses it with the message a kubectl user would read.
func TestCRDRejectsInvalidPolicies(t *testing.T) {
	server := installCRD(t, crdPath)

	for _, tc := range rejections {
		t.Run(tc.name, func(t *testing.T) {
			_, err := server.create(tc.manifest)
			if err == nil {
				t.Fatalf("the API server accepted:\n%s", tc.manifest)
			}
			t.Logf("kubectl would print: %v", err)
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not say %q; it says:\n%v", want, err)
				}
			}
		})
	}
}

// TestEachRejectionIsCausedByItsConstraint removes, for each invalid policy,
// the one constraint the case names and checks that the policy is then
// accepted: a case must fail when its rule is deleted, and must not be
// rejected for some other, accidental reason.
func TestEachRejectionIsCausedByItsConstraint(t *testing.T) {
	for _, tc := range rejections {
		t.Run(tc.name, func(t *testing.T) {
			server := withoutConstraint(t, crdPath, tc.by)
			if _, err := server.create(tc.manifest); err != nil {
				t.Fatalf("still rejected without %s:\n%v", tc.by, err)
			}
		})
	}
}

// TestCRDRejectsUnknownFields checks that a misspelled field is refused, as
// kubectl apply asks for strict field validation by default, rather than
// silently dropped.
func TestCRDRejectsUnknownFields(t *testing.T) {
	server := installCRD(t, crdPath)

	_, err := server.create(policy(`
routes: [{path: /orders, method: [PUT]}]
ttls: 1h
`))
	if err == nil {
		t.Fatal("the API server accepted a policy with misspelled fields")
	}
	for _, want := range []string{
		`strict decoding error: unknown field "spec.routes[0].method"`,
		`unknown field "spec.ttls"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q; it says:\n%v", want, err)
		}
	}
}
