package controllers

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestExplainPicksTheReasonThatNeedsTheUserFirst(t *testing.T) {
	cases := []struct {
		name      string
		tally     podTally
		nsEnabled bool
		reason    string
		message   string
		advice    string
	}{
		{
			name:      "all current",
			tally:     podTally{current: 3},
			nsEnabled: true,
			reason:    ReasonEnforced,
			message:   "All 3 selected pods run the sidecar with the current configuration",
		},
		{
			name:   "all current, but the namespace lost its label",
			tally:  podTally{current: 1},
			reason: ReasonEnforced,
			message: "The one selected pod runs the sidecar with the current configuration; " +
				"but namespace shop is not enabled (new pods will not get the sidecar): " +
				"kubectl label namespace shop idempotency.io/injection=enabled",
		},
		{
			name:      "pods from before injection, without a known workload",
			tally:     podTally{current: 1, missing: 1, stale: 2},
			nsEnabled: true,
			reason:    ReasonPodsMissingSidecar,
			message: "1 of 4 selected pods run the sidecar with the current configuration: " +
				"1 pod was created before injection was enabled: restart the workload " +
				"(kubectl rollout restart <workload> -n shop, or delete the pods); " +
				"2 pods still run an older configuration (kubelet updates mounted ConfigMaps within about a minute)",
			advice: "1 pod was created before injection was enabled: restart the workload " +
				"(kubectl rollout restart <workload> -n shop, or delete the pods)",
		},
		{
			name:   "namespace not enabled comes first",
			tally:  podTally{nsDisabled: 2, optedOut: 1},
			reason: ReasonNamespaceNotEnabled,
			message: "0 of 3 selected pods run the sidecar with the current configuration: " +
				"2 pods have no sidecar because namespace shop is not enabled: " +
				"kubectl label namespace shop idempotency.io/injection=enabled, then restart the workload; " +
				"1 pod opted out with label idempotency.io/inject=false",
			advice: "2 pods have no sidecar because namespace shop is not enabled: " +
				"kubectl label namespace shop idempotency.io/injection=enabled, then restart the workload",
		},
		{
			name:      "excluded pods",
			tally:     podTally{hostNetwork: 1, current: 1},
			nsEnabled: true,
			reason:    ReasonPodsExcluded,
			message: "1 of 2 selected pods run the sidecar with the current configuration: " +
				"1 pod uses host networking, which the sidecar cannot be injected into",
		},
		{
			name:      "starting pods",
			tally:     podTally{notRunning: 2},
			nsEnabled: true,
			reason:    ReasonPodsNotRunning,
			message:   "0 of 2 selected pods run the sidecar with the current configuration: 2 pods are not running yet",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			selected := tc.tally.current + tc.tally.stale + tc.tally.unreachable + tc.tally.notRunning +
				tc.tally.optedOut + tc.tally.hostNetwork + tc.tally.nsDisabled + tc.tally.missing
			reason, message, advice := tc.tally.explain("shop", selected, tc.nsEnabled)
			g.Expect(reason).To(Equal(tc.reason))
			g.Expect(message).To(Equal(tc.message))
			g.Expect(advice).To(Equal(tc.advice))
		})
	}
}

func TestWorkloadOf(t *testing.T) {
	owned := func(kind, name string, labels map[string]string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{
			Labels: labels,
			OwnerReferences: []metav1.OwnerReference{
				{Kind: kind, Name: name, Controller: new(true)},
			},
		}}
	}
	g := NewWithT(t)
	g.Expect(workloadOf(owned("ReplicaSet", "shop-5d8f", map[string]string{"pod-template-hash": "5d8f"}))).
		To(Equal("deployment/shop"))
	g.Expect(workloadOf(owned("ReplicaSet", "bare", nil))).To(BeEmpty())
	g.Expect(workloadOf(owned("StatefulSet", "db", nil))).To(Equal("statefulset/db"))
	g.Expect(workloadOf(owned("DaemonSet", "agent", nil))).To(Equal("daemonset/agent"))
	g.Expect(workloadOf(owned("Job", "migrate", nil))).To(BeEmpty())
	g.Expect(workloadOf(&corev1.Pod{})).To(BeEmpty())
}
