// Command manager is the idempotency operator: it renders IdempotencyPolicy
// objects into the proxy configuration of each namespace, reports on each
// policy whether its pods enforce it, and serves the webhook that injects
// the idempotency proxy into pods of enabled namespaces.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/open-policy-agent/cert-controller/pkg/rotator"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/client-go/discovery"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	idempotencyv1alpha1 "github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
	"github.com/idempotency-operator/idempotency-operator/controllers"
	idempotencywebhook "github.com/idempotency-operator/idempotency-operator/webhook"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

var scheme = runtime.NewScheme()

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(idempotencyv1alpha1.AddToScheme(scheme))
}

type options struct {
	metricsAddr, probeAddr, webhookCertDir, certManagement   string
	webhookSecretName, webhookConfigName, webhookServiceName string
	proxyImage, namespace                                    string
	leaderElect, secureMetrics, enableHTTP2, enableWebhook   bool
	webhookPort                                              int
}

func main() {
	var o options
	flag.StringVar(&o.metricsAddr, "metrics-bind-address", "0",
		"address of the metrics endpoint: :8443 for HTTPS, :8080 for HTTP, 0 to disable")
	flag.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "address of /healthz and /readyz")
	flag.BoolVar(&o.leaderElect, "leader-elect", false,
		"elect one active controller among the replicas; every replica serves the webhook")
	flag.BoolVar(&o.secureMetrics, "metrics-secure", true,
		"serve metrics over HTTPS with Kubernetes authentication and authorization")
	flag.BoolVar(&o.enableHTTP2, "enable-http2", false,
		"serve HTTP/2 from the metrics and webhook servers (off by default: HTTP/2 rapid reset)")
	flag.BoolVar(&o.enableWebhook, "enable-webhook", true,
		"serve the pod injection webhook (disable to run the controller alone)")
	flag.IntVar(&o.webhookPort, "webhook-port", 9443, "port of the webhook server")
	flag.StringVar(&o.webhookCertDir, "webhook-cert-dir", "/tmp/k8s-webhook-server/serving-certs",
		"directory holding the webhook's tls.crt and tls.key")
	flag.StringVar(&o.certManagement, "cert-management", "self",
		"who issues the webhook certificate: self (a built-in CA that rotates certificates and "+
			"patches the webhook's caBundle) or cert-manager")
	flag.StringVar(&o.webhookSecretName, "webhook-secret-name", "idempotency-webhook-server-cert",
		"Secret holding the webhook certificate, in the operator's namespace")
	flag.StringVar(&o.webhookConfigName, "webhook-config-name", "idempotency-mutating-webhook-configuration",
		"MutatingWebhookConfiguration whose caBundle the built-in CA keeps current")
	flag.StringVar(&o.webhookServiceName, "webhook-service-name", "idempotency-webhook-service",
		"Service in front of the webhook, for the certificate's DNS name")
	flag.StringVar(&o.proxyImage, "proxy-image", "idempotency-proxy:latest", "image of the injected proxy")
	flag.StringVar(&o.namespace, "namespace", os.Getenv("POD_NAMESPACE"),
		"the operator's own namespace (default: $POD_NAMESPACE); never injected")
	zapOpts := zap.Options{}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))

	if err := run(o); err != nil {
		ctrl.Log.Error(err, "Manager stopped")
		os.Exit(1)
	}
}

func run(o options) error {
	log := ctrl.Log.WithName("setup")
	if o.namespace == "" {
		return errors.New("--namespace or $POD_NAMESPACE must name the operator's namespace")
	}

	var tlsOpts []func(*tls.Config)
	if !o.enableHTTP2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	metricsOpts := metricsserver.Options{
		BindAddress:   o.metricsAddr,
		SecureServing: o.secureMetrics,
		TLSOpts:       tlsOpts,
	}
	if o.secureMetrics {
		metricsOpts.FilterProvider = filters.WithAuthenticationAndAuthorization
	}

	cfg := ctrl.GetConfigOrDie()
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:  scheme,
		Metrics: metricsOpts,
		// Cache only the ConfigMaps the operator renders, not every
		// ConfigMap in the cluster.
		Cache:                   cache.Options{ByObject: controllers.CacheByObject()},
		HealthProbeBindAddress:  o.probeAddr,
		LeaderElection:          o.leaderElect,
		LeaderElectionID:        "idempotency-operator.idempotency.io",
		LeaderElectionNamespace: o.namespace,
		// Stepping down at once on SIGTERM hands leadership to another
		// replica without waiting for the lease to expire.
		LeaderElectionReleaseOnCancel: true,
		WebhookServer: webhook.NewServer(webhook.Options{
			Port:    o.webhookPort,
			CertDir: o.webhookCertDir,
			TLSOpts: tlsOpts,
		}),
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}

	reconciler := &controllers.PolicyReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Scheme:    mgr.GetScheme(),
		Recorder:  mgr.GetEventRecorder("idempotency-controller"),
	}
	if err := reconciler.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the policy controller: %w", err)
	}

	certsReady := make(chan struct{})
	if o.enableWebhook {
		if err := setupWebhook(mgr, cfg, o, certsReady); err != nil {
			return err
		}
	} else {
		close(certsReady)
	}

	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	// Ready once the webhook serves with a valid certificate, so that the
	// Service sends admission requests only to replicas that can answer.
	if err := mgr.AddReadyzCheck("webhook", func(req *http.Request) error {
		select {
		case <-certsReady:
		default:
			return errors.New("webhook certificate not ready")
		}
		if !o.enableWebhook {
			return nil
		}
		return mgr.GetWebhookServer().StartedChecker()(req)
	}); err != nil {
		return err
	}

	log.Info("Starting the manager", "version", version, "namespace", o.namespace)
	return mgr.Start(ctrl.SetupSignalHandler())
}

