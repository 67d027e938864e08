package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// KubeVersion is the Kubernetes release whose kube-apiserver and etcd the
// suites run against; hack/build-kube-binaries.sh builds the same one.
const KubeVersion = "1.37.2"

// assetsEnv overrides where the binaries are read from, as in envtest.
const assetsEnv = "KUBEBUILDER_ASSETS"

// RepoRoot returns the repository's root directory, found from this
// file's location so that it holds whichever package the test runs in.
func RepoRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("testenv: cannot locate the source file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// CRDDirectory returns the directory of the generated CRD manifests.
func CRDDirectory() string {
	return filepath.Join(RepoRoot(), "config", "crd", "bases")
}

// BinaryAssetsDirectory returns the directory holding kube-apiserver and
// etcd: KUBEBUILDER_ASSETS when set, else bin/k8s/<KubeVersion> in the
// repository. It fails with what to run when a binary is missing, so that
// a suite stops with advice instead of a bare "file not found".
func BinaryAssetsDirectory() (string, error) {
	dir := os.Getenv(assetsEnv)
	from := assetsEnv
	if dir == "" {
		dir = filepath.Join(RepoRoot(), "bin", "k8s", KubeVersion)
		from = "the repository"
	}

	var missing []error
	for _, name := range []string{"kube-apiserver", "etcd"} {
		info, err := os.Stat(filepath.Join(dir, name))
		switch {
		case err != nil:
			missing = append(missing, fmt.Errorf("%s: %w", name, err))
		case info.IsDir() || info.Mode()&0o111 == 0:
			missing = append(missing, fmt.Errorf("%s is not an executable file", name))
		}
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("envtest binaries missing in %s (from %s): %w; "+
			"run `make test`, or hack/build-kube-binaries.sh to build them, "+
			"or point %s at a directory holding kube-apiserver and etcd",
			dir, from, errors.Join(missing...), assetsEnv)
	}
	return dir, nil
}

// startTimeoutEnv is envtest's own override of the start timeout.
const startTimeoutEnv = "KUBEBUILDER_CONTROLPLANE_START_TIMEOUT"

// ControlPlaneStartTimeout returns how long to wait for kube-apiserver
// and etcd to become ready: zero, so that envtest reads it, when
// KUBEBUILDER_CONTROLPLANE_START_TIMEOUT is set, else two minutes, as
// envtest's default of 20 seconds is too short for a kube-apiserver
// starting on a busy two-core machine.
func ControlPlaneStartTimeout() time.Duration {
	if os.Getenv(startTimeoutEnv) != "" {
		return 0
	}
	return 2 * time.Minute
}
