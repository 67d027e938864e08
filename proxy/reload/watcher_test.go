package reload

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/idempotency-operator/idempotency-operator/proxy/config"
)

const policy = `apiVersion: idempotency.io/v1alpha1
kind: IdempotencyPolicy
metadata: {name: shop}
spec:
  routes: [{path: /a}]
`

func TestWatcherRetriesOnlyWhenTheFilesChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.yaml")
	var loads, failures int
	w := New([]string{path}, func(*config.Document) error { loads++; return nil }, 0,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.OnError = func(error) { failures++ }

	for range 3 {
		_ = w.LoadNow()
	}
	if failures != 1 || w.Status().LastError == "" {
		t.Fatalf("a missing file failed %d times (lastError %q), want once", failures, w.Status().LastError)
	}

	if err := os.WriteFile(path, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := w.LoadNow(); err != nil {
			t.Fatal(err)
		}
	}
	if loads != 1 {
		t.Fatalf("unchanged files were loaded %d times, want once", loads)
	}
	if s := w.Status(); s.Hash == "" || s.LastError != "" || len(s.Policies) != 1 {
		t.Fatalf("status after a good load = %+v", s)
	}

	if err := os.WriteFile(path, []byte("not: [yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := w.Status().Hash
	if err := w.LoadNow(); err == nil {
		t.Fatal("a broken file loaded")
	}
	if s := w.Status(); s.Hash != good || s.LastError == "" {
		t.Fatalf("after a broken edit status = %+v, want the last good hash and the error", s)
	}
}

func TestWatcherCanStartWithoutPolicies(t *testing.T) {
	dir := t.TempDir()
	var loaded []*config.Document
	w := New([]string{filepath.Join(dir, "config")}, func(d *config.Document) error {
		loaded = append(loaded, d)
		return nil
	}, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.AllowEmpty = true
	if err := w.LoadNow(); err != nil {
		t.Fatalf("a missing configuration directory failed the load: %v", err)
	}
	if len(loaded) != 1 || len(loaded[0].Policies) != 0 {
		t.Fatalf("loaded %v, want one empty document", loaded)
	}

	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "config.yaml"), []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.LoadNow(); err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 2 || len(loaded[1].Policies) != 1 {
		t.Fatalf("the policy that appeared later was not loaded: %v", loaded)
	}
}
