package v1alpha1_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// TestCRDInstalls checks that the API server accepts the generated CRD:
// its schema is structural, and every CEL rule compiles and fits within
// the cost budget the API server enforces at install time.
func TestCRDInstalls(t *testing.T) {
	installCRD(t, crdPath)
}

// TestCRDAcceptsValidPolicies submits policies that use every allowed
// value and each bound of the allowed ranges.
func TestCRDAcceptsValidPolicies(t *testing.T) {
	server := installCRD(t, crdPath)

	accepted := map[string]string{
		"one route":                     `routes: [{path: /orders}]`,
		"root path":                     `routes: [{path: /}]`,
		"trailing slash":                `routes: [{path: /orders/}]`,
		"parameters and a rest segment": `routes: [{path: "/shops/{shop}/files/{rest...}"}]`,
		"only a rest segment":           `routes: [{path: "/{rest...}"}]`,
		"colon in a literal segment":    `routes: [{path: "/v1/orders/{id}/items:batchCancel"}]`,
		"same path, other methods": `
routes:
- path: /orders/{id}
  methods: [PUT, PATCH]
- path: /orders/{id}
  methods: [DELETE]
- path: /orders
`,
		"shortest ttl":              `{routes: [{path: /orders, ttl: 1s}], ttl: 1s}`,
		"longest ttl":               `{routes: [{path: /orders, ttl: 720h}], ttl: 720h}`,
		"ttl in mixed units":        `{routes: [{path: /orders}], ttl: 1h30m}`,
		"ttl with a fraction":       `{routes: [{path: /orders}], ttl: 1.5s}`,
		"shortest waitTimeout":      `routes: [{path: /orders, waitTimeout: 1ms}]`,
		"longest waitTimeout":       `routes: [{path: /orders, waitTimeout: 10m}]`,
		"Audit mode":                `{routes: [{path: /orders}], mode: Audit}`,
		"Open failure mode":         `{routes: [{path: /orders}], failureMode: Open}`,
		"Reject concurrency":        `routes: [{path: /orders, concurrency: Reject, required: true}]`,
		"every method":              `routes: [{path: /orders, methods: [POST, PUT, PATCH, DELETE]}]`,
		"explicit Memory store":     `{routes: [{path: /orders}], store: {type: Memory}}`,
		"Redis store with url":      `{routes: [{path: /orders}], store: {type: Redis, url: "redis://redis:6379/0"}}`,
		"Redis cluster over TLS":    `{routes: [{path: /orders}], store: {type: Redis, url: "rediss-cluster://r:6379"}}`,
		"Redis store with a Secret": `{routes: [{path: /orders}], store: {type: Redis, urlSecretRef: {name: redis}}}`,
		"extra replay headers":      `{routes: [{path: /orders}], replayHeaders: [X-Request-Id, Retry-After]}`,
		"key from a body field":     `{routes: [{path: /orders}], key: {bodyField: /input/clientMutationId}}`,
		"selector and body limits": `
selector:
  matchLabels: {app: shop}
routes: [{path: /orders}]
maxRequestBytes: 1
maxResponseBytes: 0
`,
	}
	for name, spec := range accepted {
		t.Run(name, func(t *testing.T) {
			if _, err := server.create(policy(spec)); err != nil {
				t.Fatalf("rejected:\n%v", err)
			}
		})
	}
}

// TestCRDDefaultsMatchTheGoConstants checks that the defaults the API
// server fills in are the ones the Go package documents, so that the
// controller and the proxy see the same policy whichever fills the gap.
func TestCRDDefaultsMatchTheGoConstants(t *testing.T) {
	server := installCRD(t, crdPath)

	stored, err := server.create(policy(`
routes: [{path: /orders}]
key: {}
store: {}
`))
	if err != nil {
		t.Fatalf("rejected:\n%v", err)
	}

	want := map[string]any{
		"spec.ttl":                   v1alpha1.DefaultTTL,
		"spec.mode":                  string(v1alpha1.ModeEnforce),
		"spec.failureMode":           string(v1alpha1.FailureClosed),
		"spec.key.header":            v1alpha1.DefaultKeyHeader,
		"spec.key.scopeHeaders":      []any{v1alpha1.DefaultScopeHeader},
		"spec.store.type":            string(v1alpha1.StoreMemory),
		"spec.routes[0].methods":     []any{v1alpha1.DefaultMethod},
		"spec.routes[0].concurrency": string(v1alpha1.ConcurrencyWait),
	}
	for path, value := range want {
		got, err := lookup(stored.Object, path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if !reflect.DeepEqual(got, value) {
			t.Errorf("%s defaults to %v, want %v", path, got, value)
		}
	}
}

// lookup reads a field such as spec.routes[0].methods from obj.
func lookup(obj map[string]any, path string) (any, error) {
	var current any = obj
	for _, step := range strings.Split(path, ".") {
		name, index, indexed := strings.Cut(step, "[")
		fields, ok := current.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s is not an object", name)
		}
		if current, ok = fields[name]; !ok {
			return nil, fmt.Errorf("%s is not set", name)
		}
		if indexed {
			var i int
			if _, err := fmt.Sscanf(index, "%d]", &i); err != nil {
				return nil, fmt.Errorf("bad index in %s", step)
			}
			items, ok := current.([]any)
			if !ok || i >= len(items) {
				return nil, fmt.Errorf("%s has no item %d", name, i)
			}
			current = items[i]
		}
	}
	return current, nil
}

