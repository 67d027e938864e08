package webhook

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
	"sigs.k8s.io/yaml"
)

// update rewrites the golden files from the injector's current output:
//
//	go test ./webhook -run TestInjectGolden -update
var update = flag.Bool("update", false, "rewrite testdata/*.golden.yaml from the current output")

// goldenDocument renders what the API server receives for one pod: the
// result and warnings as comments, the patch's operations, and the pod as
// it is stored.
func goldenDocument(t *testing.T, result string, resp admission.Response, pod *corev1.Pod) []byte {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Result: %s\n", result)
	fmt.Fprintf(&b, "# Warnings:%s\n", commentList(resp.Warnings))
	var ops []string
	for _, op := range resp.Patches {
		ops = append(ops, op.Operation+" "+op.Path)
	}
	// The patch's operations come in no fixed order; their effect does
	// not depend on it.
	sort.Strings(ops)
	fmt.Fprintf(&b, "# Patch:%s\n", commentList(ops))

	out, err := yaml.Marshal(pod)
	if err != nil {
		t.Fatalf("encoding the pod: %v", err)
	}
	b.Write(out)
	return b.Bytes()
}

func commentList(items []string) string {
	if len(items) == 0 {
		return " none"
	}
	return "\n#   " + strings.Join(items, "\n#   ")
}

// compareGolden compares got with testdata/<name>.golden.yaml, or writes
// it there under -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.yaml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("writing %s: %v", path, err)
		}
		return
	}

	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s (run the test with -update to create it): %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the output differs from %s (run the test with -update to accept it):\n%s",
			path, cmp.Diff(string(want), string(got)))
	}
}
