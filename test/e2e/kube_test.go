//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// createNamespace creates a namespace named after prefix, labelled for
// injection when enabled, and deletes it when the calling container ends
// (unless E2E_KEEP_NAMESPACES=1). When a spec outside an ordered
// container fails, it prints what the namespace holds first.
func createNamespace(ctx context.Context, prefix string, enabled bool) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		GenerateName: "idp-e2e-" + prefix + "-",
		Labels:       map[string]string{"app.kubernetes.io/part-of": "idempotency-e2e"},
	}}
	if enabled {
		ns.Labels[v1alpha1.InjectionLabel] = v1alpha1.InjectionEnabled
	}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	name := ns.Name
	By("using namespace " + name)

	DeferCleanup(func(ctx SpecContext) {
		// An ordered container dumps its namespace after the spec that
		// failed; its later specs are skipped, not failed.
		if report := CurrentSpecReport(); report.Failed() && !report.IsInOrderedContainer {
			dumpNamespace(ctx, name)
		}
		if env.keepNamespaces {
			By("keeping namespace " + name + " (E2E_KEEP_NAMESPACES=1)")
			return
		}
		err := k8sClient.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
		Expect(client.IgnoreNotFound(err)).To(Succeed())
	})
	return name
}

// enableNamespace adds the injection label to an existing namespace.
func enableNamespace(ctx context.Context, name string) {
	ns := &corev1.Namespace{}
	Expect(k8sClient.Get(ctx, types.NamespacedName{Name: name}, ns)).To(Succeed())
	patch := client.MergeFrom(ns.DeepCopy())
	ns.Labels[v1alpha1.InjectionLabel] = v1alpha1.InjectionEnabled
	Expect(k8sClient.Patch(ctx, ns, patch)).To(Succeed())
}

// sampleAppLabels select the sample app's pods.
func sampleAppLabels(name string) map[string]string {
	return map[string]string{"app.kubernetes.io/name": name}
}

// sampleAppPodSpec runs the sample app on all addresses at port 9090
// named http, the port the webhook makes the proxy forward to.
func sampleAppPodSpec(args ...string) corev1.PodSpec {
	if len(args) == 0 {
		args = []string{"--listen=:9090"}
	}
	return corev1.PodSpec{
		TerminationGracePeriodSeconds: ptr.To[int64](5),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr.To(true),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Containers: []corev1.Container{{
			Name:            "app",
			Image:           env.sampleAppImage,
			ImagePullPolicy: corev1.PullIfNotPresent,
			Args:            args,
			Ports: []corev1.ContainerPort{{
				Name: "http", ContainerPort: appPort, Protocol: corev1.ProtocolTCP,
			}},
			ReadinessProbe: &corev1.Probe{
				ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
					Path: "/healthz", Port: intstr.FromString("http"),
				}},
				PeriodSeconds: 2,
			},
			SecurityContext: &corev1.SecurityContext{
				AllowPrivilegeEscalation: ptr.To(false),
				ReadOnlyRootFilesystem:   ptr.To(true),
				Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			},
		}},
	}
}

// sampleAppDeployment is the sample app with the given replicas.
func sampleAppDeployment(ns, name string, replicas int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: sampleAppLabels(name)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: sampleAppLabels(name)},
				Spec:       sampleAppPodSpec(),
			},
		},
	}
}

// sampleAppPod is a bare sample-app pod.
func sampleAppPod(ns, name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels},
		Spec:       sampleAppPodSpec(),
	}
}

