package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	ctrlwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	idempotencyv1alpha1 "github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
	"github.com/idempotency-operator/idempotency-operator/webhook"
)

// kubeVersion is the Kubernetes release hack/build-kube-binaries.sh builds.
const kubeVersion = "1.37.2"

const (
	proxyImage        = "ghcr.io/idempotency-operator/idempotency-proxy:v0.3.0"
	proxyVersion      = "v0.3.0"
	operatorNamespace = "idempotency-system"
)

// touchPath serves a second mutating webhook that annotates pods in
// namespaces labelled touchLabel, so that the API server calls the
// injector again under reinvocationPolicy IfNeeded.
const (
	touchPath       = "/mutate-touch"
	touchLabel      = "example.com/touch"
	touchAnnotation = "example.com/touched"
)

var (
	testEnv   *envtest.Environment
	k8sClient client.Client
	// cachedClient reads through the manager's cache, as the injector
	// does: specs wait on it for what the injector must see.
	cachedClient client.Client
	warnings     = &warningRecorder{}
	handlerTimes = &timedServer{}
	cancel       context.CancelFunc
)

func TestAPIServer(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Pod injection through the API server")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(GinkgoLogr)

	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
		BinaryAssetsDirectory: binaryAssets(),
		WebhookInstallOptions: envtest.WebhookInstallOptions{
			MutatingWebhooks: []*admissionregistrationv1.MutatingWebhookConfiguration{webhookConfiguration()},
		},
	}
	cfg, err := testEnv.Start()
	Expect(err).NotTo(HaveOccurred())

	scheme := runtime.NewScheme()
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(idempotencyv1alpha1.AddToScheme(scheme)).To(Succeed())

	userCfg := rest.CopyConfig(cfg)
	userCfg.WarningHandlerWithContext = warnings
	k8sClient, err = client.New(userCfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	info, err := discovery.NewDiscoveryClientForConfigOrDie(cfg).ServerVersion()
	Expect(err).NotTo(HaveOccurred())
	native, err := webhook.NativeSidecarsSupported(info)
	Expect(err).NotTo(HaveOccurred())
	Expect(native).To(BeTrue(), "Kubernetes %s runs native sidecars", info.GitVersion)

	opts := testEnv.WebhookInstallOptions
	handlerTimes.Server = ctrlwebhook.NewServer(ctrlwebhook.Options{
		Host:    opts.LocalServingHost,
		Port:    opts.LocalServingPort,
		CertDir: opts.LocalServingCertDir,
	})
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:        scheme,
		Metrics:       metricsserver.Options{BindAddress: "0"},
		WebhookServer: handlerTimes,
	})
	Expect(err).NotTo(HaveOccurred())
	cachedClient = mgr.GetClient()

	injector := &webhook.Injector{
		Image:             proxyImage,
		Version:           proxyVersion,
		NativeSidecars:    native,
		OperatorNamespace: operatorNamespace,
	}
	Expect(injector.SetupWithManager(mgr)).To(Succeed())
	mgr.GetWebhookServer().Register(touchPath, &admission.Webhook{Handler: toucher(scheme)})

	var ctx context.Context
	ctx, cancel = context.WithCancel(context.Background())
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()

	// With failurePolicy Ignore, a pod created before the server listens
	// would be admitted without the proxy: wait for it.
	Eventually(func() error {
		return mgr.GetWebhookServer().StartedChecker()(nil)
	}).WithTimeout(30 * time.Second).Should(Succeed())
})

