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
