package controllers

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

var _ = Describe("Rendering a namespace's policies", func() {
	var (
		ctx context.Context
		ns  string
	)
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx, true)
	})

	It("renders a new policy into the ConfigMap the proxy parses, with its hash in the status", func() {
		create(ctx, newPolicy(ns, "orders", "/orders"))

		Eventually(func(g Gomega) {
			cm, doc := renderedConfig(ctx, g, ns)
			g.Expect(cm.Labels).To(HaveKeyWithValue(v1alpha1.ManagedByLabel, v1alpha1.ManagedByValue))
			g.Expect(ownerNames(cm)).To(ConsistOf("orders"))
			for _, ref := range cm.OwnerReferences {
				g.Expect(ref.Controller).To(BeNil(), "owner references are plain, not controller ones")
			}
			g.Expect(policyNames(doc)).To(Equal([]string{"orders"}))
			g.Expect(doc.Policies[0].Routes[0].Path).To(Equal("/orders"))
			g.Expect(doc.Policies[0].Routes[0].Methods).To(Equal([]string{"POST"}))

			p := getPolicy(ctx, g, ns, "orders")
			g.Expect(p.Status.ConfigHash).To(Equal(cm.Annotations[v1alpha1.ConfigHashAnnotation]))
			g.Expect(p.Status.ObservedGeneration).To(Equal(p.Generation))
			expectCondition(g, p, v1alpha1.ConditionAccepted, metav1.ConditionTrue, ReasonAccepted)
			expectCondition(g, p, v1alpha1.ConditionProgrammed, metav1.ConditionTrue, ReasonRendered)
			expectCondition(g, p, v1alpha1.ConditionEnforced, metav1.ConditionTrue, ReasonNoPods)
			expectCondition(g, p, v1alpha1.ConditionReady, metav1.ConditionTrue, ReasonReady)
			g.Expect(p.Status.Routes).To(Equal(int32(1)))
			g.Expect(p.Status.Enforced).To(Equal("0/0"))
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			g.Expect(eventReasons(ctx, g, ns, "orders")).To(ContainElement(EventConfigRendered))
		}).Should(Succeed())
	})

	It("renders again with a new hash when the policy changes", func() {
		create(ctx, newPolicy(ns, "orders", "/orders"))
		var first string
		Eventually(func(g Gomega) {
			first = getPolicy(ctx, g, ns, "orders").Status.ConfigHash
			g.Expect(first).NotTo(BeEmpty())
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			p.Spec.Routes = append(p.Spec.Routes, v1alpha1.Route{Path: "/orders/{id}", Methods: []string{"PUT"}})
			g.Expect(k8sClient.Update(ctx, p)).To(Succeed())
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			cm, doc := renderedConfig(ctx, g, ns)
			hash := cm.Annotations[v1alpha1.ConfigHashAnnotation]
			g.Expect(hash).NotTo(Equal(first))
			g.Expect(doc.Policies[0].Routes).To(HaveLen(2))
			g.Expect(doc.Policies[0].Generation).To(Equal(int64(2)))

			p := getPolicy(ctx, g, ns, "orders")
			g.Expect(p.Generation).To(Equal(int64(2)))
			g.Expect(p.Status.ConfigHash).To(Equal(hash))
			g.Expect(p.Status.Routes).To(Equal(int32(2)))
			for _, c := range []string{v1alpha1.ConditionAccepted, v1alpha1.ConditionProgrammed,
				v1alpha1.ConditionEnforced, v1alpha1.ConditionReady} {
				condition(g, p, c) // fails unless observedGeneration is 2
			}
		}).Should(Succeed())
	})

	It("renders every policy of the namespace into one document and removes each as it is deleted", func() {
		create(ctx, newPolicy(ns, "orders", "/orders"))
		create(ctx, newPolicy(ns, "payments", "/payments"))

		Eventually(func(g Gomega) {
			cm, doc := renderedConfig(ctx, g, ns)
			g.Expect(policyNames(doc)).To(Equal([]string{"orders", "payments"}))
			g.Expect(ownerNames(cm)).To(ConsistOf("orders", "payments"))
			hash := cm.Annotations[v1alpha1.ConfigHashAnnotation]
			for _, name := range []string{"orders", "payments"} {
				g.Expect(getPolicy(ctx, g, ns, name).Status.ConfigHash).To(Equal(hash))
			}
		}).Should(Succeed())

		Expect(k8sClient.Delete(ctx, newPolicy(ns, "orders"))).To(Succeed())
		Eventually(func(g Gomega) {
			cm, doc := renderedConfig(ctx, g, ns)
			g.Expect(policyNames(doc)).To(Equal([]string{"payments"}))
			g.Expect(ownerNames(cm)).To(ConsistOf("payments"))
			g.Expect(getPolicy(ctx, g, ns, "payments").Status.ConfigHash).
				To(Equal(cm.Annotations[v1alpha1.ConfigHashAnnotation]))
		}).Should(Succeed())

		Expect(k8sClient.Delete(ctx, newPolicy(ns, "payments"))).To(Succeed())
		Eventually(configMapGone(ctx, ns)).Should(BeTrue())
	})

	It("leaves alone a ConfigMap of the same name that it did not create", func() {
		create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: v1alpha1.ConfigMapName},
			Data:       map[string]string{"mine": "yes"},
		})
		create(ctx, newPolicy(ns, "orders", "/orders"))

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			c := expectCondition(g, p, v1alpha1.ConditionProgrammed, metav1.ConditionFalse, ReasonConfigMapNotManaged)
			g.Expect(c.Message).To(ContainSubstring("rename or delete it"))
			expectCondition(g, p, v1alpha1.ConditionReady, metav1.ConditionFalse, ReasonConfigMapNotManaged)
		}).Should(Succeed())

		cm := &corev1.ConfigMap{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: v1alpha1.ConfigMapName}, cm)).To(Succeed())
		Expect(cm.Data).To(Equal(map[string]string{"mine": "yes"}))
	})
})

