package controllers

import (
	"context"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

var _ = Describe("Enforcement by the selected pods", func() {
	var (
		ctx  context.Context
		ns   string
		shop = map[string]string{"app": "shop"}
	)
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx, true)
	})

	It("is True when every selected pod's sidecar runs the current configuration, as kubectl get shows", func() {
		for _, name := range []string{"shop-1", "shop-2"} {
			sidecars.followsConfigMap(newPod(ctx, ns, name, podOptions{labels: shop, sidecar: true, running: true}))
		}
		// Neither selected nor counted: another app, and a finished pod.
		newPod(ctx, ns, "other", podOptions{labels: map[string]string{"app": "other"}, running: true})
		newPod(ctx, ns, "shop-done", podOptions{labels: shop, sidecar: true, phase: corev1.PodSucceeded})

		policy := selectApp(newPolicy(ns, "orders", "/orders"), "shop")
		policy.Spec.Mode = v1alpha1.ModeAudit
		create(ctx, policy)

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			c := expectCondition(g, p, v1alpha1.ConditionEnforced, metav1.ConditionTrue, ReasonEnforced)
			g.Expect(c.Message).To(Equal("All 2 selected pods run the sidecar with the current configuration"))
			expectCondition(g, p, v1alpha1.ConditionReady, metav1.ConditionTrue, ReasonReady)
			g.Expect(p.Status.SelectedPods).To(Equal(int32(2)))
			g.Expect(p.Status.EnforcedPods).To(Equal(int32(2)))
			g.Expect(p.Status.Enforced).To(Equal("2/2"))
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			row := printedTable(ctx, g, ns, "orders")
			g.Expect(row).To(HaveLen(6))
			g.Expect(row).To(HaveKeyWithValue("NAME", "orders"))
			g.Expect(row).To(HaveKeyWithValue("MODE", "Audit"))
			g.Expect(row).To(HaveKeyWithValue("ROUTES", BeNumerically("==", 1)))
			g.Expect(row).To(HaveKeyWithValue("ENFORCED", "2/2"))
			g.Expect(row).To(HaveKeyWithValue("READY", "True"))
			g.Expect(row).To(HaveKeyWithValue("AGE", Not(BeEmpty())))
		}).Should(Succeed())
	})

	It("says how many pods lack the sidecar or run an older configuration, and why", func() {
		current := newPod(ctx, ns, "shop-1", podOptions{labels: shop, sidecar: true, running: true})
		sidecars.followsConfigMap(current)
		stale := newPod(ctx, ns, "shop-2", podOptions{labels: shop, sidecar: true, running: true})
		sidecars.loads(stale, "sha256:older")
		newPod(ctx, ns, "shop-3", podOptions{labels: shop, running: true, replicaSet: "shop"})
		newPod(ctx, ns, "shop-4", podOptions{labels: shop, running: true, replicaSet: "shop"})
		optOut := map[string]string{"app": "shop", v1alpha1.InjectLabel: "false"}
		newPod(ctx, ns, "shop-5", podOptions{labels: optOut, running: true})
		newPod(ctx, ns, "shop-6", podOptions{labels: shop, sidecar: true})

		create(ctx, selectApp(newPolicy(ns, "orders", "/orders"), "shop"))

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			c := expectCondition(g, p, v1alpha1.ConditionEnforced, metav1.ConditionFalse, ReasonPodsMissingSidecar)
			g.Expect(c.Message).To(HavePrefix("1 of 6 selected pods run the sidecar with the current configuration: "))
			g.Expect(c.Message).To(ContainSubstring("2 pods were created before injection was enabled: " +
				"restart the workload (kubectl rollout restart deployment/shop -n " + ns + ")"))
			g.Expect(c.Message).To(ContainSubstring("1 pod opted out with label idempotency.io/inject=false"))
			g.Expect(c.Message).To(ContainSubstring("1 pod still runs an older configuration " +
				"(kubelet updates mounted ConfigMaps within about a minute)"))
			g.Expect(c.Message).To(ContainSubstring("1 pod is not running yet"))
			expectCondition(g, p, v1alpha1.ConditionReady, metav1.ConditionFalse, ReasonPodsMissingSidecar)
			g.Expect(p.Status.Enforced).To(Equal("1/6"))
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			notes := eventNotes(ctx, g, ns, "orders", EventPodsMissingSidecar)
			g.Expect(notes).To(ContainElement(ContainSubstring("kubectl rollout restart deployment/shop")))
		}).Should(Succeed())

		// The stale sidecar catches up, the pods without it are replaced
		// by pods with it, and the rest leave.
		sidecars.followsConfigMap(stale)
		for _, name := range []string{"shop-3", "shop-4", "shop-5", "shop-6"} {
			Expect(k8sClient.Delete(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}},
				client.GracePeriodSeconds(0))).To(Succeed())
		}
		sidecars.followsConfigMap(newPod(ctx, ns, "shop-7", podOptions{labels: shop, sidecar: true, running: true}))

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			expectCondition(g, p, v1alpha1.ConditionEnforced, metav1.ConditionTrue, ReasonEnforced)
			g.Expect(p.Status.Enforced).To(Equal("3/3"))
		}).Should(Succeed())
	})

	It("reports pods whose sidecar keeps the previous configuration after the policy changes", func() {
		pod := newPod(ctx, ns, "shop-1", podOptions{labels: shop, sidecar: true, running: true})
		create(ctx, selectApp(newPolicy(ns, "orders", "/orders"), "shop"))

		var first string
		Eventually(func(g Gomega) {
			first = getPolicy(ctx, g, ns, "orders").Status.ConfigHash
			g.Expect(first).NotTo(BeEmpty())
		}).Should(Succeed())
		sidecars.loads(pod, first)
		Eventually(func(g Gomega) {
			g.Expect(getPolicy(ctx, g, ns, "orders").Status.Enforced).To(Equal("1/1"))
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			p.Spec.TTL = "1h"
			g.Expect(k8sClient.Update(ctx, p)).To(Succeed())
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			g.Expect(p.Status.ConfigHash).NotTo(Equal(first))
			c := expectCondition(g, p, v1alpha1.ConditionEnforced, metav1.ConditionFalse, ReasonConfigNotLoaded)
			g.Expect(c.Message).To(ContainSubstring("1 pod still runs an older configuration"))
			g.Expect(p.Status.Enforced).To(Equal("0/1"))
		}).Should(Succeed())

		// The kubelet updates the mounted file and the proxy reloads it.
		sidecars.followsConfigMap(pod)
		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			expectCondition(g, p, v1alpha1.ConditionEnforced, metav1.ConditionTrue, ReasonEnforced)
			g.Expect(p.Status.Enforced).To(Equal("1/1"))
		}).Should(Succeed())
	})

	It("follows the namespace's injection label", func() {
		ns := newNamespace(ctx, false)
		newPod(ctx, ns, "shop-1", podOptions{labels: shop, running: true, replicaSet: "shop"})
		create(ctx, newPolicy(ns, "orders", "/orders"))

		advice := "kubectl label namespace " + ns + " idempotency.io/injection=enabled"
		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			c := expectCondition(g, p, v1alpha1.ConditionEnforced, metav1.ConditionFalse, ReasonNamespaceNotEnabled)
			g.Expect(c.Message).To(ContainSubstring("namespace " + ns + " is not enabled: " + advice))
			g.Expect(p.Status.Enforced).To(Equal("0/1"))
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			namespace := &corev1.Namespace{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Name: ns}, namespace)).To(Succeed())
			namespace.Labels[v1alpha1.InjectionLabel] = v1alpha1.InjectionEnabled
			g.Expect(k8sClient.Update(ctx, namespace)).To(Succeed())
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			c := expectCondition(g, p, v1alpha1.ConditionEnforced, metav1.ConditionFalse, ReasonPodsMissingSidecar)
			g.Expect(c.Message).To(ContainSubstring("1 pod was created before injection was enabled"))
			g.Expect(c.Message).NotTo(ContainSubstring(advice))
		}).Should(Succeed())
	})

	It("is False for a namespace without injection even before any pod runs", func() {
		ns := newNamespace(ctx, false)
		create(ctx, newPolicy(ns, "orders", "/orders"))

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			c := expectCondition(g, p, v1alpha1.ConditionEnforced, metav1.ConditionFalse, ReasonNamespaceNotEnabled)
			g.Expect(c.Message).To(HavePrefix("No pods selected"))
			g.Expect(p.Status.Enforced).To(Equal("0/0"))
		}).Should(Succeed())
	})

	It("follows pod labels in and out of the selector", func() {
		pod := newPod(ctx, ns, "web-1", podOptions{labels: map[string]string{"app": "web"}, sidecar: true, running: true})
		sidecars.followsConfigMap(pod)
		create(ctx, selectApp(newPolicy(ns, "orders", "/orders"), "shop"))

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			expectCondition(g, p, v1alpha1.ConditionEnforced, metav1.ConditionTrue, ReasonNoPods)
			g.Expect(p.Status.Enforced).To(Equal("0/0"))
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(pod), pod)).To(Succeed())
			pod.Labels["app"] = "shop"
			g.Expect(k8sClient.Update(ctx, pod)).To(Succeed())
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			expectCondition(g, p, v1alpha1.ConditionEnforced, metav1.ConditionTrue, ReasonEnforced)
			g.Expect(p.Status.Enforced).To(Equal("1/1"))
		}).Should(Succeed())
	})

	It("counts a sidecar that does not answer as not enforcing", func() {
		// The fake answers for no pod it was not told about.
		newPod(ctx, ns, "shop-1", podOptions{labels: shop, sidecar: true, running: true})
		create(ctx, newPolicy(ns, "orders", "/orders"))

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			c := expectCondition(g, p, v1alpha1.ConditionEnforced, metav1.ConditionFalse, ReasonConfigNotLoaded)
			g.Expect(c.Message).To(ContainSubstring("1 pod did not report a loaded configuration (pod shop-1: connection refused)"))
			g.Expect(strings.Count(c.Message, "connection refused")).To(Equal(1))
		}).Should(Succeed())
	})
})
