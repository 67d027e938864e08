package controllers

import (
	"context"
	"errors"
	"maps"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// ControllerName names the controller in logs and metrics.
const ControllerName = "idempotencypolicy"

// SetupWithManager registers the reconciler with the manager.
//
// Every event is turned into reconciles of all policies in the object's
// namespace, because they share one configuration: a policy created,
// changed or deleted can change whether its neighbours conflict, and so
// can what their ConfigMap holds; pods and namespace labels change what
// every policy of the namespace selects and enforces.
func (r *PolicyReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Client == nil || r.APIReader == nil {
		return errors.New("PolicyReconciler needs Client and APIReader")
	}
	if r.Scheme == nil {
		r.Scheme = mgr.GetScheme()
	}
	workers := r.MaxConcurrentReconciles
	if workers <= 0 {
		workers = 1
	}

	// Status updates, our own included, do not change the generation and
	// are not worth a reconcile.
	specChanged := builder.WithPredicates(predicate.GenerationChangedPredicate{})

	return ctrl.NewControllerManagedBy(mgr).
		Named(ControllerName).
		For(&v1alpha1.IdempotencyPolicy{}, specChanged).
		Watches(&v1alpha1.IdempotencyPolicy{},
			handler.EnqueueRequestsFromMapFunc(r.policiesInNamespace), specChanged).
		Watches(&corev1.ConfigMap{},
			handler.EnqueueRequestsFromMapFunc(r.policiesInNamespace),
			builder.WithPredicates(predicate.NewPredicateFuncs(isProxyConfigMap))).
		Watches(&corev1.Pod{},
			handler.EnqueueRequestsFromMapFunc(r.policiesInNamespace),
			builder.WithPredicates(podChangedPredicate())).
		Watches(&corev1.Namespace{},
			handler.EnqueueRequestsFromMapFunc(r.policiesOfNamespace),
			builder.WithPredicates(predicate.LabelChangedPredicate{})).
		WithOptions(controller.Options{MaxConcurrentReconciles: workers}).
		Complete(r)
}

// CacheByObject narrows the manager's cache to what the reconciler needs
// of ConfigMaps: only those the operator manages. Pass it as
// cache.Options.ByObject when creating the manager; without it the
// reconciler still works, but caches every ConfigMap of the cluster.
func CacheByObject() map[client.Object]cache.ByObject {
	return map[client.Object]cache.ByObject{
		&corev1.ConfigMap{}: {
			Label: labels.SelectorFromSet(labels.Set{v1alpha1.ManagedByLabel: v1alpha1.ManagedByValue}),
		},
	}
}

// policiesInNamespace maps an object to every policy of its namespace.
func (r *PolicyReconciler) policiesInNamespace(ctx context.Context, obj client.Object) []reconcile.Request {
	return r.listRequests(ctx, obj.GetNamespace())
}

// policiesOfNamespace maps a Namespace to every policy in it.
func (r *PolicyReconciler) policiesOfNamespace(ctx context.Context, obj client.Object) []reconcile.Request {
	return r.listRequests(ctx, obj.GetName())
}

func (r *PolicyReconciler) listRequests(ctx context.Context, namespace string) []reconcile.Request {
	var list v1alpha1.IdempotencyPolicyList
	if err := r.Client.List(ctx, &list, client.InNamespace(namespace)); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "Listing policies to reconcile", "namespace", namespace)
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for _, p := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{
			Namespace: p.Namespace, Name: p.Name,
		}})
	}
	return reqs
}

// isProxyConfigMap keeps the ConfigMaps the reconciler writes.
func isProxyConfigMap(obj client.Object) bool {
	return obj.GetName() == v1alpha1.ConfigMapName &&
		obj.GetLabels()[v1alpha1.ManagedByLabel] == v1alpha1.ManagedByValue
}

// podChangedPredicate passes pod creations and deletions, and updates
// that can change whether the pod is selected or enforces its policies:
// labels, phase, address, readiness, deletion, and restarts of the
// sidecar, which reloads its configuration when it starts. It drops the
// many other status updates pods go through.
func podChangedPredicate() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			old, okOld := e.ObjectOld.(*corev1.Pod)
			pod, okNew := e.ObjectNew.(*corev1.Pod)
			if !okOld || !okNew {
				return true
			}
			return !maps.Equal(old.Labels, pod.Labels) ||
				old.Status.Phase != pod.Status.Phase ||
				old.Status.PodIP != pod.Status.PodIP ||
				old.DeletionTimestamp.IsZero() != pod.DeletionTimestamp.IsZero() ||
				podReady(old) != podReady(pod) ||
				sidecarRestarts(old) != sidecarRestarts(pod)
		},
	}
}

func podReady(pod *corev1.Pod) corev1.ConditionStatus {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status
		}
	}
	return corev1.ConditionUnknown
}

func sidecarRestarts(pod *corev1.Pod) int32 {
	for _, statuses := range [][]corev1.ContainerStatus{
		pod.Status.InitContainerStatuses, pod.Status.ContainerStatuses,
	} {
		for _, s := range statuses {
			if s.Name == v1alpha1.ProxyContainerName {
				return s.RestartCount
			}
		}
	}
	return 0
}