var _ = AfterSuite(func() {
	if cancel != nil {
		cancel()
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})

// binaryAssets is where etcd and kube-apiserver are: KUBEBUILDER_ASSETS
// when set, else what hack/build-kube-binaries.sh builds.
func binaryAssets() string {
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir == "" {
		var err error
		dir, err = filepath.Abs(filepath.Join("..", "bin", "k8s", kubeVersion))
		Expect(err).NotTo(HaveOccurred())
	}
	for _, bin := range []string{"etcd", "kube-apiserver"} {
		if _, err := os.Stat(filepath.Join(dir, bin)); err != nil {
			Fail("no " + bin + " in " + dir + ": run hack/build-kube-binaries.sh, " +
				"or set KUBEBUILDER_ASSETS to a directory holding etcd and kube-apiserver")
		}
	}
	return dir
}

// webhookConfiguration is the MutatingWebhookConfiguration the manifests
// install, with the selectors controller-gen cannot express, followed by
// the test's second webhook.
func webhookConfiguration() *admissionregistrationv1.MutatingWebhookConfiguration {
	// envtest replaces the service reference with the local server's URL,
	// joining host and path with a slash of its own.
	servicePath := func(path string) *admissionregistrationv1.ServiceReference {
		return &admissionregistrationv1.ServiceReference{
			Namespace: operatorNamespace,
			Name:      "idempotency-webhook",
			Path:      ptr.To(strings.TrimPrefix(path, "/")),
		}
	}
	podCreate := []admissionregistrationv1.RuleWithOperations{{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
		Rule: admissionregistrationv1.Rule{
			APIGroups:   []string{""},
			APIVersions: []string{"v1"},
			Resources:   []string{"pods"},
		},
	}}

	return &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "idempotency-injector"},
		Webhooks: []admissionregistrationv1.MutatingWebhook{
			{
				Name:                    "inject.idempotency.io",
				ClientConfig:            admissionregistrationv1.WebhookClientConfig{Service: servicePath(webhook.Path)},
				Rules:                   podCreate,
				FailurePolicy:           ptr.To(admissionregistrationv1.Ignore),
				SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
				AdmissionReviewVersions: []string{"v1"},
				ReinvocationPolicy:      ptr.To(admissionregistrationv1.IfNeededReinvocationPolicy),
				NamespaceSelector: &metav1.LabelSelector{
					MatchLabels: map[string]string{
						idempotencyv1alpha1.InjectionLabel: idempotencyv1alpha1.InjectionEnabled,
					},
					MatchExpressions: []metav1.LabelSelectorRequirement{{
						Key:      corev1.LabelMetadataName,
						Operator: metav1.LabelSelectorOpNotIn,
						Values: []string{
							metav1.NamespaceSystem, metav1.NamespacePublic, corev1.NamespaceNodeLease,
							operatorNamespace,
						},
					}},
				},
				ObjectSelector: &metav1.LabelSelector{
					MatchExpressions: []metav1.LabelSelectorRequirement{{
						Key:      idempotencyv1alpha1.InjectLabel,
						Operator: metav1.LabelSelectorOpNotIn,
						Values:   []string{"false"},
					}},
				},
			},
			{
				Name:                    "touch.example.com",
				ClientConfig:            admissionregistrationv1.WebhookClientConfig{Service: servicePath(touchPath)},
				Rules:                   podCreate,
				FailurePolicy:           ptr.To(admissionregistrationv1.Fail),
				SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
				AdmissionReviewVersions: []string{"v1"},
				NamespaceSelector: &metav1.LabelSelector{
					MatchLabels: map[string]string{touchLabel: "true"},
				},
			},
		},
	}
}

// toucher annotates every pod it is sent.
func toucher(scheme *runtime.Scheme) admission.Handler {
	decoder := admission.NewDecoder(scheme)
	return admission.HandlerFunc(func(_ context.Context, req admission.Request) admission.Response {
		pod := &corev1.Pod{}
		if err := decoder.Decode(req, pod); err != nil {
			return admission.Errored(http.StatusBadRequest, err)
		}
		if pod.Annotations == nil {
			pod.Annotations = map[string]string{}
		}
		pod.Annotations[touchAnnotation] = "true"
		raw, err := json.Marshal(pod)
		if err != nil {
			return admission.Errored(http.StatusInternalServerError, err)
		}
		return admission.PatchResponseFromRaw(req.Object.Raw, raw)
	})
}

// warningRecorder keeps the warnings the API server returns to the test's
// client.
type warningRecorder struct {
	mu   sync.Mutex
	seen []string
}

func (w *warningRecorder) HandleWarningHeaderWithContext(_ context.Context, _ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = append(w.seen, text)
}

// take returns the warnings seen since the last call.
func (w *warningRecorder) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	seen := w.seen
	w.seen = nil
	return seen
}

// timedServer is the manager's webhook server, timing each admission
// request from the decoding of the AdmissionReview to the encoding of the
// response.
type timedServer struct {
	ctrlwebhook.Server

	mu    sync.Mutex
	times map[string][]time.Duration
}

func (s *timedServer) Register(path string, hook http.Handler) {
	s.Server.Register(path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		hook.ServeHTTP(w, r)
		elapsed := time.Since(start)

		s.mu.Lock()
		defer s.mu.Unlock()
		if s.times == nil {
			s.times = map[string][]time.Duration{}
		}
		s.times[path] = append(s.times[path], elapsed)
	}))
}

// calls returns how many requests path has served.
func (s *timedServer) calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.times[path])
}

// since returns the times of the requests path served after the first n.
func (s *timedServer) since(path string, n int) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.times[path][n:]...)
}
