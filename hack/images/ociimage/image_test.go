package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSameInputsGiveTheSameBytes(t *testing.T) {
	first := layoutOf(t, testSpec(), []byte("binary"))
	second := layoutOf(t, testSpec(), []byte("binary"))
	if !bytes.Equal(first, second) {
		t.Fatal("two builds from the same inputs differ")
	}

	a, err := Build(testSpec(), []byte("binary"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(testSpec(), []byte("binary, changed"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Manifest.Digest == b.Manifest.Digest {
		t.Error("a different binary gave the same manifest digest")
	}

	later := testSpec()
	later.Created = time.Unix(1700000000, 0)
	c, err := Build(later, []byte("binary"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Manifest.Digest == c.Manifest.Digest {
		t.Error("a different creation time gave the same manifest digest")
	}
}

func TestBuildRejectsNamesAndPathsItCannotUse(t *testing.T) {
	cases := map[string]func(*Spec){
		"name without a tag":    func(s *Spec) { s.Name = "localhost/idempotency/proxy" },
		"name with a port only": func(s *Spec) { s.Name = "localhost:5000/proxy" },
		"name with a digest":    func(s *Spec) { s.Name = "localhost/proxy@sha256:00" },
		"relative binary path":  func(s *Spec) { s.Path = "proxy" },
		"binary at the root":    func(s *Spec) { s.Path = "/" },
		"unclean binary path":   func(s *Spec) { s.Path = "/bin/../proxy" },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			spec := testSpec()
			change(&spec)
			if _, err := Build(spec, []byte("binary")); err == nil {
				t.Errorf("Build accepted %+v", spec)
			}
		})
	}
}

func TestRunRebuildsOnlyWhenTheInputsChange(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "proxy")
	out := filepath.Join(dir, "images", "proxy.tar")
	writeFile(t, bin, "binary")

	digest, built, err := run(testSpec(), bin, out, false)
	if err != nil || !built {
		t.Fatalf("first run: built=%v err=%v, want a new image", built, err)
	}
	before, _ := os.Stat(out)

	again, built, err := run(testSpec(), bin, out, false)
	if err != nil || built || again != digest {
		t.Errorf("rerun: digest=%s built=%v err=%v, want %s unchanged", again, built, err, digest)
	}
	if after, _ := os.Stat(out); !after.ModTime().Equal(before.ModTime()) {
		t.Error("the rerun rewrote an unchanged image")
	}

	if _, built, _ := run(testSpec(), bin, out, true); !built {
		t.Error("--force did not rebuild")
	}

	writeFile(t, bin, "binary, changed")
	changed, built, err := run(testSpec(), bin, out, false)
	if err != nil || !built || changed == digest {
		t.Errorf("after a binary change: digest=%s built=%v err=%v, want a new digest",
			changed, built, err)
	}

	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	if _, built, _ := run(testSpec(), bin, out, false); !built {
		t.Error("a deleted tarball was not rebuilt")
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
}
