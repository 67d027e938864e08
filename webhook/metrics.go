package webhook

import (
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Values of the result label of the injections metric. A pod is counted
// once per admission request, so a pod the API server sends again under
// reinvocationPolicy IfNeeded is counted again, as skipped_already_injected.
const (
	resultInjected = "injected"
	resultFailed   = "failed"

	resultNoAppPort         = "skipped_no_app_port"
	resultPortConflict      = "skipped_port_conflict"
	resultInvalidAnnotation = "skipped_invalid_annotation"
	resultVolumeConflict    = "skipped_volume_conflict"
)

// injections counts the pods the webhook was asked about, by result. The
// latency of admission requests is already measured by controller-runtime's
// controller_runtime_webhook_latency_seconds{webhook="/mutate-v1-pod"}.
var injections = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "idempotency_injections_total",
	Help: "Pods admitted by the injection webhook, by result: injected, skipped_<reason> or failed.",
}, []string{"result"})

func init() {
	metrics.Registry.MustRegister(injections)

	// Every result is exported from the start, so that rates and alerts
	// work before the first pod of each kind.
	for _, result := range []string{
		resultInjected, resultFailed,
		skipSystemNamespace.result, skipNamespaceNotEnabled.result, skipOptedOut.result,
		skipHostNetwork.result, skipWindows.result, skipAlreadyInjected.result,
		resultNoAppPort, resultPortConflict, resultInvalidAnnotation, resultVolumeConflict,
	} {
		injections.WithLabelValues(result)
	}
}
