package webhook_test

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	idempotencyv1alpha1 "github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
	"github.com/idempotency-operator/idempotency-operator/webhook"
)

const configHash = "sha256:8d3f1b0c7a52"

var _ = Describe("The pod injector, called by the API server", func() {
	var ctx context.Context

	BeforeEach(func() {
		ctx = context.Background()
		warnings.take()
	})

	It("adds the proxy to a pod of an enabled namespace, and the API server accepts it", func() {
		ns := enabledNamespace(ctx, nil)
		withPolicy(ctx, ns, "orders-redis")

		pod := appPod(ns)
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())

		Expect(pod.Annotations).To(HaveKeyWithValue(idempotencyv1alpha1.InjectedAnnotation, proxyVersion))
		Expect(pod.Annotations).To(HaveKeyWithValue(idempotencyv1alpha1.InjectedConfigHashAnnotation, configHash))
		Expect(pod.Spec.Containers).To(HaveLen(1), "the application's containers are left as they were")
		Expect(pod.Spec.InitContainers).To(HaveLen(1))

		proxy := pod.Spec.InitContainers[0]
		Expect(proxy.Name).To(Equal(idempotencyv1alpha1.ProxyContainerName))
		Expect(proxy.Image).To(Equal(proxyImage))
		Expect(proxy.RestartPolicy).To(HaveValue(Equal(corev1.ContainerRestartPolicyAlways)))
		Expect(proxy.Args).To(ContainElement("--upstream=http://127.0.0.1:8000"))
		Expect(proxy.Ports).To(ConsistOf(
			HaveField("Name", idempotencyv1alpha1.ProxyPortName),
			HaveField("Name", idempotencyv1alpha1.AdminPortName),
		))
		for _, probe := range []*corev1.Probe{proxy.StartupProbe, proxy.ReadinessProbe, proxy.LivenessProbe} {
			Expect(probe).NotTo(BeNil())
			Expect(probe.HTTPGet.Port.StrVal).To(Equal(idempotencyv1alpha1.AdminPortName))
		}
		Expect(proxy.StartupProbe.HTTPGet.Path).To(Equal("/readyz"))
		Expect(proxy.ReadinessProbe.HTTPGet.Path).To(Equal("/readyz"))
		Expect(proxy.LivenessProbe.HTTPGet.Path).To(Equal("/healthz"))
		Expect(proxy.SecurityContext).To(And(
			HaveField("RunAsNonRoot", HaveValue(BeTrue())),
			HaveField("RunAsUser", HaveValue(BeEquivalentTo(65532))),
			HaveField("AllowPrivilegeEscalation", HaveValue(BeFalse())),
			HaveField("ReadOnlyRootFilesystem", HaveValue(BeTrue())),
			HaveField("Capabilities.Drop", ConsistOf(corev1.Capability("ALL"))),
			HaveField("SeccompProfile.Type", corev1.SeccompProfileTypeRuntimeDefault),
		))
		Expect(pod.Spec.Volumes).To(ContainElements(
			HaveField("ConfigMap.Name", idempotencyv1alpha1.ConfigMapName),
			HaveField("DownwardAPI.Items", ConsistOf(HaveField("FieldRef.FieldPath", "metadata.labels"))),
			HaveField("Secret.SecretName", "orders-redis"),
		))
		Expect(proxy.VolumeMounts).To(ContainElement(
			HaveField("MountPath", idempotencyv1alpha1.SecretsMountPath+"/orders-redis")))
		Expect(warnings.take()).To(BeEmpty())
	})

	It("leaves a pod of a namespace without the label untouched, without being called", func() {
		ns := namespace(ctx, nil)
		calls := handlerTimes.calls(webhook.Path)

		pod := appPod(ns)
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())

		Expect(pod.Spec.InitContainers).To(BeEmpty())
		Expect(pod.Spec.Containers).To(HaveLen(1))
		Expect(pod.Annotations).NotTo(HaveKey(idempotencyv1alpha1.InjectedAnnotation))
		Expect(handlerTimes.calls(webhook.Path)).To(Equal(calls))
	})

	It("leaves a pod labelled idempotency.io/inject=false untouched", func() {
		ns := enabledNamespace(ctx, nil)

		pod := appPod(ns)
		pod.Labels[idempotencyv1alpha1.InjectLabel] = "false"
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())

		Expect(pod.Spec.InitContainers).To(BeEmpty())
		Expect(pod.Annotations).NotTo(HaveKey(idempotencyv1alpha1.InjectedAnnotation))
	})

	It("adds nothing to a pod created from an injected pod's spec", func() {
		ns := enabledNamespace(ctx, nil)
		injected := appPod(ns)
		Expect(k8sClient.Create(ctx, injected)).To(Succeed())
		Expect(injected.Spec.InitContainers).To(HaveLen(1))

		copied := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Namespace:   ns,
				Name:        "copy-of-an-injected-pod",
				Labels:      injected.Labels,
				Annotations: injected.Annotations,
			},
			Spec: *injected.Spec.DeepCopy(),
		}
		already := injectionsCounted("skipped_already_injected")
		Expect(k8sClient.Create(ctx, copied)).To(Succeed())

		Expect(copied.Spec).To(Equal(injected.Spec))
		Expect(copied.Annotations).To(Equal(injected.Annotations))
		Expect(injectionsCounted("skipped_already_injected")).To(Equal(already + 1))
	})

	It("changes nothing when the API server calls it again after another webhook", func() {
		ns := enabledNamespace(ctx, map[string]string{touchLabel: "true"})
		calls := handlerTimes.calls(webhook.Path)
		already := injectionsCounted("skipped_already_injected")

		pod := appPod(ns)
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())

		Expect(pod.Annotations).To(HaveKeyWithValue(touchAnnotation, "true"))
		Expect(handlerTimes.calls(webhook.Path)).To(Equal(calls+2), "the injector is reinvoked")
		Expect(injectionsCounted("skipped_already_injected")).To(Equal(already + 1))
		Expect(pod.Spec.InitContainers).To(HaveLen(1))
		Expect(pod.Spec.Volumes).To(HaveLen(2))
	})

	It("admits a pod whose port it cannot tell without the proxy, saying what to set", func() {
		ns := enabledNamespace(ctx, nil)
		withPolicy(ctx, ns, "")

		pod := appPod(ns)
		pod.Spec.Containers[0].Ports = nil
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())

		Expect(pod.Spec.InitContainers).To(BeEmpty())
		Expect(warnings.take()).To(ConsistOf(ContainSubstring(
			"set the annotation " + idempotencyv1alpha1.AppPortAnnotation)))
		Eventually(func(g Gomega) {
			list := &eventsv1.EventList{}
			g.Expect(k8sClient.List(ctx, list, client.InNamespace(ns))).To(Succeed())
			g.Expect(list.Items).To(ContainElement(And(
				HaveField("Reason", "InjectionSkipped"),
				HaveField("Regarding.Kind", "IdempotencyPolicy"),
				HaveField("Regarding.Name", "orders"),
			)))
		}).Should(Succeed())
	})

	It("adds a sidecar that passes the restricted Pod Security Standard", func() {
		ns := enabledNamespace(ctx, map[string]string{"pod-security.kubernetes.io/enforce": "restricted"})

		By("rejecting an application container that is not restricted itself")
		err := k8sClient.Create(ctx, appPod(ns))
		Expect(apierrors.IsForbidden(err)).To(BeTrue(), "got %v", err)
		Expect(err.Error()).To(ContainSubstring("violates PodSecurity"))
		Expect(err.Error()).NotTo(ContainSubstring(idempotencyv1alpha1.ProxyContainerName))

		By("admitting a restricted application with the sidecar")
		pod := restricted(appPod(ns))
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())
		Expect(pod.Spec.InitContainers).To(ConsistOf(HaveField("Name", idempotencyv1alpha1.ProxyContainerName)))
		Expect(warnings.take()).To(BeEmpty())
	})
})

