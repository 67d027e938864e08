//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// What the suite shares: the settings, the cluster, the way to reach pods
// and the Redis server the sample app's policy uses.
var (
	env       settings
	restCfg   *rest.Config
	k8sClient client.Client
	pods      *podHTTP
	redis     *hostRedis
	scheme    = runtime.NewScheme()
)

// The operator as config/default installs it.
const (
	operatorNamespace  = "idempotency-system"
	operatorDeployment = "idempotency-controller-manager"
	webhookConfig      = "idempotency-mutating-webhook-configuration"
)

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))
}

func TestE2E(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "End-to-end Suite")
}

var _ = BeforeSuite(func(ctx SpecContext) {
	var err error
	env, err = loadSettings()
	Expect(err).NotTo(HaveOccurred())
	By("using the cluster of " + env.kubeconfig)

	restCfg, err = clientcmd.BuildConfigFromFlags("", env.kubeconfig)
	Expect(err).NotTo(HaveOccurred(), "reading kubeconfig %s", env.kubeconfig)
	restCfg.QPS, restCfg.Burst = 50, 100
	k8sClient, err = client.New(restCfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	By("checking that the operator is installed and available")
	Eventually(operatorAvailable).WithContext(ctx).
		WithTimeout(2*time.Minute).WithPolling(2*time.Second).Should(Succeed(),
		"the operator must be installed first: run hack/e2e/deploy.sh; then check "+
			"kubectl -n %s get pods and kubectl -n %s logs deployment/%s",
		operatorNamespace, operatorNamespace, operatorDeployment)

	pods, err = newPodHTTP(ctx, env.podAccess)
	Expect(err).NotTo(HaveOccurred())
	By("reaching pods " + pods.describe())

	host := env.redisHost
	if host == "" {
		host, err = discoverRedisHost(ctx)
		Expect(err).NotTo(HaveOccurred())
	}
	redis, err = startRedis(host)
	Expect(err).NotTo(HaveOccurred(), "starting redis-server on %s "+
		"(install it with apt-get install redis-server, or set E2E_REDIS_HOST)", host)
	DeferCleanup(redis.close)
	By("serving Redis for the pods at " + redis.url())
}, NodeTimeout(5*time.Minute))

// operatorAvailable fails until the manager Deployment has all its
// replicas available and the webhook configuration has its CA.
func operatorAvailable(ctx context.Context) error {
	var d appsv1.Deployment
	key := types.NamespacedName{Namespace: operatorNamespace, Name: operatorDeployment}
	if err := k8sClient.Get(ctx, key, &d); err != nil {
		return fmt.Errorf("reading deployment %s: %w", key, err)
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	if d.Status.AvailableReplicas < want {
		return fmt.Errorf("deployment %s has %d of %d replicas available",
			key, d.Status.AvailableReplicas, want)
	}
	return webhookHasCA(ctx)
}
