package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// Path is where the manager's webhook server serves the pod injector. The
// MutatingWebhookConfiguration must call this path.
const Path = "/mutate-v1-pod"

// recorderName is the reporting controller of the webhook's Events.
const recorderName = "idempotency-injector"

// The MutatingWebhookConfiguration. Its namespaceSelector
// (idempotency.io/injection=enabled, and not the system or operator
// namespaces) and objectSelector (idempotency.io/inject NotIn [false]) are
// added by the manifests: controller-gen cannot express them.
//
// +kubebuilder:webhook:path=/mutate-v1-pod,mutating=true,failurePolicy=ignore,sideEffects=None,groups="",resources=pods,verbs=create,versions=v1,name=inject.idempotency.io,admissionReviewVersions=v1,reinvocationPolicy=IfNeeded

// What the injector reads and writes.
//
// +kubebuilder:rbac:groups="",resources=namespaces;configmaps,verbs=get;list;watch
// +kubebuilder:rbac:groups=idempotency.io,resources=idempotencypolicies,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Injector is the admission handler that adds the idempotency proxy to pods
// created in namespaces that enable injection.
type Injector struct {
	// Client reads namespaces, the namespace's proxy ConfigMap and its
	// IdempotencyPolicies. The manager's cached client keeps admission
	// fast; SetupWithManager uses it when Client is nil.
	Client client.Reader

	// APIReader, when set, confirms with the API server a namespace that
	// Client does not show as enabled. The API server only calls the
	// webhook for enabled namespaces, so such a disagreement usually means
	// the cache has not yet seen a namespace created or labelled moments
	// ago. SetupWithManager uses the manager's API reader when it is nil.
	APIReader client.Reader

	// Decoder decodes pods from admission requests. SetupWithManager
	// builds one from the manager's scheme when it is nil.
	Decoder admission.Decoder

	// Image is the proxy's container image.
	Image string

	// Version is the proxy version recorded in the InjectedAnnotation of
	// every injected pod.
	Version string

	// NativeSidecars injects the proxy as an init container with
	// restartPolicy Always, so the application starts only once the proxy
	// is ready. Set it when the cluster supports native sidecars; see
	// NativeSidecarsSupported. Otherwise the proxy is a regular container.
	NativeSidecars bool

	// OperatorNamespace is never injected, whatever its labels.
	OperatorNamespace string

	// Recorder, when set, receives an Event each time the webhook fails,
	// or a pod it should inject cannot be (no application port, say).
	// SetupWithManager uses the manager's recorder when it is nil.
	Recorder events.EventRecorder
}

var _ admission.Handler = &Injector{}

// SetupWithManager fills the Injector's unset dependencies from mgr and
// registers it on the manager's webhook server at Path.
func (i *Injector) SetupWithManager(mgr ctrl.Manager) error {
	if i.Image == "" {
		return errors.New("the proxy image is required")
	}
	if i.Client == nil {
		i.Client = mgr.GetClient()
	}
	if i.APIReader == nil {
		i.APIReader = mgr.GetAPIReader()
	}
	if i.Decoder == nil {
		i.Decoder = admission.NewDecoder(mgr.GetScheme())
	}
	if i.Recorder == nil {
		i.Recorder = mgr.GetEventRecorder(recorderName)
	}

	mgr.GetWebhookServer().Register(Path, &admission.Webhook{Handler: i})
	return nil
}

// Handle answers one admission request for a pod. It always allows the
// pod: with a patch that adds the proxy, or unchanged with a warning that
// says why the proxy was not added.
func (i *Injector) Handle(ctx context.Context, req admission.Request) admission.Response {
	if req.Operation != admissionv1.Create {
		return admission.Allowed("")
	}
	target := &podTarget{namespace: req.Namespace}

	pod := &corev1.Pod{}
	if err := i.Decoder.Decode(req, pod); err != nil {
		return i.failed(ctx, target, fmt.Errorf("decoding the pod: %w", err))
	}
	target.pod = pod

	if reason := skipForPod(pod, req.Namespace, i.OperatorNamespace); reason != nil {
		return i.skipped(ctx, target, reason)
	}

	enabled, err := i.namespaceEnabled(ctx, req.Namespace)
	if err != nil {
		return i.failed(ctx, target, err)
	}
	if !enabled {
		return i.skipped(ctx, target, skipNamespaceNotEnabled)
	}

	state, err := i.readNamespace(ctx, req.Namespace)
	if err != nil {
		return i.failed(ctx, target, err)
	}
	target.policies = state.policies

	if isWindows(pod) {
		return i.skipped(ctx, target, skipWindows)
	}
	ports, reason := resolvePorts(pod)
	if reason != nil {
		return i.skipped(ctx, target, reason)
	}

	injected := pod.DeepCopy()
	if reason := inject(injected, sidecar{
		image:      i.Image,
		version:    i.Version,
		native:     i.NativeSidecars,
		ports:      ports,
		configHash: state.configHash,
		secrets:    state.secrets,
	}); reason != nil {
		return i.skipped(ctx, target, reason)
	}

	raw, err := json.Marshal(injected)
	if err != nil {
		return i.failed(ctx, target, fmt.Errorf("encoding the injected pod: %w", err))
	}
	resp := admission.PatchResponseFromRaw(req.Object.Raw, raw)
	if !resp.Allowed {
		return i.failed(ctx, target, fmt.Errorf("computing the patch: %s", resp.Result.Message))
	}
	injections.WithLabelValues(resultInjected).Inc()
	logf.FromContext(ctx).V(1).Info("Injecting the idempotency proxy",
		"pod", target.describe(), "proxyPort", ports.proxy, "appPort", ports.app,
		"native", i.NativeSidecars)
	return resp
}
