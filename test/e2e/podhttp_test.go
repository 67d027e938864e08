//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// How the suite reaches a pod's ports.
const (
	// podAccessDirect dials the pod's IP, as a client inside the cluster
	// would; it works where the test machine routes to pod addresses (the
	// local cluster, whose pods sit on a bridge of this machine).
	podAccessDirect = "direct"
	// podAccessAPIServer goes through the API server's pod proxy, which
	// reaches pods on any cluster. The API server drops the Authorization
	// header, which the suite never sends to pods anyway.
	podAccessAPIServer = "apiserver"
)

// Ports of an injected sample-app pod.
const (
	proxyPort = 8080 // the idempotency proxy's traffic port
	adminPort = 9901 // the proxy's admin port: /config, /readyz
	appPort   = 9090 // the sample app itself, bypassing the proxy
)

// podHTTP sends HTTP requests to ports of pods.
type podHTTP struct {
	mode   string
	client *http.Client
	// apiHost is the API server's base URL, in apiserver mode.
	apiHost string
}

// response is what a pod answered.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string {
	return fmt.Sprintf("%d %s", r.status, strings.TrimSpace(string(r.body)))
}

// newPodHTTP returns a podHTTP in the given mode; with mode "" it dials a
// manager pod's health port and picks direct when that answers.
func newPodHTTP(ctx context.Context, mode string) (*podHTTP, error) {
	if mode == "" {
		mode = podAccessAPIServer
		if ip, err := managerPodIP(ctx); err == nil {
			conn, err := net.DialTimeout("tcp", net.JoinHostPort(ip, "8081"), 2*time.Second)
			if err == nil {
				_ = conn.Close()
				mode = podAccessDirect
			}
		}
	}

	if mode == podAccessDirect {
		return &podHTTP{mode: mode, client: &http.Client{
			Timeout: 60 * time.Second,
			Transport: &http.Transport{
				Proxy:               nil,
				MaxIdleConnsPerHost: 64,
			},
		}}, nil
	}

	c, err := rest.HTTPClientFor(restCfg)
	if err != nil {
		return nil, fmt.Errorf("creating an HTTP client for the API server: %w", err)
	}
	c.Timeout = 60 * time.Second
	return &podHTTP{mode: mode, client: c, apiHost: strings.TrimSuffix(restCfg.Host, "/")}, nil
}

func (p *podHTTP) describe() string {
	if p.mode == podAccessDirect {
		return "directly at their IP addresses"
	}
	return "through the API server's pod proxy"
}

// url returns the URL of path on the pod's port.
func (p *podHTTP) url(pod *corev1.Pod, port int, path string) string {
	if p.mode == podAccessDirect {
		return "http://" + net.JoinHostPort(pod.Status.PodIP, strconv.Itoa(port)) + path
	}
	return fmt.Sprintf("%s/api/v1/namespaces/%s/pods/%s:%d/proxy%s",
		p.apiHost, pod.Namespace, pod.Name, port, path)
}

// do sends one request and reads the whole answer.
func (p *podHTTP) do(ctx context.Context, pod *corev1.Pod, port int, method, path string,
	header http.Header, body []byte) (response, error) {
	req, err := http.NewRequestWithContext(ctx, method, p.url(pod, port, path), bytes.NewReader(body))
	if err != nil {
		return response{}, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s on pod %s port %d: %w", method, path, pod.Name, port, err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, fmt.Errorf("reading the answer of pod %s port %d: %w", pod.Name, port, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// mutate sends a protected mutation through the pod's proxy, with key as
// its idempotency key. The body names a match, which the match routes
// require and the other routes ignore.
func (p *podHTTP) mutate(ctx context.Context, pod *corev1.Pod, path, key string) (response, error) {
	header := http.Header{"Content-Type": {"application/json"}}
	if key != "" {
		header.Set("Idempotency-Key", key)
	}
	return p.do(ctx, pod, proxyPort, http.MethodPost, path, header, []byte(`{"matchId":"e2e"}`))
}

// effects reads the number of side effects the sample app of the pod has
// executed, asking the app directly.
func (p *podHTTP) effects(ctx context.Context, pod *corev1.Pod) (int, error) {
	r, err := p.do(ctx, pod, appPort, http.MethodGet, "/_effects", nil, nil)
	if err != nil {
		return 0, err
	}
	if r.status != http.StatusOK {
		return 0, fmt.Errorf("GET /_effects on pod %s: %s", pod.Name, r)
	}
	var body struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		return 0, fmt.Errorf("decoding /_effects of pod %s: %w", pod.Name, err)
	}
	return body.Total, nil
}

// totalEffects sums the side effects over the pods.
func (p *podHTTP) totalEffects(ctx context.Context, pods []*corev1.Pod) (int, error) {
	total := 0
	for _, pod := range pods {
		n, err := p.effects(ctx, pod)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// resetEffects clears the side effects of the pods' sample apps.
func (p *podHTTP) resetEffects(ctx context.Context, pods []*corev1.Pod) error {
	for _, pod := range pods {
		r, err := p.do(ctx, pod, appPort, http.MethodPost, "/_effects/reset", nil, nil)
		if err != nil {
			return err
		}
		if r.status != http.StatusOK {
			return fmt.Errorf("POST /_effects/reset on pod %s: %s", pod.Name, r)
		}
	}
	return nil
}

// loadedConfig is what the proxy's admin endpoint GET /config reports.
type loadedConfig struct {
	Hash      string   `json:"hash"`
	Policies  []string `json:"policies"`
	LastError string   `json:"lastError"`
}

// loadedConfig asks the pod's proxy which configuration it has loaded.
func (p *podHTTP) loadedConfig(ctx context.Context, pod *corev1.Pod) (loadedConfig, error) {
	r, err := p.do(ctx, pod, adminPort, http.MethodGet, "/config", nil, nil)
	if err != nil {
		return loadedConfig{}, err
	}
	if r.status != http.StatusOK {
		return loadedConfig{}, fmt.Errorf("GET /config on pod %s: %s", pod.Name, r)
	}
	var c loadedConfig
	if err := json.Unmarshal(r.body, &c); err != nil {
		return loadedConfig{}, fmt.Errorf("decoding /config of pod %s: %w", pod.Name, err)
	}
	return c, nil
}

// managerPodIP returns the IP of a running manager pod.
func managerPodIP(ctx context.Context) (string, error) {
	var list corev1.PodList
	if err := k8sClient.List(ctx, &list, client.InNamespace(operatorNamespace),
		client.MatchingLabels{"control-plane": "controller-manager"}); err != nil {
		return "", err
	}
	for _, pod := range list.Items {
		if pod.Status.Phase == corev1.PodRunning && pod.Status.PodIP != "" {
			return pod.Status.PodIP, nil
		}
	}
	return "", fmt.Errorf("no running manager pod in %s", operatorNamespace)
}
