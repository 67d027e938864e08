package proxy

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Outcome names what the proxy did with a request on a protected route.
// It is the outcome label of idempotency_requests_total.
type Outcome string

// The outcomes. Audit outcomes record what Enforce would have done while
// the request was forwarded anyway.
const (
	OutcomeExecuted          Outcome = "executed"
	OutcomeReplayed          Outcome = "replayed"
	OutcomeConflict          Outcome = "conflict"
	OutcomeMismatch          Outcome = "mismatch"
	OutcomeMissingKey        Outcome = "missing_key"
	OutcomeInvalid           Outcome = "invalid"
	OutcomeUnkeyed           Outcome = "unkeyed"
	OutcomeNotStored         Outcome = "not_stored"
	OutcomeUpstreamError     Outcome = "upstream_error"
	OutcomeStoreUnavailable  Outcome = "store_unavailable"
	OutcomeFailOpen          Outcome = "fail_open"
	OutcomeAuditWouldReplay  Outcome = "audit_would_replay"
	OutcomeAuditWouldConfl   Outcome = "audit_would_conflict"
	OutcomeAuditWouldMismat  Outcome = "audit_would_mismatch"
	OutcomeAuditWouldReject  Outcome = "audit_would_reject"
	OutcomeResponseNotStored Outcome = "response_not_stored"
)

var allOutcomes = []Outcome{
	OutcomeExecuted, OutcomeReplayed, OutcomeConflict, OutcomeMismatch, OutcomeMissingKey,
	OutcomeInvalid, OutcomeUnkeyed, OutcomeNotStored, OutcomeUpstreamError,
	OutcomeStoreUnavailable, OutcomeFailOpen, OutcomeAuditWouldReplay, OutcomeAuditWouldConfl,
	OutcomeAuditWouldMismat, OutcomeAuditWouldReject, OutcomeResponseNotStored,
}

// Metrics are the proxy's Prometheus collectors. Labels are bounded: a
// policy is namespace/name and a route is its method and template, never
// an actual path or key.
type Metrics struct {
	requests     *prometheus.CounterVec
	replays      *prometheus.CounterVec
	conflicts    *prometheus.CounterVec
	mismatches   *prometheus.CounterVec
	storeErrors  *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	storeLatency *prometheus.HistogramVec
	configLoads  *prometheus.CounterVec
	configInfo   *prometheus.GaugeVec
}

// NewMetrics creates the collectors and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	labels := []string{"policy", "route"}
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idempotency_requests_total",
			Help: "Requests on protected routes, by what the proxy did with them.",
		}, append(labels, "outcome")),
		replays: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idempotency_replays_total",
			Help: "Stored responses replayed without calling the application.",
		}, labels),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idempotency_conflicts_total",
			Help: "Duplicates answered 409 because the first request was still in flight.",
		}, labels),
		mismatches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idempotency_mismatches_total",
			Help: "Keys reused for a different request, answered 422.",
		}, labels),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idempotency_store_errors_total",
			Help: "Store operations that failed, by operation.",
		}, append(labels, "op")),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "idempotency_request_duration_seconds",
			Help:    "Time spent on requests on protected routes, application included.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, labels),
		storeLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "idempotency_store_duration_seconds",
			Help:    "Latency of store operations, by operation.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .5, 1},
		}, []string{"op"}),
		configLoads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "idempotency_config_loads_total",
			Help: "Configuration loads, by result (success or error).",
		}, []string{"result"}),
		configInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "idempotency_config_info",
			Help: "The loaded configuration: 1 for its hash.",
		}, []string{"hash"}),
	}
	reg.MustRegister(m.requests, m.replays, m.conflicts, m.mismatches, m.storeErrors,
		m.duration, m.storeLatency, m.configLoads, m.configInfo)
	return m
}

// routeMetrics are a route's collectors with its labels already bound, so
// that the request path does no label lookups.
type routeMetrics struct {
	outcomes    map[Outcome]prometheus.Counter
	replays     prometheus.Counter
	conflicts   prometheus.Counter
	mismatches  prometheus.Counter
	storeErrors map[string]prometheus.Counter
	duration    prometheus.Observer
	storeOps    map[string]prometheus.Observer
}

var storeOps = []string{"claim", "complete", "release", "extend", "wait"}

func (m *Metrics) forRoute(policy, route string) *routeMetrics {
	rm := &routeMetrics{
		outcomes:    make(map[Outcome]prometheus.Counter, len(allOutcomes)),
		replays:     m.replays.WithLabelValues(policy, route),
		conflicts:   m.conflicts.WithLabelValues(policy, route),
		mismatches:  m.mismatches.WithLabelValues(policy, route),
		storeErrors: map[string]prometheus.Counter{},
		duration:    m.duration.WithLabelValues(policy, route),
		storeOps:    map[string]prometheus.Observer{},
	}
	for _, o := range allOutcomes {
		rm.outcomes[o] = m.requests.WithLabelValues(policy, route, string(o))
	}
	for _, op := range storeOps {
		rm.storeErrors[op] = m.storeErrors.WithLabelValues(policy, route, op)
		rm.storeOps[op] = m.storeLatency.WithLabelValues(op)
	}
	return rm
}

// ConfigFailed records a configuration that could not be loaded.
func (m *Metrics) ConfigFailed() {
	m.configLoads.WithLabelValues("error").Inc()
}

// ConfigLoaded records a successful configuration load.
func (m *Metrics) ConfigLoaded(hash string) {
	m.configLoads.WithLabelValues("success").Inc()
	m.configInfo.Reset()
	m.configInfo.WithLabelValues(hash).Set(1)
}