var _ = Describe("Conflicting policies", func() {
	var (
		ctx context.Context
		ns  string
	)
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx, true)
	})

	It("accepts the older policy, refuses the newer one with a message naming both, and accepts it once the older is gone", func() {
		// The newer policy sorts first by name, so only its age can make
		// it lose.
		older := newPolicy(ns, "zz-older", "/orders/{id}")
		older.Spec.Routes[0].Methods = []string{"POST", "PUT"}
		create(ctx, older)
		Eventually(func(g Gomega) {
			expectCondition(g, getPolicy(ctx, g, ns, "zz-older"),
				v1alpha1.ConditionAccepted, metav1.ConditionTrue, ReasonAccepted)
		}).Should(Succeed())
		// Creation timestamps have a resolution of one second.
		Eventually(func() bool {
			return time.Since(older.CreationTimestamp.Time) > time.Second
		}).Should(BeTrue())

		newer := newPolicy(ns, "aa-newer", "/refunds", "/orders/{orderID}")
		newer.Spec.Routes[1].Methods = []string{"PUT"}
		create(ctx, newer)

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "aa-newer")
			c := expectCondition(g, p, v1alpha1.ConditionAccepted, metav1.ConditionFalse, ReasonConflict)
			g.Expect(c.Message).To(ContainSubstring(`route PUT /orders/{orderID} is already claimed by the older policy "zz-older"`))
			g.Expect(c.Message).To(ContainSubstring("as PUT /orders/{id}"))
			expectCondition(g, p, v1alpha1.ConditionProgrammed, metav1.ConditionFalse, ReasonNotAccepted)
			expectCondition(g, p, v1alpha1.ConditionReady, metav1.ConditionFalse, ReasonConflict)
			g.Expect(p.Status.ConfigHash).To(BeEmpty())
			g.Expect(p.Status.Routes).To(BeZero())

			expectCondition(g, getPolicy(ctx, g, ns, "zz-older"),
				v1alpha1.ConditionAccepted, metav1.ConditionTrue, ReasonAccepted)

			cm, doc := renderedConfig(ctx, g, ns)
			g.Expect(policyNames(doc)).To(Equal([]string{"zz-older"}))
			g.Expect(ownerNames(cm)).To(ConsistOf("zz-older", "aa-newer"))
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(eventReasons(ctx, g, ns, "aa-newer")).To(ContainElement(ReasonConflict))
		}).Should(Succeed())

		Expect(k8sClient.Delete(ctx, newPolicy(ns, "zz-older"))).To(Succeed())
		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "aa-newer")
			expectCondition(g, p, v1alpha1.ConditionAccepted, metav1.ConditionTrue, ReasonAccepted)
			expectCondition(g, p, v1alpha1.ConditionReady, metav1.ConditionTrue, ReasonReady)
			cm, doc := renderedConfig(ctx, g, ns)
			g.Expect(policyNames(doc)).To(Equal([]string{"aa-newer"}))
			g.Expect(p.Status.ConfigHash).To(Equal(cm.Annotations[v1alpha1.ConfigHashAnnotation]))
		}).Should(Succeed())
	})

	It("accepts both policies when their selectors cannot match the same pod", func() {
		create(ctx, selectApp(newPolicy(ns, "shop", "/orders"), "shop"))
		create(ctx, selectApp(newPolicy(ns, "admin", "/orders"), "admin"))

		Eventually(func(g Gomega) {
			for _, name := range []string{"shop", "admin"} {
				expectCondition(g, getPolicy(ctx, g, ns, name),
					v1alpha1.ConditionAccepted, metav1.ConditionTrue, ReasonAccepted)
			}
			_, doc := renderedConfig(ctx, g, ns)
			g.Expect(policyNames(doc)).To(Equal([]string{"admin", "shop"}))
		}).Should(Succeed())
	})
})

