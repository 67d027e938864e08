package standalone

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// module is the import path the commands under test are built from.
const module = "github.com/idempotency-operator/idempotency-operator"

// binaries are the commands under test, built by TestMain.
var binaries struct {
	proxy     string
	sampleApp string
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

// runTests builds the commands into a temporary directory, runs the tests
// and removes the directory again.
func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "standalone-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "creating the binary directory:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	binaries.proxy = filepath.Join(dir, "idempotency-proxy")
	binaries.sampleApp = filepath.Join(dir, "sample-app")
	if err := build(map[string]string{
		binaries.proxy:     module + "/cmd/idempotency-proxy",
		binaries.sampleApp: module + "/cmd/sample-app",
	}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// build runs go build for each output path and package, side by side.
func build(targets map[string]string) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for out, pkg := range targets {
		wg.Go(func() {
			args := []string{"build", "-o", out}
			if raceEnabled {
				args = append(args, "-race")
			}
			cmd := exec.Command("go", append(args, pkg)...)
			if output, err := cmd.CombinedOutput(); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("building %s: %w\n%s", pkg, err, output))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
