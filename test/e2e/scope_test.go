//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
	"github.com/idempotency-operator/idempotency-operator/controllers"
)

var _ = Describe("Which pods get the proxy", func() {
	It("leaves pods of a namespace that is not enabled alone", func(ctx SpecContext) {
		ns := createNamespace(ctx, "off", false)
		pod := sampleAppPod(ns, "plain", nil)
		Expect(k8sClient.Create(ctx, pod)).To(Succeed())
		expectNotInjected(pod)
	})

	It("leaves a pod labelled idempotency.io/inject=false alone, and injects its neighbour", func(ctx SpecContext) {
		ns := createNamespace(ctx, "optout", true)

		optedOut := sampleAppPod(ns, "opted-out", map[string]string{v1alpha1.InjectLabel: "false"})
		Expect(k8sClient.Create(ctx, optedOut)).To(Succeed())
		expectNotInjected(optedOut)

		neighbour := sampleAppPod(ns, "neighbour", nil)
		Expect(k8sClient.Create(ctx, neighbour)).To(Succeed())
		expectNativeSidecar(neighbour)
	})

	It("reports pods created before the namespace was enabled, with the command that fixes them",
		func(ctx SpecContext) {
			expectLatePodsReported(ctx)
		})
})

// expectLatePodsReported runs a Deployment in a namespace that is not
// enabled, then enables the namespace under a policy: the running pod has
// no proxy, and the policy says to restart the Deployment. Restarting it
// as told makes the policy enforced.
func expectLatePodsReported(ctx context.Context) {
	ns := createNamespace(ctx, "late", false)
	const name = "early-app"
	deployment := sampleAppDeployment(ns, name, 1)
	Expect(k8sClient.Create(ctx, deployment)).To(Succeed())
	var early []*corev1.Pod
	Eventually(func(ctx context.Context) error {
		var err error
		early, err = readyPods(ctx, ns, sampleAppLabels(name), 1)
		return err
	}).WithContext(ctx).WithTimeout(podsReadyTimeout).WithPolling(time.Second).Should(Succeed(),
		"the sample app did not start: kubectl -n %s describe pods", ns)
	expectNotInjected(early[0])

	By("applying the sample policy, then enabling the namespace")
	policy := samplePolicy(ns, samplePolicyFile)
	Expect(k8sClient.Create(ctx, policy)).To(Succeed())
	enableNamespace(ctx, ns)

	advice := fmt.Sprintf("kubectl rollout restart deployment/%s -n %s", name, ns)
	By("waiting for Enforced False, reason " + controllers.ReasonPodsMissingSidecar + ", advising: " + advice)
	Eventually(func(ctx context.Context) error {
		p, err := getPolicy(ctx, ns, policy.Name)
		if err != nil {
			return err
		}
		c := meta.FindStatusCondition(p.Status.Conditions, v1alpha1.ConditionEnforced)
		if c == nil || c.Status != metav1.ConditionFalse || c.Reason != controllers.ReasonPodsMissingSidecar ||
			!strings.Contains(c.Message, advice) {
			return fmt.Errorf("policy %s/%s: %s", ns, policy.Name, describeConditions(p))
		}
		if p.Status.Enforced != "0/1" {
			return fmt.Errorf("enforced %q, want 0/1", p.Status.Enforced)
		}
		return nil
	}).WithContext(ctx).WithTimeout(time.Minute).WithPolling(time.Second).Should(Succeed(),
		"the policy does not report the pod without the proxy: kubectl -n %s describe idp %s", ns, policy.Name)
	showPolicies(ctx, ns)

	By("restarting the Deployment as advised")
	restartDeployment(ctx, ns, name)
	Eventually(func(ctx context.Context) error {
		list, err := readyPods(ctx, ns, sampleAppLabels(name), 1)
		if err != nil {
			return err
		}
		if list[0].UID == early[0].UID || sidecarOf(list[0]) == nil {
			return fmt.Errorf("pod %s is the old one or has no proxy", list[0].Name)
		}
		_, err = enforcedAs(ctx, ns, policy.Name, "1/1")
		return err
	}).WithContext(ctx).WithTimeout(configSyncTimeout).WithPolling(time.Second).Should(Succeed(),
		"after the restart the policy is still not enforced: kubectl -n %s describe idp %s", ns, policy.Name)
}

// restartDeployment does what kubectl rollout restart does: it stamps the
// pod template, which makes the Deployment replace its pods.
func restartDeployment(ctx context.Context, ns, name string) {
	d := &appsv1.Deployment{}
	Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, d)).To(Succeed())
	patch := client.MergeFrom(d.DeepCopy())
	if d.Spec.Template.Annotations == nil {
		d.Spec.Template.Annotations = map[string]string{}
	}
	d.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] = time.Now().Format(time.RFC3339)
	Expect(k8sClient.Patch(ctx, d, patch)).To(Succeed())
}
