//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// expectDeletionRemovesProtection deletes the policy and checks that the
// pods pass mutations through again and that the operator's ConfigMap is
// gone.
func expectDeletionRemovesProtection(ctx context.Context, app sampleApp) {
	before := app.readyPods(ctx)
	policy, err := getPolicy(ctx, app.ns, app.policy)
	Expect(err).NotTo(HaveOccurred())

	By("deleting the policy")
	Expect(k8sClient.Delete(ctx, policy)).To(Succeed())

	By("waiting for the garbage collector to delete ConfigMap " + v1alpha1.ConfigMapName)
	Eventually(func(ctx context.Context) error {
		var list corev1.ConfigMapList
		if err := k8sClient.List(ctx, &list, client.InNamespace(app.ns),
			client.MatchingLabels{v1alpha1.ManagedByLabel: v1alpha1.ManagedByValue}); err != nil {
			return err
		}
		if len(list.Items) > 0 {
			return fmt.Errorf("the operator's ConfigMap %s is still there", list.Items[0].Name)
		}
		return nil
	}).WithContext(ctx).WithTimeout(time.Minute).WithPolling(time.Second).Should(Succeed(),
		"the ConfigMap owned by the deleted policy was not garbage-collected: is kube-controller-manager "+
			"running? kubectl -n %s get configmap %s -o yaml", app.ns, v1alpha1.ConfigMapName)

	By("waiting for both proxies to drop the policy (the kubelet empties the mounted ConfigMap)")
	Eventually(func(ctx context.Context) error {
		for _, pod := range before {
			loaded, err := pods.loadedConfig(ctx, pod)
			if err != nil {
				return err
			}
			if len(loaded.Policies) > 0 {
				return fmt.Errorf("pod %s still enforces %v", pod.Name, loaded.Policies)
			}
		}
		return nil
	}).WithContext(ctx).WithTimeout(configSyncTimeout).WithPolling(time.Second).Should(Succeed(),
		"the proxies kept the deleted policy: kubectl -n %s logs <pod> -c %s", app.ns, v1alpha1.ProxyContainerName)

	By("sending a mutation and its retry, which now both execute")
	Expect(pods.resetEffects(ctx, before)).To(Succeed())
	key := newKey("unprotected")
	for _, pod := range before {
		r, err := pods.mutate(ctx, pod, "/api/pairs/create", key)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.status).To(Equal(http.StatusCreated), "answer without a policy: %s", r)
		Expect(r.header.Get(replayedHeader)).To(BeEmpty())
	}
	expectEffects(ctx, before, 2, "without a policy the proxy passes the retry through")

	By("checking that no policy or operator-managed object is left in the namespace")
	var policies v1alpha1.IdempotencyPolicyList
	Expect(k8sClient.List(ctx, &policies, client.InNamespace(app.ns))).To(Succeed())
	Expect(policies.Items).To(BeEmpty())
	expectSamePodsNotRestarted(ctx, app.ns, app.labels(), before)
}
