package admin

import (
	"encoding/json"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/idempotency-operator/idempotency-operator/proxy/config"
	"github.com/idempotency-operator/idempotency-operator/proxy/reload"
)

// ConfigHashHeader carries the loaded configuration's hash on every admin
// response, so that a probe or a controller learns it from any endpoint.
const ConfigHashHeader = "X-Idempotency-Config-Hash"

// Options wire the admin endpoints to the running proxy.
type Options struct {
	// Status reports the configuration load state.
	Status func() reload.Status
	// Ready reports whether the proxy can serve protected traffic, and if
	// not, why.
	Ready func() (bool, string)
	// Gatherer provides the metrics served at /metrics.
	Gatherer prometheus.Gatherer
	// Version is the proxy's version, reported at /config.
	Version string
}

// configResponse is the body of GET /config.
type configResponse struct {
	APIVersion string `json:"apiVersion"`
	Version    string `json:"version"`
	reload.Status
}

// NewHandler returns the admin mux:
//
//	GET /healthz  200 while the process runs
//	GET /readyz   200 once the configuration and stores are ready, else 503
//	GET /metrics  Prometheus metrics
//	GET /config   the loaded configuration's hash, policies and last error
func NewHandler(opts Options) http.Handler {
	mux := http.NewServeMux()
	withHash := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if hash := opts.Status().Hash; hash != "" {
				w.Header().Set(ConfigHashHeader, hash)
			}
			h(w, r)
		}
	}
	mux.HandleFunc("GET /healthz", withHash(func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok")
	}))
	mux.HandleFunc("GET /readyz", withHash(func(w http.ResponseWriter, _ *http.Request) {
		if ok, why := opts.Ready(); !ok {
			writeText(w, http.StatusServiceUnavailable, "not ready: "+why)
			return
		}
		writeText(w, http.StatusOK, "ok")
	}))
	metrics := promhttp.HandlerFor(opts.Gatherer, promhttp.HandlerOpts{})
	mux.HandleFunc("GET /metrics", withHash(metrics.ServeHTTP))
	mux.HandleFunc("GET /config", withHash(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(configResponse{
			APIVersion: config.APIVersion,
			Version:    opts.Version,
			Status:     opts.Status(),
		})
	}))
	return mux
}

func writeText(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}
