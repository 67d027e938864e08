//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/idempotency-operator/idempotency-operator/internal/testenv"
)

// settings are what the environment tells the suite; see the package
// documentation.
type settings struct {
	// root is the repository's top directory.
	root string
	// kubeconfig is the file the suite reads its cluster from.
	kubeconfig string
	// sampleAppImage is the image of the sample app's pods.
	sampleAppImage string
	// redisHost overrides the address Redis binds to; empty: discover it.
	redisHost string
	// podAccess is "direct", "apiserver" or "" (decide by trying).
	podAccess string
	// keepNamespaces leaves the test namespaces behind.
	keepNamespaces bool
}

// loadSettings reads the settings from the environment.
func loadSettings() (settings, error) {
	root := testenv.RepoRoot()
	s := settings{
		root:           root,
		sampleAppImage: envOr("E2E_IMAGE_SAMPLE_APP", "localhost/idempotency/sample-app:e2e"),
		redisHost:      os.Getenv("E2E_REDIS_HOST"),
		podAccess:      os.Getenv("E2E_POD_ACCESS"),
		keepNamespaces: os.Getenv("E2E_KEEP_NAMESPACES") == "1",
	}
	switch s.podAccess {
	case "", podAccessDirect, podAccessAPIServer:
	default:
		return settings{}, fmt.Errorf("E2E_POD_ACCESS=%q: want %s or %s",
			s.podAccess, podAccessDirect, podAccessAPIServer)
	}

	s.kubeconfig = os.Getenv("E2E_KUBECONFIG")
	if s.kubeconfig == "" {
		s.kubeconfig = os.Getenv("KUBECONFIG")
	}
	if s.kubeconfig == "" {
		s.kubeconfig = filepath.Join(root, "bin", "cluster", "kubeconfig")
		if _, err := os.Stat(s.kubeconfig); err != nil {
			return settings{}, fmt.Errorf("no cluster: set E2E_KUBECONFIG or KUBECONFIG, "+
				"or start the local cluster with hack/cluster/up.sh (%w)", err)
		}
	}
	return s, nil
}

// artifactsDir is where the suite writes its measurements, created on
// demand.
func (s settings) artifactsDir() (string, error) {
	dir := filepath.Join(s.root, "bin", "e2e")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	return dir, nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