// namespace creates a namespace with labels and returns its name.
func namespace(ctx context.Context, labels map[string]string) string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "inject-", Labels: labels}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

// enabledNamespace creates a namespace that enables injection and has a
// rendered proxy configuration.
func enabledNamespace(ctx context.Context, labels map[string]string) string {
	GinkgoHelper()
	all := map[string]string{idempotencyv1alpha1.InjectionLabel: idempotencyv1alpha1.InjectionEnabled}
	for k, v := range labels {
		all[k] = v
	}
	ns := namespace(ctx, all)

	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:   ns,
			Name:        idempotencyv1alpha1.ConfigMapName,
			Annotations: map[string]string{idempotencyv1alpha1.ConfigHashAnnotation: configHash},
		},
		Data: map[string]string{idempotencyv1alpha1.ConfigMapKey: "{}\n"},
	}
	Expect(k8sClient.Create(ctx, cm)).To(Succeed())
	// The injector reads through the manager's cache, which learns of
	// the new objects a moment later.
	Eventually(func() error {
		return cachedClient.Get(ctx, client.ObjectKeyFromObject(cm), &corev1.ConfigMap{})
	}).Should(Succeed())
	return ns
}

// withPolicy creates the policy "orders" in ns, with a Redis store whose
// URL is in secret, or a memory store when secret is empty, and waits for
// the injector's cache to have it.
func withPolicy(ctx context.Context, ns, secret string) {
	GinkgoHelper()
	policy := &idempotencyv1alpha1.IdempotencyPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "orders"},
		Spec: idempotencyv1alpha1.IdempotencyPolicySpec{
			Routes: []idempotencyv1alpha1.Route{{Path: "/orders", Methods: []string{"POST"}}},
		},
	}
	if secret != "" {
		policy.Spec.Store = idempotencyv1alpha1.Store{
			Type:         idempotencyv1alpha1.StoreRedis,
			URLSecretRef: &idempotencyv1alpha1.SecretKeyRef{Name: secret, Key: "url"},
		}
	}
	Expect(k8sClient.Create(ctx, policy)).To(Succeed())
	Eventually(func() error {
		return cachedClient.Get(ctx, client.ObjectKeyFromObject(policy), &idempotencyv1alpha1.IdempotencyPolicy{})
	}).Should(Succeed())
}

// appPod is a pod as a Deployment's ReplicaSet creates it in ns.
func appPod(ns string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:    ns,
			GenerateName: "orders-7c9d8f5b6d-",
			Labels:       map[string]string{"app": "orders"},
		},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:  "orders",
				Image: "registry.example.com/shop/orders:1.4.2",
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8000}},
			}},
		},
	}
}

// restricted makes pod's application pass the restricted Pod Security
// Standard.
func restricted(pod *corev1.Pod) *corev1.Pod {
	pod.Spec.SecurityContext = &corev1.PodSecurityContext{
		RunAsNonRoot:   ptr.To(true),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	for i := range pod.Spec.Containers {
		pod.Spec.Containers[i].SecurityContext = &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		}
	}
	return pod
}

// injectionsCounted reads the injector's injections metric for result.
func injectionsCounted(result string) float64 {
	GinkgoHelper()
	families, err := ctrlmetrics.Registry.Gather()
	Expect(err).NotTo(HaveOccurred())
	for _, f := range families {
		if f.GetName() != "idempotency_injections_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			if labelValue(m, "result") == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	Fail("no idempotency_injections_total{result=" + result + "}")
	return 0
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
