package controllers

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// errConfigMapNotManaged is returned when a ConfigMap with the operator's
// name exists but was not created by the operator: it is left alone.
var errConfigMapNotManaged = errors.New("not managed by the operator")

// transientError marks a write that lost a race with the cache; the
// reconcile is retried shortly without logging an error.
type transientError struct{ err error }

func (e transientError) Error() string { return e.err.Error() }
func (e transientError) Unwrap() error { return e.err }

func isTransient(err error) bool {
	var t transientError
	return errors.As(err, &t)
}

// syncConfigMap makes the namespace's ConfigMap hold the plan's document,
// with an owner reference to every live policy, or deletes it when no
// policy is left.
func (r *PolicyReconciler) syncConfigMap(ctx context.Context, plan *namespacePlan) error {
	log := ctrl.LoggerFrom(ctx)
	key := client.ObjectKey{Namespace: plan.namespace, Name: v1alpha1.ConfigMapName}

	current := &corev1.ConfigMap{}
	err := r.Client.Get(ctx, key, current)
	found := err == nil
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("getting ConfigMap %s: %w", key, err)
	}
	if found && !isManaged(current) {
		return fmt.Errorf("ConfigMap %s: %w", key, errConfigMapNotManaged)
	}

	if len(plan.policies) == 0 {
		if !found {
			return nil
		}
		return r.deleteConfigMap(ctx, current)
	}
	if plan.ns == nil || plan.ns.Status.Phase == corev1.NamespaceTerminating {
		// Nothing can be created in a namespace on its way out.
		return nil
	}

	desired, err := r.desiredConfigMap(plan)
	if err != nil {
		return err
	}

	if !found {
		if err := r.Client.Create(ctx, desired); err != nil {
			if apierrors.IsAlreadyExists(err) {
				return r.explainExisting(ctx, key, err)
			}
			renders.WithLabelValues(renderError).Inc()
			return fmt.Errorf("creating ConfigMap %s: %w", key, err)
		}
		renders.WithLabelValues(renderCreated).Inc()
		log.Info("Created the proxy ConfigMap", "configMap", klog.KObj(desired), "hash", plan.hash,
			"policies", len(plan.policies), "accepted", plan.accepted)
		return nil
	}

	if upToDate(current, desired) {
		renders.WithLabelValues(renderUnchanged).Inc()
		return nil
	}
	updated := current.DeepCopy()
	if updated.Labels == nil {
		updated.Labels = map[string]string{}
	}
	maps.Copy(updated.Labels, desired.Labels)
	if updated.Annotations == nil {
		updated.Annotations = map[string]string{}
	}
	maps.Copy(updated.Annotations, desired.Annotations)
	updated.Data = desired.Data
	updated.BinaryData = nil
	updated.OwnerReferences = append(foreignOwners(current.OwnerReferences), desired.OwnerReferences...)
	if err := r.Client.Update(ctx, updated); err != nil {
		if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
			return transientError{err}
		}
		renders.WithLabelValues(renderError).Inc()
		return fmt.Errorf("updating ConfigMap %s: %w", key, err)
	}
	renders.WithLabelValues(renderUpdated).Inc()
	log.Info("Updated the proxy ConfigMap", "configMap", klog.KObj(updated),
		"previousHash", current.Annotations[v1alpha1.ConfigHashAnnotation], "hash", plan.hash,
		"policies", len(plan.policies), "accepted", plan.accepted)
	return nil
}

// deleteConfigMap removes the ConfigMap once no policy is left. The
// garbage collector would too, once the last owner is gone; deleting it
// here makes the namespace clean at once.
func (r *PolicyReconciler) deleteConfigMap(ctx context.Context, cm *corev1.ConfigMap) error {
	// The preconditions keep a ConfigMap that a concurrent reconcile has
	// just rewritten for a new policy.
	err := r.Client.Delete(ctx, cm,
		client.Preconditions{UID: &cm.UID, ResourceVersion: &cm.ResourceVersion})
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case apierrors.IsConflict(err):
		return transientError{err}
	case err != nil:
		renders.WithLabelValues(renderError).Inc()
		return fmt.Errorf("deleting ConfigMap %s: %w", client.ObjectKeyFromObject(cm), err)
	}
	renders.WithLabelValues(renderDeleted).Inc()
	ctrl.LoggerFrom(ctx).Info("Deleted the proxy ConfigMap: no policy is left", "configMap", klog.KObj(cm))
	return nil
}