// TestCRDAcceptsTheLargestPolicy fills every list to its maximum length
// and every string on the hot path to its maximum size, so that the CEL
// rules are shown to finish within the API server's runtime cost budget
// for any policy the schema lets through.
func TestCRDAcceptsTheLargestPolicy(t *testing.T) {
	server := installCRD(t, crdPath)

	var spec strings.Builder
	spec.WriteString("routes:\n")
	for i := range 64 {
		// 64 paths of 512 characters that differ only at the end, so
		// that comparing two of them costs as much as it can.
		path := "/" + strings.Repeat("a", 508) + fmt.Sprintf("%03d", i)
		fmt.Fprintf(&spec, "- path: %s\n  methods: [POST, PUT, PATCH, DELETE]\n", path)
		fmt.Fprintf(&spec, "  ttl: 719h59m59.999999s\n  waitTimeout: 9m59.999999s\n")
	}
	spec.WriteString("replayHeaders:\n")
	for i := range 32 {
		fmt.Fprintf(&spec, "- %s%03d\n", strings.Repeat("X", 125), i)
	}

	if _, err := server.create(policy(spec.String())); err != nil {
		t.Fatalf("rejected:\n%v", err)
	}
}

// TestCRDAcceptsPoliciesBuiltFromTheGoTypes marshals a policy built with
// the Go types and submits it with strict field validation, so a JSON tag
// that disagrees with the schema shows up as an unknown field.
func TestCRDAcceptsPoliciesBuiltFromTheGoTypes(t *testing.T) {
	server := installCRD(t, crdPath)

	p := v1alpha1.IdempotencyPolicy{
		TypeMeta: metav1.TypeMeta{
			APIVersion: v1alpha1.GroupVersion.String(),
			Kind:       "IdempotencyPolicy",
		},
		ObjectMeta: metav1.ObjectMeta{Name: "orders", Namespace: "shop"},
		Spec: v1alpha1.IdempotencyPolicySpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "shop"}},
			Routes: []v1alpha1.Route{{
				Path:        "/orders/{id}/accept",
				Methods:     []string{"POST", "PUT"},
				TTL:         "1h",
				Required:    true,
				Concurrency: v1alpha1.ConcurrencyReject,
				WaitTimeout: v1alpha1.DefaultWaitTimeout,
			}},
			TTL:         v1alpha1.DefaultTTL,
			Key:         v1alpha1.KeySource{Header: "X-Idempotency-Key", BodyField: "clientMutationId", ScopeHeaders: []string{"Authorization", "X-Tenant"}},
			Mode:        v1alpha1.ModeAudit,
			FailureMode: v1alpha1.FailureOpen,
			Store: v1alpha1.Store{
				Type:         v1alpha1.StoreRedis,
				URLSecretRef: &v1alpha1.SecretKeyRef{Name: "redis", Key: "url"},
				KeyPrefix:    "shop:",
			},
			MaxResponseBytes: new(int64(v1alpha1.DefaultMaxBodyBytes)),
			MaxRequestBytes:  new(int64(v1alpha1.DefaultMaxBodyBytes)),
			ReplayHeaders:    []string{"X-Request-Id"},
		},
	}
	manifest, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := server.create(string(manifest)); err != nil {
		t.Fatalf("rejected:\n%v", err)
	}
}

// TestCRDAcceptsTheSamples submits every IdempotencyPolicy in
// config/samples, the manifests users copy first.
func TestCRDAcceptsTheSamples(t *testing.T) {
	server := installCRD(t, crdPath)

	files, err := filepath.Glob(filepath.Join("..", "..", "config", "samples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, file := range files {
		docs, err := policyDocuments(file)
		if err != nil {
			t.Fatalf("reading %s: %v", file, err)
		}
		for i, doc := range docs {
			found++
			t.Run(fmt.Sprintf("%s#%d", filepath.Base(file), i), func(t *testing.T) {
				if _, err := server.create(doc); err != nil {
					t.Fatalf("rejected:\n%v", err)
				}
			})
		}
	}
	if found == 0 {
		t.Skip("config/samples holds no IdempotencyPolicy yet")
	}
}

// policyDocuments returns, as JSON, the IdempotencyPolicy documents of a
// multi-document YAML file.
func policyDocuments(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}

	var docs []string
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(raw), 4096)
	for {
		var obj unstructured.Unstructured
		err := decoder.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if obj.Object == nil || obj.GetKind() != "IdempotencyPolicy" {
			continue
		}
		doc, err := json.Marshal(obj.Object)
		if err != nil {
			return nil, err
		}
		docs = append(docs, string(doc))
	}
}
