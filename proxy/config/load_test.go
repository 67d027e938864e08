package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

const minimalPolicy = `
apiVersion: idempotency.io/v1alpha1
kind: IdempotencyPolicy
metadata:
  name: shop
spec:
  routes:
  - path: /api/orders
`

func TestParseAppliesDefaults(t *testing.T) {
	doc := mustLoad(t, minimalPolicy)
	if len(doc.Policies) != 1 {
		t.Fatalf("got %d policies, want 1", len(doc.Policies))
	}
	p := doc.Policies[0]
	r := p.Routes[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"mode", p.Mode, v1alpha1.ModeEnforce},
		{"failureMode", p.FailureMode, v1alpha1.FailureClosed},
		{"store", p.Store.Type, v1alpha1.StoreMemory},
		{"key header", p.Key.Header, "Idempotency-Key"},
		{"scope headers", strings.Join(p.Key.ScopeHeaders, ","), "Authorization"},
		{"methods", strings.Join(r.Methods, ","), "POST"},
		{"ttl", r.TTL.Duration, 24 * time.Hour},
		{"concurrency", r.Concurrency, v1alpha1.ConcurrencyWait},
		{"waitTimeout", r.WaitTimeout.Duration, 30 * time.Second},
		{"maxResponseBytes", p.MaxResponseBytes, int64(1 << 20)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestRouteTTLOverridesPolicyTTL(t *testing.T) {
	doc := mustLoad(t, `
apiVersion: idempotency.io/v1alpha1
kind: IdempotencyPolicy
metadata: {name: shop}
spec:
  ttl: 1h
  routes:
  - path: /a
  - path: /b
    ttl: 90s
`)
	if got := doc.Policies[0].Routes[0].TTL.Duration; got != time.Hour {
		t.Errorf("route /a ttl = %v, want the policy's 1h", got)
	}
	if got := doc.Policies[0].Routes[1].TTL.Duration; got != 90*time.Second {
		t.Errorf("route /b ttl = %v, want its own 90s", got)
	}
}

func TestLoadRejectsNonsenseWithClearErrors(t *testing.T) {
	cases := map[string]struct{ spec, want string }{
		"no routes":        {`routes: []`, "spec.routes must list at least one route"},
		"bad template":     {"routes: [{path: '/a/{b c}'}]", "invalid path template"},
		"relative path":    {"routes: [{path: a/b}]", "must start with /"},
		"duplicate route":  {"routes: [{path: /a}, {path: /a, methods: [PUT, POST]}]", "two routes share the same path and method"},
		"ttl too short":    {"ttl: 500ms\n  routes: [{path: /a}]", "between 1s and 720h"},
		"ttl too long":     {"routes: [{path: /a, ttl: 721h}]", "between 1s and 720h"},
		"ttl not duration": {"routes: [{path: /a, ttl: tomorrow}]", "is not a duration"},
		"unknown mode":     {"mode: Maybe\n  routes: [{path: /a}]", `spec.mode "Maybe"`},
		"unknown failure":  {"failureMode: Sideways\n  routes: [{path: /a}]", `spec.failureMode "Sideways"`},
		"unknown conc":     {"routes: [{path: /a, concurrency: Queue}]", `concurrency "Queue"`},
		"bad method":       {"routes: [{path: /a, methods: [GET]}]", `method "GET"`},
		"redis no url":     {"store: {type: Redis}\n  routes: [{path: /a}]", "needs store.url"},
		"unknown store":    {"store: {type: Disk}\n  routes: [{path: /a}]", `spec.store.type "Disk"`},
		"bad redis url":    {"store: {type: Redis, url: 'http://x'}\n  routes: [{path: /a}]", "must start with redis://"},
		"set-cookie":       {"replayHeaders: [Set-Cookie]\n  routes: [{path: /a}]", "never replayed"},
		"unknown field":    {"routez: []\n  routes: [{path: /a}]", `unknown field "routez"`},
		"bad json pointer": {"key: {bodyField: /a~2}\n  routes: [{path: /a}]", "not a JSON pointer"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			yaml := "apiVersion: idempotency.io/v1alpha1\nkind: IdempotencyPolicy\nmetadata: {name: p, namespace: ns}\nspec:\n  " + c.spec + "\n"
			_, err := loadString(t, yaml)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want it to mention %q", err, c.want)
			}
			if !strings.Contains(err.Error(), "ns/p") && !strings.Contains(err.Error(), "document 1") {
				t.Errorf("error %q does not say which policy is wrong", err)
			}
		})
	}
}

