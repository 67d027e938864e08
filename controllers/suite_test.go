package controllers

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
	"github.com/idempotency-operator/idempotency-operator/internal/testenv"
)

// The suite runs the reconciler in a real manager against a real
// kube-apiserver and etcd. Nothing runs pods there: tests create pods and
// set their status themselves, and a fake LoadedConfigReader stands in
// for the sidecars' admin endpoints.
var (
	testEnv   *envtest.Environment
	k8sClient client.Client
	clientset *kubernetes.Clientset
	sidecars  *fakeSidecars
	cancel    context.CancelFunc
)

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Controllers Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(GinkgoLogr)
	SetDefaultEventuallyTimeout(60 * time.Second)
	SetDefaultEventuallyPollingInterval(100 * time.Millisecond)

	assets, err := testenv.BinaryAssetsDirectory()
	if err != nil {
		Fail(err.Error())
	}
	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{testenv.CRDDirectory()},
		BinaryAssetsDirectory: assets,
		ErrorIfCRDPathMissing: true,

		ControlPlaneStartTimeout: testenv.ControlPlaneStartTimeout(),
	}
	cfg, err := testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		Expect(testEnv.Stop()).To(Succeed())
	})

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(v1alpha1.AddToScheme(scheme))

	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())
	clientset, err = kubernetes.NewForConfig(cfg)
	Expect(err).NotTo(HaveOccurred())
	sidecars = newFakeSidecars(k8sClient)

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  cache.Options{ByObject: CacheByObject()},
	})
	Expect(err).NotTo(HaveOccurred())

	reconciler := &PolicyReconciler{
		Client:       mgr.GetClient(),
		APIReader:    mgr.GetAPIReader(),
		Scheme:       mgr.GetScheme(),
		Recorder:     mgr.GetEventRecorder("idempotency-controller"),
		ConfigReader: sidecars,
		// Short intervals keep the suite fast: nothing reports a Secret
		// being created, or a sidecar loading a configuration.
		PendingRequeue: 300 * time.Millisecond,
		ResyncPeriod:   2 * time.Second,
	}
	Expect(reconciler.SetupWithManager(mgr)).To(Succeed())

	var ctx context.Context
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(done)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	DeferCleanup(func() {
		cancel()
		<-done
	})
})
