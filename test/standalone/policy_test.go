package standalone

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The sample policies shipped in config/samples, as a user passes them.
const (
	samplePolicy      = "../../config/samples/idempotency_v1alpha1_idempotencypolicy.yaml"
	sampleRedisPolicy = "../../config/samples/idempotency_v1alpha1_idempotencypolicy_redis.yaml"
)

// Routes of the sample app used by the tests, as path templates and as a
// concrete path. Each successful POST is one side effect, and a retry that
// reaches the app runs again with a different body.
const (
	pairCreate       = "/api/pairs/create"
	activityAccept   = "/api/activities/{id}/accept"
	matchAccept      = "/api/match/accept"
	pairCreateRoute  = "pairs.create"
	acceptRoute      = "activities.accept"
	matchAcceptRoute = "match.accept"
)

// policy is an IdempotencyPolicy manifest that protects POST on paths,
// with every other setting at its default.
type policy struct {
	name  string
	paths []string
	// matchLabels, when set, is the policy's pod selector.
	matchLabels map[string]string
	// ttl, when set, is the policy's spec.ttl, written as given.
	ttl string
}

// String renders the manifest as YAML.
func (p policy) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: idempotency.io/v1alpha1\nkind: IdempotencyPolicy\n")
	fmt.Fprintf(&b, "metadata:\n  name: %s\nspec:\n", p.name)
	if len(p.matchLabels) > 0 {
		b.WriteString("  selector:\n    matchLabels:\n")
		for k, v := range p.matchLabels {
			fmt.Fprintf(&b, "      %s: %s\n", k, v)
		}
	}
	if p.ttl != "" {
		fmt.Fprintf(&b, "  ttl: %s\n", p.ttl)
	}
	b.WriteString("  routes:\n")
	for _, path := range p.paths {
		fmt.Fprintf(&b, "  - path: %s\n    methods: [POST]\n", path)
	}
	return b.String()
}

// documents joins manifests into one multi-document YAML stream.
func documents(manifests ...fmt.Stringer) string {
	parts := make([]string, len(manifests))
	for i, m := range manifests {
		parts[i] = m.String()
	}
	return strings.Join(parts, "---\n")
}

// raw is YAML written as given, for files that are meant to be wrong.
type raw string

// String returns the YAML.
func (r raw) String() string { return string(r) }

// writeFile writes content to a new file in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// replaceFile replaces the file at path the way editors and configuration
// tools do: the new content is written to a hidden file beside it, then
// renamed over it, so a reader sees the old file or the new, never half.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp, err := os.CreateTemp(filepath.Dir(path), ".replace-*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmp.WriteString(content); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		t.Fatal(err)
	}
}