func TestSecretReferenceReadsTheURLFromTheSecretMount(t *testing.T) {
	doc := mustLoad(t, `
apiVersion: idempotency.io/v1alpha1
kind: IdempotencyPolicy
metadata: {name: shop}
spec:
  store: {type: Redis, urlSecretRef: {name: redis-url}}
  routes: [{path: /a}]
`)
	if got, want := doc.Policies[0].Store.URLFile, "/etc/idempotency/secrets/redis-url/url"; got != want {
		t.Fatalf("store.urlFile = %q, want %q", got, want)
	}
}

func TestValidationErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "good.yaml"), minimalPolicy)
	write(t, filepath.Join(dir, "bad.yaml"), strings.ReplaceAll(minimalPolicy, "path: /api/orders", "path: /api/orders\n    ttl: 0s"))
	_, err := LoadFiles([]string{dir})
	if err == nil || !strings.Contains(err.Error(), "bad.yaml") || !strings.Contains(err.Error(), "ttl") {
		t.Fatalf("error = %v, want it to name bad.yaml and the ttl", err)
	}
}

func TestLoadRejectsForeignDocuments(t *testing.T) {
	_, err := loadString(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
	if err == nil || !strings.Contains(err.Error(), "neither") {
		t.Fatalf("error = %v, want a clear refusal of the ConfigMap", err)
	}
	_, err = loadString(t, "# only a comment\n")
	if err == nil || !strings.Contains(err.Error(), "no IdempotencyPolicy") {
		t.Fatalf("error = %v, want 'no IdempotencyPolicy'", err)
	}
}

func TestRenderedDocumentRoundTripsWithTheSameHash(t *testing.T) {
	doc := mustLoad(t, minimalPolicy+"---\n"+strings.ReplaceAll(minimalPolicy, "name: shop", "name: other"))
	rendered, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	again := mustLoad(t, string(rendered))
	if doc.Hash() != again.Hash() {
		t.Fatalf("hash changed across render and load: %s vs %s\n%s", doc.Hash(), again.Hash(), rendered)
	}
	if !strings.HasPrefix(doc.Hash(), "sha256:") {
		t.Errorf("hash %q lacks its algorithm", doc.Hash())
	}
}

func TestLoadFilesReadsDirectoriesAndSkipsHiddenEntries(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.yaml"), minimalPolicy)
	write(t, filepath.Join(dir, "b.yml"), strings.ReplaceAll(minimalPolicy, "name: shop", "name: b"))
	write(t, filepath.Join(dir, ".hidden.yaml"), "not: [valid")
	write(t, filepath.Join(dir, "notes.txt"), "ignored")
	doc, err := LoadFiles([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Policies) != 2 || doc.Policies[0].Name != "b" || doc.Policies[1].Name != "shop" {
		t.Fatalf("policies = %+v, want b and shop in name order", doc.Policies)
	}
}

func TestReadPodLabels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "labels")
	write(t, path, "app=\"shop\"\npod-template-hash=\"5d8f\"\nquote=\"a\\\"b\"\n")
	labels, err := ReadPodLabels(path)
	if err != nil {
		t.Fatal(err)
	}
	if labels["app"] != "shop" || labels["pod-template-hash"] != "5d8f" || labels["quote"] != `a"b` {
		t.Fatalf("labels = %v", labels)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(minimalPolicy))
	f.Add([]byte(minimalPolicy + "---\n" + minimalPolicy))
	f.Add([]byte("apiVersion: proxy.idempotency.io/v1\nkind: ProxyConfig\npolicies: []\n"))
	f.Add([]byte("{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		policies, docs, err := Parse(data)
		if err != nil {
			return
		}
		doc, err := Render(policies, RenderOptions{})
		if err != nil {
			return
		}
		// Whatever renders must validate and survive a round trip.
		if err := doc.Validate(); err != nil {
			t.Fatalf("rendered document does not validate: %v", err)
		}
		out, err := doc.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		_, again, err := Parse(out)
		if err != nil || len(again) != 1 {
			t.Fatalf("rendered document does not parse back: %v\n%s", err, out)
		}
		for i := range docs {
			if err := docs[i].Validate(); err != nil {
				return
			}
		}
	})
}

func mustLoad(t *testing.T, yaml string) *Document {
	t.Helper()
	doc, err := loadString(t, yaml)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func loadString(t *testing.T, yaml string) (*Document, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.yaml")
	write(t, path, yaml)
	return LoadFiles([]string{path})
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}