// explainExisting tells a ConfigMap our cache has not seen yet from one
// someone else owns. The cache may only hold the operator's ConfigMaps
// (see CacheByObject), so the API server is asked directly.
func (r *PolicyReconciler) explainExisting(ctx context.Context, key client.ObjectKey,
	createErr error) error {
	existing := &corev1.ConfigMap{}
	if err := r.APIReader.Get(ctx, key, existing); err != nil {
		return transientError{createErr}
	}
	if !isManaged(existing) {
		return fmt.Errorf("ConfigMap %s: %w", key, errConfigMapNotManaged)
	}
	return transientError{createErr}
}

// desiredConfigMap is the ConfigMap the plan renders to.
func (r *PolicyReconciler) desiredConfigMap(plan *namespacePlan) (*corev1.ConfigMap, error) {
	owners := make([]metav1.OwnerReference, 0, len(plan.policies))
	for i := range plan.policies {
		p := &plan.policies[i]
		gvk, err := apiutil.GVKForObject(p, r.Scheme)
		if err != nil {
			return nil, fmt.Errorf("owner reference to policy %s: %w", p.Name, err)
		}
		// Plain owner references, none of them the controller: the
		// ConfigMap belongs to all the namespace's policies at once and is
		// collected when the last one is deleted. BlockOwnerDeletion stays
		// unset, as it would need update rights on policies/finalizers.
		owners = append(owners, metav1.OwnerReference{
			APIVersion: gvk.GroupVersion().String(),
			Kind:       gvk.Kind,
			Name:       p.Name,
			UID:        p.UID,
		})
	}
	slices.SortFunc(owners, func(a, b metav1.OwnerReference) int { return strings.Compare(a.Name, b.Name) })

	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:       plan.namespace,
			Name:            v1alpha1.ConfigMapName,
			Labels:          map[string]string{v1alpha1.ManagedByLabel: v1alpha1.ManagedByValue},
			Annotations:     map[string]string{v1alpha1.ConfigHashAnnotation: plan.hash},
			OwnerReferences: owners,
		},
		Data: map[string]string{v1alpha1.ConfigMapKey: string(plan.yaml)},
	}, nil
}

// upToDate reports whether current already holds what desired asks for.
func upToDate(current, desired *corev1.ConfigMap) bool {
	for k, v := range desired.Labels {
		if current.Labels[k] != v {
			return false
		}
	}
	for k, v := range desired.Annotations {
		if current.Annotations[k] != v {
			return false
		}
	}
	if !maps.Equal(current.Data, desired.Data) || len(current.BinaryData) > 0 {
		return false
	}
	return slices.EqualFunc(policyOwners(current.OwnerReferences), desired.OwnerReferences,
		func(a, b metav1.OwnerReference) bool {
			return a.Name == b.Name && a.UID == b.UID && a.APIVersion == b.APIVersion && a.Kind == b.Kind
		})
}

func isManaged(cm *corev1.ConfigMap) bool {
	return cm.Labels[v1alpha1.ManagedByLabel] == v1alpha1.ManagedByValue
}

// policyOwners returns the owner references to policies, sorted by name.
func policyOwners(refs []metav1.OwnerReference) []metav1.OwnerReference {
	var out []metav1.OwnerReference
	for _, ref := range refs {
		if isPolicyRef(ref) {
			out = append(out, ref)
		}
	}
	slices.SortFunc(out, func(a, b metav1.OwnerReference) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// foreignOwners returns the owner references someone else added, which
// an update keeps.
func foreignOwners(refs []metav1.OwnerReference) []metav1.OwnerReference {
	var out []metav1.OwnerReference
	for _, ref := range refs {
		if !isPolicyRef(ref) {
			out = append(out, ref)
		}
	}
	return out
}

func isPolicyRef(ref metav1.OwnerReference) bool {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	return err == nil && gv.Group == v1alpha1.GroupVersion.Group && ref.Kind == "IdempotencyPolicy"
}
