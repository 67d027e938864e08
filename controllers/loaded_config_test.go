package controllers

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// podServedBy returns a pod whose sidecar's admin port is the server's.
func podServedBy(t *testing.T, srv *httptest.Server, sidecar bool) *corev1.Pod {
	t.Helper()
	host, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{Status: corev1.PodStatus{PodIP: host}}
	pod.Spec.Containers = []corev1.Container{{Name: "app"}}
	if sidecar {
		pod.Spec.InitContainers = []corev1.Container{{
			Name:  v1alpha1.ProxyContainerName,
			Ports: []corev1.ContainerPort{{Name: v1alpha1.AdminPortName, ContainerPort: int32(n)}},
		}}
	}
	return pod
}

func TestHTTPConfigReaderReadsTheLoadedHash(t *testing.T) {
	g := NewWithT(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/config" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"apiVersion":"proxy.idempotency.io/v1","version":"dev",` +
			`"hash":"sha256:abc","policies":["shop/orders"]}`))
	}))
	defer srv.Close()

	hash, err := (&HTTPConfigReader{}).LoadedConfigHash(context.Background(), podServedBy(t, srv, true))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(hash).To(Equal("sha256:abc"))
}

func TestHTTPConfigReaderFails(t *testing.T) {
	cases := map[string]struct {
		handler http.HandlerFunc
		sidecar bool
		want    string
	}{
		"without a sidecar": {
			handler: func(http.ResponseWriter, *http.Request) {},
			want:    "has no idempotency-proxy container",
		},
		"on an error status": {
			handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) },
			sidecar: true,
			want:    "answered 503",
		},
		"when no configuration is loaded": {
			handler: func(w http.ResponseWriter, _ *http.Request) {
				_, _ = w.Write([]byte(`{"hash":"","policies":null,"lastError":"no policy found"}`))
			},
			sidecar: true,
			want:    "the sidecar has loaded no configuration: no policy found",
		},
		"on a body that is not JSON": {
			handler: func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) },
			sidecar: true,
			want:    "reading the sidecar's configuration status",
		},
		"after the timeout": {
			handler: func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			sidecar: true,
			want:    "context deadline exceeded",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			reader := &HTTPConfigReader{Timeout: 50 * time.Millisecond}

			_, err := reader.LoadedConfigHash(context.Background(), podServedBy(t, srv, tc.sidecar))
			NewWithT(t).Expect(err).To(MatchError(ContainSubstring(tc.want)))
		})
	}
}

func TestAdminPortDefaultsWhenUndeclared(t *testing.T) {
	g := NewWithT(t)
	pod := &corev1.Pod{}
	pod.Spec.Containers = []corev1.Container{{Name: v1alpha1.ProxyContainerName}}

	port, ok := adminPort(pod)
	g.Expect(ok).To(BeTrue())
	g.Expect(port).To(Equal(int32(v1alpha1.DefaultAdminPort)))
}
