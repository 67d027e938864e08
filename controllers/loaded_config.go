package controllers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// LoadedConfigReader tells which configuration the sidecar of a pod has
// loaded, as the hash of the rendered document (config.Document.Hash).
// An empty hash means the sidecar has not loaded any configuration yet.
type LoadedConfigReader interface {
	LoadedConfigHash(ctx context.Context, pod *corev1.Pod) (string, error)
}

// DefaultReadTimeout bounds one request of HTTPConfigReader.
const DefaultReadTimeout = time.Second

// maxConfigResponseBytes bounds the body read from a sidecar; the answer
// lists policy names only, far below this.
const maxConfigResponseBytes = 1 << 20

// HTTPConfigReader asks the sidecar's admin endpoint, GET /config on the
// container port named v1alpha1.AdminPortName (v1alpha1.DefaultAdminPort
// when the port is not declared), for the hash it has loaded. The
// operator must be able to reach pods on that port: the sidecar has to
// listen on the pod's address, and network policies have to let the
// operator in.
type HTTPConfigReader struct {
	// Client sends the requests; nil means a client of its own.
	Client *http.Client
	// Timeout bounds each request; zero means DefaultReadTimeout.
	Timeout time.Duration
}

var _ LoadedConfigReader = (*HTTPConfigReader)(nil)

// defaultHTTPClient does not follow proxies from the environment: the
// requests go straight to pod addresses.
var defaultHTTPClient = &http.Client{
	Transport: &http.Transport{
		Proxy:               nil,
		MaxIdleConnsPerHost: 1,
		IdleConnTimeout:     30 * time.Second,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// errNoSidecar is returned for a pod without the proxy container.
var errNoSidecar = errors.New("the pod has no " + v1alpha1.ProxyContainerName + " container")

// LoadedConfigHash implements LoadedConfigReader.
func (h *HTTPConfigReader) LoadedConfigHash(ctx context.Context, pod *corev1.Pod) (string, error) {
	port, ok := adminPort(pod)
	if !ok {
		return "", errNoSidecar
	}
	if pod.Status.PodIP == "" {
		return "", errors.New("the pod has no IP address yet")
	}

	timeout := h.Timeout
	if timeout <= 0 {
		timeout = DefaultReadTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	url := "http://" + net.JoinHostPort(pod.Status.PodIP, strconv.Itoa(int(port))) + "/config"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")

	c := h.Client
	if c == nil {
		c = defaultHTTPClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("asking the sidecar for its configuration: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("asking the sidecar for its configuration: GET /config answered %s", resp.Status)
	}

	var body struct {
		Hash      string `json:"hash"`
		LastError string `json:"lastError"`
	}
	decoder := json.NewDecoder(io.LimitReader(resp.Body, maxConfigResponseBytes))
	if err := decoder.Decode(&body); err != nil {
		return "", fmt.Errorf("reading the sidecar's configuration status: %w", err)
	}
	if body.Hash == "" && body.LastError != "" {
		return "", fmt.Errorf("the sidecar has loaded no configuration: %s", body.LastError)
	}
	return body.Hash, nil
}

// adminPort returns the sidecar's admin port, and false when the pod has
// no sidecar. The webhook injects the proxy as a native sidecar (an init
// container that keeps running), but a regular container is accepted too.
func adminPort(pod *corev1.Pod) (int32, bool) {
	c := proxyContainer(pod)
	if c == nil {
		return 0, false
	}
	for _, p := range c.Ports {
		if p.Name == v1alpha1.AdminPortName {
			return p.ContainerPort, true
		}
	}
	return v1alpha1.DefaultAdminPort, true
}

// proxyContainer returns the pod's sidecar, or nil.
func proxyContainer(pod *corev1.Pod) *corev1.Container {
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Name == v1alpha1.ProxyContainerName {
			return &pod.Spec.InitContainers[i]
		}
	}
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == v1alpha1.ProxyContainerName {
			return &pod.Spec.Containers[i]
		}
	}
	return nil
}
