package webhook

import (
	"fmt"
	"strings"

	utilversion "k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apimachinery/pkg/version"
)

// nativeSidecarsSince is the first Kubernetes release that runs init
// containers with restartPolicy Always as sidecars by default.
var nativeSidecarsSince = utilversion.MajorMinor(1, 29)

// NativeSidecarsSupported reports whether a cluster, from its API server's
// version as discovery reports it, runs native sidecars: Kubernetes 1.29
// and later. It returns false, and an error, for a version it cannot read;
// the proxy then runs as a regular container, which every version
// supports.
func NativeSidecarsSupported(info *version.Info) (bool, error) {
	if info == nil {
		return false, fmt.Errorf("no server version")
	}
	v, err := utilversion.ParseGeneric(info.GitVersion)
	if err != nil {
		// Some distributions report a GitVersion of their own; Major and
		// Minor stay numeric, but for a "+" suffix ("29+").
		v, err = utilversion.ParseGeneric(fmt.Sprintf("%s.%s",
			info.Major, strings.TrimRight(info.Minor, "+")))
		if err != nil {
			return false, fmt.Errorf("reading server version %q: %w", info.GitVersion, err)
		}
	}
	return v.AtLeast(nativeSidecarsSince), nil
}