// listPods returns the pods matching labels that are not being deleted,
// sorted by name.
func listPods(ctx context.Context, ns string, labels map[string]string) ([]*corev1.Pod, error) {
	var list corev1.PodList
	if err := k8sClient.List(ctx, &list, client.InNamespace(ns), client.MatchingLabels(labels)); err != nil {
		return nil, err
	}
	var out []*corev1.Pod
	for i := range list.Items {
		if list.Items[i].DeletionTimestamp.IsZero() {
			out = append(out, &list.Items[i])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// readyPods fails unless exactly n pods match labels and all are ready.
func readyPods(ctx context.Context, ns string, labels map[string]string, n int) ([]*corev1.Pod, error) {
	list, err := listPods(ctx, ns, labels)
	if err != nil {
		return nil, err
	}
	if len(list) != n {
		return nil, fmt.Errorf("%d pods, want %d", len(list), n)
	}
	for _, pod := range list {
		if !podReady(pod) {
			return nil, fmt.Errorf("pod %s is not ready: phase %s, %s", pod.Name, pod.Status.Phase, containerStates(pod))
		}
	}
	return list, nil
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// containerStates says, for each container, whether it runs, waits (and
// why) or ended.
func containerStates(pod *corev1.Pod) string {
	var parts []string
	statuses := append(append([]corev1.ContainerStatus{}, pod.Status.InitContainerStatuses...),
		pod.Status.ContainerStatuses...)
	for _, s := range statuses {
		switch {
		case s.State.Waiting != nil:
			parts = append(parts, fmt.Sprintf("%s waiting (%s: %s)", s.Name, s.State.Waiting.Reason, s.State.Waiting.Message))
		case s.State.Terminated != nil:
			parts = append(parts, fmt.Sprintf("%s terminated (%s, exit %d)", s.Name, s.State.Terminated.Reason, s.State.Terminated.ExitCode))
		default:
			parts = append(parts, fmt.Sprintf("%s running (ready %t)", s.Name, s.Ready))
		}
	}
	if len(parts) == 0 {
		return "no container started yet"
	}
	return strings.Join(parts, ", ")
}

// sidecarOf returns the injected proxy, or nil when the pod has none.
func sidecarOf(pod *corev1.Pod) *corev1.Container {
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

// expectNativeSidecar checks that the proxy was injected as an init
// container that keeps running.
func expectNativeSidecar(pod *corev1.Pod) {
	c := sidecarOf(pod)
	Expect(c).NotTo(BeNil(), "pod %s has no %s container: check the webhook "+
		"(kubectl -n %s logs deployment/%s) and the namespace label %s=%s",
		pod.Name, v1alpha1.ProxyContainerName, operatorNamespace, operatorDeployment,
		v1alpha1.InjectionLabel, v1alpha1.InjectionEnabled)
	Expect(c.RestartPolicy).NotTo(BeNil(), "the proxy of pod %s is a regular container, not a native sidecar", pod.Name)
	Expect(*c.RestartPolicy).To(Equal(corev1.ContainerRestartPolicyAlways))
	Expect(pod.Annotations).To(HaveKey(v1alpha1.InjectedAnnotation))
}

// expectNotInjected checks that the webhook left the pod alone.
func expectNotInjected(pod *corev1.Pod) {
	Expect(sidecarOf(pod)).To(BeNil(), "pod %s/%s was injected", pod.Namespace, pod.Name)
	Expect(pod.Annotations).NotTo(HaveKey(v1alpha1.InjectedAnnotation))
}

// restartCounts maps each container of each pod, by pod UID, to its
// restart count.
func restartCounts(list []*corev1.Pod) map[string]int32 {
	counts := map[string]int32{}
	for _, pod := range list {
		for _, s := range append(append([]corev1.ContainerStatus{}, pod.Status.InitContainerStatuses...),
			pod.Status.ContainerStatuses...) {
			counts[string(pod.UID)+"/"+s.Name] = s.RestartCount
		}
	}
	return counts
}

// expectSamePodsNotRestarted checks that the pods matching labels are the
// given ones, none of whose containers restarted.
func expectSamePodsNotRestarted(ctx context.Context, ns string, labels map[string]string, before []*corev1.Pod) {
	now, err := listPods(ctx, ns, labels)
	Expect(err).NotTo(HaveOccurred())
	uids := func(list []*corev1.Pod) []types.UID {
		var out []types.UID
		for _, p := range list {
			out = append(out, p.UID)
		}
		return out
	}
	Expect(uids(now)).To(ConsistOf(uids(before)), "the pods were replaced")
	for key, n := range restartCounts(now) {
		Expect(n).To(BeZero(), "container %s restarted %d times", key, n)
	}
}

// webhookHasCA fails until the webhook configuration carries a CA bundle.
func webhookHasCA(ctx context.Context) error {
	var cfg admissionregistrationv1.MutatingWebhookConfiguration
	if err := k8sClient.Get(ctx, types.NamespacedName{Name: webhookConfig}, &cfg); err != nil {
		return fmt.Errorf("reading %s: %w", webhookConfig, err)
	}
	for _, w := range cfg.Webhooks {
		if len(w.ClientConfig.CABundle) == 0 {
			return fmt.Errorf("webhook %s of %s has no caBundle yet", w.Name, webhookConfig)
		}
	}
	return nil
}