var _ = Describe("Validation beyond the CRD schema", func() {
	var (
		ctx context.Context
		ns  string
	)
	BeforeEach(func() {
		ctx = context.Background()
		ns = newNamespace(ctx, true)
	})

	It("refuses a policy whose Redis Secret is missing, and accepts it once the Secret exists", func() {
		p := newPolicy(ns, "orders", "/orders")
		p.Spec.Store = v1alpha1.Store{
			Type:         v1alpha1.StoreRedis,
			URLSecretRef: &v1alpha1.SecretKeyRef{Name: "redis"},
		}
		create(ctx, p)
		create(ctx, newPolicy(ns, "payments", "/payments"))

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			c := expectCondition(g, p, v1alpha1.ConditionAccepted, metav1.ConditionFalse, ReasonSecretNotFound)
			g.Expect(c.Message).To(ContainSubstring(`Secret "redis" referenced by store.urlSecretRef does not exist`))
			expectCondition(g, p, v1alpha1.ConditionReady, metav1.ConditionFalse, ReasonSecretNotFound)
			_, doc := renderedConfig(ctx, g, ns)
			g.Expect(policyNames(doc)).To(Equal([]string{"payments"}))
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(eventReasons(ctx, g, ns, "orders")).To(ContainElement(ReasonSecretNotFound))
		}).Should(Succeed())

		create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "redis"},
			StringData: map[string]string{"other": "redis://redis:6379/0"},
		})
		Eventually(func(g Gomega) {
			c := expectCondition(g, getPolicy(ctx, g, ns, "orders"),
				v1alpha1.ConditionAccepted, metav1.ConditionFalse, ReasonSecretNotFound)
			g.Expect(c.Message).To(ContainSubstring(`has no key "url"`))
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			secret := &corev1.Secret{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: "redis"}, secret)).To(Succeed())
			secret.StringData = map[string]string{"url": "redis://redis:6379/0"}
			g.Expect(k8sClient.Update(ctx, secret)).To(Succeed())
		}).Should(Succeed())

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			expectCondition(g, p, v1alpha1.ConditionAccepted, metav1.ConditionTrue, ReasonAccepted)
			expectCondition(g, p, v1alpha1.ConditionProgrammed, metav1.ConditionTrue, ReasonRendered)
			_, doc := renderedConfig(ctx, g, ns)
			g.Expect(policyNames(doc)).To(Equal([]string{"orders", "payments"}))
			g.Expect(doc.Policies[0].Store.URLFile).To(Equal(v1alpha1.SecretsMountPath + "/redis/url"))
			g.Expect(doc.Policies[0].Store.URL).To(BeEmpty())
		}).Should(Succeed())
	})

	It("refuses a policy the proxy's rules reject, with the renderer's message", func() {
		// The CRD's pattern admits a parameter name used twice; the
		// proxy's template compiler does not.
		create(ctx, newPolicy(ns, "orders", "/shops/{id}/orders/{id}"))

		Eventually(func(g Gomega) {
			p := getPolicy(ctx, g, ns, "orders")
			c := expectCondition(g, p, v1alpha1.ConditionAccepted, metav1.ConditionFalse, ReasonInvalid)
			g.Expect(c.Message).To(ContainSubstring(`parameter "id" appears twice`))
			expectCondition(g, p, v1alpha1.ConditionProgrammed, metav1.ConditionFalse, ReasonNotAccepted)
			expectCondition(g, p, v1alpha1.ConditionEnforced, metav1.ConditionFalse, ReasonNotProgrammed)

			// The namespace still gets a configuration, without the policy.
			_, doc := renderedConfig(ctx, g, ns)
			g.Expect(doc.Policies).To(BeEmpty())
		}).Should(Succeed())
		Eventually(func(g Gomega) {
			g.Expect(eventReasons(ctx, g, ns, "orders")).To(ContainElement(ReasonInvalid))
		}).Should(Succeed())
	})
})
