package webhook

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	idempotencyv1alpha1 "github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// skipReason is why a pod is admitted without the proxy. Reasons with a
// warning are ones the pod's author can fix; the others are choices the
// author or the cluster made, and pass silently.
type skipReason struct {
	// result is the value of the injections metric's result label.
	result string
	// warning, when set, is returned to the client as an admission
	// warning and recorded in an Event.
	warning string
}

// Skip reasons that need no explanation to the pod's author.
var (
	skipSystemNamespace     = &skipReason{result: "skipped_system_namespace"}
	skipNamespaceNotEnabled = &skipReason{result: "skipped_namespace_not_enabled"}
	skipOptedOut            = &skipReason{result: "skipped_opted_out"}
	skipHostNetwork         = &skipReason{result: "skipped_host_network"}
	skipAlreadyInjected     = &skipReason{result: "skipped_already_injected"}
)

// skipWindows comes with a warning although there is nothing to set: the
// namespace's policies will report the pod as unprotected, and its author
// should know why.
var skipWindows = &skipReason{
	result:  "skipped_windows",
	warning: "the proxy runs on Linux only, and this is a Windows pod",
}

// systemNamespaces are never injected: the cluster's own components run
// there, and a broken sidecar must not be able to take them down.
var systemNamespaces = map[string]bool{
	metav1.NamespaceSystem:    true,
	metav1.NamespacePublic:    true,
	corev1.NamespaceNodeLease: true,
}

// skipForPod returns why a pod is not injected, judging from the pod and
// its namespace's name alone, or nil if the namespace's labels decide.
func skipForPod(pod *corev1.Pod, namespace, operatorNamespace string) *skipReason {
	switch {
	case systemNamespaces[namespace] || namespace == operatorNamespace:
		return skipSystemNamespace
	case pod.Labels[idempotencyv1alpha1.InjectLabel] == "false":
		return skipOptedOut
	case pod.Spec.HostNetwork:
		// The proxy's ports would be the node's ports: two injected pods
		// on one node would collide, and the app port would be exposed on
		// the node without the proxy in front of it.
		return skipHostNetwork
	case hasProxy(pod):
		// Under reinvocationPolicy IfNeeded the API server calls the
		// webhook again after other webhooks changed the pod; the second
		// call must leave the pod as the first one made it.
		return skipAlreadyInjected
	}
	return nil
}

// hasProxy reports whether the pod already has a container named like the
// proxy, either injected earlier or declared by its author.
func hasProxy(pod *corev1.Pod) bool {
	for _, c := range pod.Spec.InitContainers {
		if c.Name == idempotencyv1alpha1.ProxyContainerName {
			return true
		}
	}
	for _, c := range pod.Spec.Containers {
		if c.Name == idempotencyv1alpha1.ProxyContainerName {
			return true
		}
	}
	return false
}

// isWindows reports whether the pod runs on Windows nodes. The API server
// refuses Linux-only security settings, such as the proxy's seccomp
// profile, in a Windows pod: injecting would make the pod fail validation.
func isWindows(pod *corev1.Pod) bool {
	return pod.Spec.OS != nil && pod.Spec.OS.Name == corev1.Windows
}

// injectionEnabled reports whether a namespace's labels enable injection.
func injectionEnabled(ns *corev1.Namespace) bool {
	return ns.Labels[idempotencyv1alpha1.InjectionLabel] == idempotencyv1alpha1.InjectionEnabled
}
