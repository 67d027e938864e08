//go:build e2e

package e2e

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// How long the suite waits for what the cluster does on its own.
const (
	// podsReadyTimeout covers scheduling, the sidecar's startup probe and
	// the app's readiness probe.
	podsReadyTimeout = 3 * time.Minute
	// configSyncTimeout covers the kubelet's refresh of a mounted
	// ConfigMap (about a minute), the proxy's reload and the controller's
	// next look at the pods.
	configSyncTimeout = 3 * time.Minute
)

// sampleApp is the sample app's Deployment, two replicas behind the
// sample Redis policy, in its own enabled namespace.
type sampleApp struct {
	ns, name, policy string
}

func (a sampleApp) labels() map[string]string { return sampleAppLabels(a.name) }

// readyPods returns the two replicas once both are ready.
func (a sampleApp) readyPods(ctx context.Context) []*corev1.Pod {
	var list []*corev1.Pod
	Eventually(func(ctx context.Context) error {
		var err error
		list, err = readyPods(ctx, a.ns, a.labels(), 2)
		return err
	}).WithContext(ctx).WithTimeout(podsReadyTimeout).WithPolling(time.Second).Should(Succeed(),
		"the sample app's 2 replicas did not become ready: kubectl -n %s describe pods; "+
			"kubectl -n %s logs <pod> -c %s", a.ns, a.ns, v1alpha1.ProxyContainerName)
	return list
}

var _ = Describe("The sample app behind the sample Redis policy", Ordered, func() {
	app := sampleApp{name: "sample-app"}

	BeforeAll(func(ctx SpecContext) {
		app.ns = createNamespace(ctx, "app", true)

		By("applying the sample policy with the Redis store at " + redis.url())
		policy := sampleRedisPolicy(app.ns)
		app.policy = policy.Name
		Expect(k8sClient.Create(ctx, policy)).To(Succeed())

		By("deploying the sample app with 2 replicas")
		Expect(k8sClient.Create(ctx, sampleAppDeployment(app.ns, app.name, 2))).To(Succeed())
	})

	AfterEach(func(ctx SpecContext) {
		if CurrentSpecReport().Failed() {
			dumpNamespace(ctx, app.ns)
		}
	})

	It("injects both replicas, which become ready, and reports the policy enforced on 2/2", func(ctx SpecContext) {
		expectInjectedAndEnforced(ctx, app)
	})

	It("replays a retry sent to the other replica, with one side effect in total", func(ctx SpecContext) {
		expectRetryAcrossReplicasReplayed(ctx, app)
	})

	It("executes 50 concurrent duplicates spread over both replicas once", func(ctx SpecContext) {
		expectConcurrentDuplicatesExecutedOnce(ctx, app)
	})

	It("loads an edited policy into the running pods without restarting them", func(ctx SpecContext) {
		expectEditReachesRunningPods(ctx, app)
	})

	It("answers 503 without reaching the app while Redis is down, and protects again once it is back",
		func(ctx SpecContext) {
			expectStoreOutageFailsClosed(ctx, app)
		})

	It("stops protecting and leaves no ConfigMap behind once the policy is deleted", func(ctx SpecContext) {
		expectDeletionRemovesProtection(ctx, app)
	})
})

// expectInjectedAndEnforced checks that both replicas run the proxy as a
// native sidecar and that the policy reports them.
func expectInjectedAndEnforced(ctx context.Context, app sampleApp) {
	list := app.readyPods(ctx)
	for _, pod := range list {
		expectNativeSidecar(pod)
	}

	By("waiting for the policy to report ENFORCED 2/2 and READY True")
	Eventually(func(ctx context.Context) error {
		_, err := enforcedAs(ctx, app.ns, app.policy, "2/2")
		return err
	}).WithContext(ctx).WithTimeout(configSyncTimeout).WithPolling(time.Second).Should(Succeed(),
		"the policy is not enforced on both replicas: kubectl -n %s describe idp %s", app.ns, app.policy)
	showPolicies(ctx, app.ns)
}
