package controllers

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	kerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/tools/events"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Default intervals of PolicyReconciler.
const (
	// DefaultPendingRequeue is how soon a policy is checked again while
	// it waits for something the reconciler does not watch: pods loading
	// a new configuration (the kubelet refreshes mounted ConfigMaps within
	// about a minute) or a Secret being created.
	DefaultPendingRequeue = 5 * time.Second
	// DefaultResyncPeriod is how often an enforced policy is checked
	// again, to notice a proxy that stopped reporting the current hash.
	DefaultResyncPeriod = 60 * time.Second
	// DefaultMaxConcurrentReads bounds the admin requests one reconcile
	// sends to pods at the same time.
	DefaultMaxConcurrentReads = 8
)

// PolicyReconciler renders the IdempotencyPolicy objects of a namespace
// into the namespace's proxy ConfigMap and reports, on each policy,
// whether it is accepted, programmed and enforced by the pods it selects.
//
// No finalizer is needed: the ConfigMap carries an owner reference to every
// policy of its namespace, so the garbage collector removes it with the
// last one, and deleting any policy triggers a reconcile that renders the
// namespace again without it.
type PolicyReconciler struct {
	// Client reads from the manager's cache and writes to the API server.
	Client client.Client
	// APIReader reads Secrets straight from the API server. Secrets are
	// never watched or cached: the reconciler only needs to know that the
	// Secret a policy references holds the key it names.
	APIReader client.Reader
	// Scheme knows the API types; it builds owner references.
	Scheme *runtime.Scheme
	// Recorder publishes events on policies, for users.
	Recorder events.EventRecorder
	// ConfigReader asks a pod's sidecar which configuration it has
	// loaded. Nil means an HTTPConfigReader with its defaults.
	ConfigReader LoadedConfigReader

	// PendingRequeue overrides DefaultPendingRequeue when positive.
	PendingRequeue time.Duration
	// ResyncPeriod overrides DefaultResyncPeriod when positive.
	ResyncPeriod time.Duration
	// MaxConcurrentReads overrides DefaultMaxConcurrentReads when positive.
	MaxConcurrentReads int
	// MaxConcurrentReconciles is the number of workers; default 1.
	MaxConcurrentReconciles int
}

// +kubebuilder:rbac:groups=idempotency.io,resources=idempotencypolicies,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=idempotency.io,resources=idempotencypolicies/status,verbs=get;update;patch
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile renders the namespace of the requested policy and then
// updates that policy's status. It runs for deleted policies too, so that
// the namespace is rendered without them.
func (r *PolicyReconciler) Reconcile(ctx context.Context, req ctrl.Request) (_ ctrl.Result, reterr error) {
	log := ctrl.LoggerFrom(ctx)

	plan, err := r.planNamespace(ctx, req.Namespace)
	if err != nil {
		return ctrl.Result{}, err
	}

	syncErr := r.syncConfigMap(ctx, plan)
	if isTransient(syncErr) {
		// Our cache is behind a write of our own; the watch brings the
		// ConfigMap in shortly.
		log.V(1).Info("Retrying the ConfigMap write", "reason", syncErr.Error())
		return ctrl.Result{RequeueAfter: time.Second}, nil
	}

	policy := plan.policy(req.Name)
	if policy == nil {
		forgetPolicyMetrics(req.Namespace, req.Name)
		if errors.Is(syncErr, errConfigMapNotManaged) {
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, syncErr
	}

	before := policy.DeepCopy()
	var advice string
	defer func() {
		if err := r.patchStatus(ctx, before, policy); err != nil {
			reterr = kerrors.NewAggregate([]error{reterr, err})
			return
		}
		r.recordEvents(before, policy, advice)
		observePolicyMetrics(policy)
	}()

	log.V(1).Info("Reconciling policy", "policy", klog.KObj(policy), "configHash", plan.hash)

	verdict := plan.verdicts[policy.Name]
	prog := programmedState(verdict, plan, syncErr)

	enforcement, err := r.checkEnforcement(ctx, policy, plan, prog)
	if err != nil {
		return ctrl.Result{}, err
	}

	advice = enforcement.sidecarAdvice
	setStatus(policy, verdict, prog, enforcement)

	if syncErr != nil && !errors.Is(syncErr, errConfigMapNotManaged) {
		return ctrl.Result{}, syncErr
	}
	return ctrl.Result{RequeueAfter: r.requeueAfter(verdict, prog, enforcement)}, nil
}

// requeueAfter says when to look again at what no watch reports: Secrets,
// and the configuration each pod's sidecar has loaded.
func (r *PolicyReconciler) requeueAfter(v verdict, p programmed, e enforcement) time.Duration {
	switch {
	case !v.accepted:
		// Conflicts and invalid specs change only through watched
		// policies; a Secret may appear at any time.
		if v.reason == ReasonSecretNotFound {
			return r.pendingRequeue()
		}
		return r.resyncPeriod()
	case !p.ok:
		return r.pendingRequeue()
	case !e.enforced && e.selected > 0:
		return r.pendingRequeue()
	default:
		return r.resyncPeriod()
	}
}

func (r *PolicyReconciler) pendingRequeue() time.Duration {
	if r.PendingRequeue > 0 {
		return r.PendingRequeue
	}
	return DefaultPendingRequeue
}

func (r *PolicyReconciler) resyncPeriod() time.Duration {
	if r.ResyncPeriod > 0 {
		return r.ResyncPeriod
	}
	return DefaultResyncPeriod
}

// getNamespace returns the namespace, or nil when it is gone.
func (r *PolicyReconciler) getNamespace(ctx context.Context, name string) (*corev1.Namespace, error) {
	ns := &corev1.Namespace{}
	if err := r.Client.Get(ctx, client.ObjectKey{Name: name}, ns); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("getting namespace %s: %w", name, err)
	}
	return ns, nil
}
