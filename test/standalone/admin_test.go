package standalone

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// configHashHeader carries the active configuration's hash on every
// admin response.
const configHashHeader = "X-Idempotency-Config-Hash"

func TestAdminEndpointsReportHealthReadinessAndTheLoadedConfiguration(t *testing.T) {
	t.Parallel()
	_, px := startDemo(t)

	cfg := get(t, px.admin+"/config")
	status := px.config()
	if !strings.HasPrefix(status.Hash, "sha256:") || len(status.Hash) != len("sha256:")+64 {
		t.Errorf("/config hash = %q, want sha256: and 64 hex digits", status.Hash)
	}
	if got := cfg.header.Get(configHashHeader); got != status.Hash {
		t.Errorf("/config %s header = %q, want the hash in the body %q",
			configHashHeader, got, status.Hash)
	}
	if status.APIVersion != "proxy.idempotency.io/v1" {
		t.Errorf("/config apiVersion = %q, want proxy.idempotency.io/v1", status.APIVersion)
	}
	if !slices.Equal(status.Policies, []string{"sample-app"}) || status.LastError != "" {
		t.Errorf("/config policies = %q, lastError = %q; want [sample-app] and no error",
			status.Policies, status.LastError)
	}

	for _, path := range []string{"/healthz", "/readyz"} {
		r := get(t, px.admin+path)
		if r.status != http.StatusOK || strings.TrimSpace(r.body) != "ok" {
			t.Errorf("GET %s = %s, want 200 ok", path, r)
		}
		if got := r.header.Get(configHashHeader); got != status.Hash {
			t.Errorf("GET %s %s header = %q, want %q", path, configHashHeader, got, status.Hash)
		}
	}
}

func TestMetricsCountWhatTheProxyDidByPolicyRouteAndOutcome(t *testing.T) {
	t.Parallel()
	_, px := startDemo(t)
	post(t, px.url+pairCreate, "metrics-1", "{}")
	post(t, px.url+pairCreate, "metrics-1", "{}")
	post(t, px.url+pairCreate, "", "{}")

	metrics := px.metrics()
	route := []string{"policy", "sample-app", "route", "POST " + pairCreate}
	outcomes := map[string]float64{"executed": 1, "replayed": 1, "unkeyed": 1, "conflict": 0}
	for outcome, want := range outcomes {
		wantMetric(t, metrics, want, "idempotency_requests_total", append(route, "outcome", outcome)...)
	}
	wantMetric(t, metrics, 1, "idempotency_replays_total", route...)
	wantMetric(t, metrics, 1, "idempotency_config_info", "hash", px.config().Hash)
	wantMetric(t, metrics, 1, "idempotency_config_loads_total", "result", "success")
	if strings.Contains(metrics, "metrics-1") {
		t.Errorf("/metrics contains an idempotency key")
	}
}