// setupWebhook registers the pod injector and, unless cert-manager issues
// the serving certificate, the built-in CA that keeps it and the webhook's
// caBundle current. certsReady is closed once the certificate is in place.
func setupWebhook(mgr ctrl.Manager, cfg *rest.Config, o options, certsReady chan struct{}) error {
	switch o.certManagement {
	case "self":
		err := rotator.AddRotator(mgr, &rotator.CertRotator{
			SecretKey:      types.NamespacedName{Namespace: o.namespace, Name: o.webhookSecretName},
			CertDir:        o.webhookCertDir,
			CAName:         "idempotency-operator-ca",
			CAOrganization: "idempotency-operator",
			DNSName:        fmt.Sprintf("%s.%s.svc", o.webhookServiceName, o.namespace),
			ExtraDNSNames: []string{
				fmt.Sprintf("%s.%s.svc.cluster.local", o.webhookServiceName, o.namespace),
			},
			IsReady:  certsReady,
			Webhooks: []rotator.WebhookInfo{{Name: o.webhookConfigName, Type: rotator.Mutating}},
			// Every replica runs the rotator, leader or not: each serves
			// the webhook and becomes ready only once its certificate is in
			// place. Replicas that write the same Secret converge, as the
			// rotator rereads it before it writes.
			RequireLeaderElection: false,
		})
		if err != nil {
			return fmt.Errorf("setting up certificate rotation: %w", err)
		}
	case "cert-manager":
		close(certsReady)
	default:
		return fmt.Errorf("--cert-management %q must be self or cert-manager", o.certManagement)
	}

	native, err := supportsNativeSidecars(cfg)
	if err != nil {
		// Fall back to a regular container, which every version runs.
		ctrl.Log.Error(err, "Cannot tell whether the cluster runs native sidecars; injecting regular containers")
	}
	ctrl.Log.Info("Injecting the proxy", "image", o.proxyImage, "nativeSidecars", native)
	injector := &idempotencywebhook.Injector{
		Image:             o.proxyImage,
		Version:           version,
		NativeSidecars:    native,
		OperatorNamespace: o.namespace,
	}
	// The webhook server reads its certificate when it starts, so it is
	// registered, and with it started, only once the certificate is in
	// place; until then the replica reports not ready.
	return mgr.Add(everyReplica(func(ctx context.Context) error {
		select {
		case <-certsReady:
		case <-ctx.Done():
			return nil
		}
		if err := injector.SetupWithManager(mgr); err != nil {
			return fmt.Errorf("setting up the injection webhook: %w", err)
		}
		<-ctx.Done()
		return nil
	}))
}

// everyReplica is a runnable that runs on every replica, leader or not.
type everyReplica func(context.Context) error

func (f everyReplica) Start(ctx context.Context) error { return f(ctx) }

// NeedLeaderElection reports that the runnable needs no leadership.
func (everyReplica) NeedLeaderElection() bool { return false }

// supportsNativeSidecars reports whether the API server runs init
// containers with restartPolicy Always (Kubernetes 1.29 and later).
func supportsNativeSidecars(cfg *rest.Config) (bool, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return false, fmt.Errorf("creating a discovery client: %w", err)
	}
	info, err := dc.ServerVersion()
	if err != nil {
		return false, fmt.Errorf("reading the server version: %w", err)
	}
	return idempotencywebhook.NativeSidecarsSupported(info)
}
