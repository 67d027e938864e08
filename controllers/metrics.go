package controllers

import (
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// Outcomes counted by idempotency_controller_render_total.
const (
	renderCreated   = "created"
	renderUpdated   = "updated"
	renderDeleted   = "deleted"
	renderUnchanged = "unchanged"
	renderError     = "error"
)

var (
	renders = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "idempotency_controller_render_total",
		Help: "Renders of a namespace's proxy configuration, by what happened to its ConfigMap " +
			"(created, updated, deleted, unchanged, error).",
	}, []string{"result"})

	policyConditions = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "idempotency_controller_policy_condition",
		Help: "1 when the condition of the policy is True, else 0.",
	}, []string{"namespace", "policy", "condition"})

	unenforcedPods = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "idempotency_controller_unenforced_pods",
		Help: "Pods the policy selects whose sidecar does not run the current configuration.",
	}, []string{"namespace", "policy"})
)

func init() {
	metrics.Registry.MustRegister(renders, policyConditions, unenforcedPods)
}

var reportedConditions = []string{
	v1alpha1.ConditionAccepted, v1alpha1.ConditionProgrammed,
	v1alpha1.ConditionEnforced, v1alpha1.ConditionReady,
}

// observePolicyMetrics publishes the policy's conditions and counts.
func observePolicyMetrics(p *v1alpha1.IdempotencyPolicy) {
	for _, c := range reportedConditions {
		v := 0.0
		if meta.IsStatusConditionTrue(p.Status.Conditions, c) {
			v = 1
		}
		policyConditions.WithLabelValues(p.Namespace, p.Name, c).Set(v)
	}
	unenforcedPods.WithLabelValues(p.Namespace, p.Name).
		Set(float64(p.Status.SelectedPods - p.Status.EnforcedPods))
}

// forgetPolicyMetrics drops the series of a deleted policy.
func forgetPolicyMetrics(namespace, name string) {
	labels := prometheus.Labels{"namespace": namespace, "policy": name}
	policyConditions.DeletePartialMatch(labels)
	unenforcedPods.DeletePartialMatch(labels)
}
