package controllers

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// explain turns the tally into the Enforced condition's reason and
// message, and the advice about pods without the sidecar.
func (t *podTally) explain(namespace string, selected int,
	nsEnabled bool) (reason, message, advice string) {
	if t.current == selected {
		message = fmt.Sprintf("All %d selected pods run the sidecar with the current configuration", selected)
		if selected == 1 {
			message = "The one selected pod runs the sidecar with the current configuration"
		}
		if !nsEnabled {
			message += "; but " + namespaceAdvice(namespace, "new pods will not get the sidecar")
		}
		return ReasonEnforced, message, ""
	}

	var parts, sidecar []string
	if t.nsDisabled > 0 {
		s := fmt.Sprintf("%s no sidecar because %s", have(t.nsDisabled), namespaceAdvice(namespace, "")) +
			", then restart the workload"
		parts, sidecar = append(parts, s), append(sidecar, s)
	}
	if t.missing > 0 {
		s := fmt.Sprintf("%s created before injection was enabled: restart the workload (%s)",
			were(t.missing), restartAdvice(namespace, t.workloads))
		parts, sidecar = append(parts, s), append(sidecar, s)
	}
	if t.optedOut > 0 {
		parts = append(parts, fmt.Sprintf("%s opted out with label %s=false",
			countOf(t.optedOut, "pod"), v1alpha1.InjectLabel))
	}
	if t.hostNetwork > 0 {
		parts = append(parts, fmt.Sprintf("%s host networking, which the sidecar cannot be injected into",
			use(t.hostNetwork)))
	}
	if t.stale > 0 {
		parts = append(parts, fmt.Sprintf("%s an older configuration "+
			"(kubelet updates mounted ConfigMaps within about a minute)", stillRun(t.stale)))
	}
	if t.unreachable > 0 {
		parts = append(parts, fmt.Sprintf("%s did not report a loaded configuration (%s)",
			countOf(t.unreachable, "pod"), t.firstError))
	}
	if t.notRunning > 0 {
		parts = append(parts, fmt.Sprintf("%s not running yet", are(t.notRunning)))
	}

	switch {
	case t.nsDisabled > 0:
		reason = ReasonNamespaceNotEnabled
	case t.missing > 0:
		reason = ReasonPodsMissingSidecar
	case t.optedOut > 0 || t.hostNetwork > 0:
		reason = ReasonPodsExcluded
	case t.stale > 0 || t.unreachable > 0:
		reason = ReasonConfigNotLoaded
	default:
		reason = ReasonPodsNotRunning
	}
	message = fmt.Sprintf("%d of %s run the sidecar with the current configuration: %s",
		t.current, countOf(selected, "selected pod"), strings.Join(parts, "; "))
	return reason, message, strings.Join(sidecar, "; ")
}

// namespaceAdvice says the namespace is not enabled and how to enable it.
func namespaceAdvice(namespace, consequence string) string {
	s := fmt.Sprintf("namespace %s is not enabled", namespace)
	if consequence != "" {
		s += " (" + consequence + ")"
	}
	return s + fmt.Sprintf(": kubectl label namespace %s %s=%s",
		namespace, v1alpha1.InjectionLabel, v1alpha1.InjectionEnabled)
}

// restartAdvice gives the command that recreates the pods.
func restartAdvice(namespace string, workloads []string) string {
	if len(workloads) == 0 {
		return fmt.Sprintf("kubectl rollout restart <workload> -n %s, or delete the pods", namespace)
	}
	const shown = 3
	cmds := make([]string, 0, shown)
	for i, w := range workloads {
		if i == shown {
			break
		}
		cmds = append(cmds, fmt.Sprintf("kubectl rollout restart %s -n %s", w, namespace))
	}
	s := strings.Join(cmds, ", ")
	if len(workloads) > shown {
		s += fmt.Sprintf(" and %d more", len(workloads)-shown)
	}
	return s
}

// workloadOf names, as kubectl does, the workload that owns the pod, or
// returns "" when it is none kubectl rollout restart can handle.
func workloadOf(pod *corev1.Pod) string {
	owner := metav1.GetControllerOf(pod)
	if owner == nil {
		return ""
	}
	switch owner.Kind {
	case "ReplicaSet":
		// A Deployment names its ReplicaSets <deployment>-<pod-template-hash>.
		if h := pod.Labels["pod-template-hash"]; h != "" && strings.HasSuffix(owner.Name, "-"+h) {
			return "deployment/" + strings.TrimSuffix(owner.Name, "-"+h)
		}
		return ""
	case "StatefulSet":
		return "statefulset/" + owner.Name
	case "DaemonSet":
		return "daemonset/" + owner.Name
	}
	return ""
}

// countOf writes "1 pod" or "3 pods".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func were(n int) string     { return countOf(n, "pod") + plural(n, " was", " were") }
func are(n int) string      { return countOf(n, "pod") + plural(n, " is", " are") }
func have(n int) string     { return countOf(n, "pod") + plural(n, " has", " have") }
func use(n int) string      { return countOf(n, "pod") + plural(n, " uses", " use") }
func stillRun(n int) string { return countOf(n, "pod") + plural(n, " still runs", " still run") }
