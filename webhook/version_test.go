package webhook

import (
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/version"
)

func TestNativeSidecarsSupported(t *testing.T) {
	cases := []struct {
		name      string
		info      *version.Info
		supported bool
		err       bool
	}{
		{name: "1.37", info: &version.Info{Major: "1", Minor: "37", GitVersion: "v1.37.2"}, supported: true},
		{name: "1.29, the first with native sidecars on by default",
			info: &version.Info{Major: "1", Minor: "29", GitVersion: "v1.29.0"}, supported: true},
		{name: "1.28, where they are behind a feature gate",
			info: &version.Info{Major: "1", Minor: "28", GitVersion: "v1.28.15"}},
		{name: "a distribution's build suffix",
			info: &version.Info{Major: "1", Minor: "30+", GitVersion: "v1.30.4-eks-a737599"}, supported: true},
		{name: "a distribution's own GitVersion",
			info: &version.Info{Major: "1", Minor: "28+", GitVersion: "custom-build"}},
		{name: "unreadable", info: &version.Info{GitVersion: "unknown"}, err: true},
		{name: "missing", err: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			supported, err := NativeSidecarsSupported(tc.info)
			g.Expect(supported).To(Equal(tc.supported))
			if tc.err {
				g.Expect(err).To(HaveOccurred())
			} else {
				g.Expect(err).NotTo(HaveOccurred())
			}
		})
	}
}
