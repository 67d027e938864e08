//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// applyToEnforcedFile records the last measured time from a policy edit
// to its enforcement by every pod, under bin/e2e.
const applyToEnforcedFile = "apply-to-enforced.txt"

// expectEditReachesRunningPods adds a route and changes the TTL, then
// waits until both running pods have loaded the new configuration.
func expectEditReachesRunningPods(ctx context.Context, app sampleApp) {
	before := app.readyPods(ctx)
	policy, err := getPolicy(ctx, app.ns, app.policy)
	Expect(err).NotTo(HaveOccurred())
	oldHash := policy.Status.ConfigHash
	Expect(oldHash).NotTo(BeEmpty())

	By("adding a route and changing the TTL from " + policy.Spec.TTL + " to 12h")
	patch := client.MergeFrom(policy.DeepCopy())
	policy.Spec.Routes = append(policy.Spec.Routes, v1alpha1.Route{
		Path: "/api/activities/{id}/archive", Methods: []string{"POST"},
	})
	policy.Spec.TTL = "12h"
	applied := time.Now()
	Expect(k8sClient.Patch(ctx, policy, patch)).To(Succeed())

	By("waiting for ENFORCED 2/2 with the new configuration hash (the kubelet refreshes mounted ConfigMaps about once a minute)")
	var enforced time.Time
	Eventually(func(ctx context.Context) error {
		p, err := enforcedAs(ctx, app.ns, app.policy, "2/2")
		if err != nil {
			return err
		}
		if p.Status.ConfigHash == oldHash {
			return fmt.Errorf("status.configHash is still the old %s", oldHash)
		}
		enforced = time.Now()
		policy = p
		return nil
	}).WithContext(ctx).WithTimeout(configSyncTimeout).WithPolling(500*time.Millisecond).Should(Succeed(),
		"the edit did not reach both pods: kubectl -n %s describe idp %s; "+
			"kubectl -n %s get configmap %s -o yaml; the proxies' /config on port %d",
		app.ns, app.policy, app.ns, v1alpha1.ConfigMapName, adminPort)
	elapsed := enforced.Sub(applied).Round(100 * time.Millisecond)
	recordApplyToEnforced(elapsed)

	Expect(policy.Status.Routes).To(BeEquivalentTo(10))
	for _, pod := range before {
		loaded, err := pods.loadedConfig(ctx, pod)
		Expect(err).NotTo(HaveOccurred())
		Expect(loaded.Hash).To(Equal(policy.Status.ConfigHash),
			"pod %s reports another configuration than the policy's status (lastError %q)", pod.Name, loaded.LastError)
	}
	expectSamePodsNotRestarted(ctx, app.ns, app.labels(), before)
	showPolicies(ctx, app.ns)
}

// recordApplyToEnforced reports the measured time and writes it to
// bin/e2e/apply-to-enforced.txt.
func recordApplyToEnforced(elapsed time.Duration) {
	GinkgoWriter.Printf("apply to enforced on 2/2 pods: %s\n", elapsed)
	AddReportEntry("apply-to-enforced", elapsed.String())

	dir, err := env.artifactsDir()
	Expect(err).NotTo(HaveOccurred())
	line := fmt.Sprintf("%s apply-to-enforced %s (policy edit to Enforced on 2/2 running pods)\n",
		time.Now().UTC().Format(time.RFC3339), elapsed)
	Expect(os.WriteFile(filepath.Join(dir, applyToEnforcedFile), []byte(line), 0o644)).To(Succeed())
}
