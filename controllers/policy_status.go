package controllers

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// Reasons of the Programmed and Ready conditions.
const (
	// ReasonRendered: the policy is in the namespace's ConfigMap.
	ReasonRendered = "Rendered"
	// ReasonNotAccepted: the policy is left out of the configuration
	// until it is accepted.
	ReasonNotAccepted = "NotAccepted"
	// ReasonConfigMapNotManaged: a ConfigMap with the operator's name
	// exists and belongs to someone else.
	ReasonConfigMapNotManaged = "ConfigMapNotManaged"
	// ReasonConfigMapError: writing the ConfigMap failed.
	ReasonConfigMapError = "ConfigMapError"
	// ReasonNamespaceTerminating: the namespace is being deleted.
	ReasonNamespaceTerminating = "NamespaceTerminating"
	// ReasonReady: Accepted, Programmed and Enforced are all True.
	ReasonReady = "Ready"
)

// programmed is whether the policy is in the ConfigMap, and if not, why.
type programmed struct {
	ok      bool
	reason  string
	message string
	hash    string
}

// programmedState derives the Programmed condition from the verdict on
// the policy and the outcome of writing the ConfigMap.
func programmedState(v verdict, plan *namespacePlan, syncErr error) programmed {
	switch {
	case !v.accepted:
		return programmed{reason: ReasonNotAccepted,
			message: "The policy is left out of the proxy configuration until it is accepted"}
	case errors.Is(syncErr, errConfigMapNotManaged):
		return programmed{reason: ReasonConfigMapNotManaged, message: fmt.Sprintf(
			"ConfigMap %s exists but was not created by the operator (it lacks the label %s=%s): "+
				"rename or delete it so that the operator can write the proxy configuration",
			v1alpha1.ConfigMapName, v1alpha1.ManagedByLabel, v1alpha1.ManagedByValue)}
	case syncErr != nil:
		return programmed{reason: ReasonConfigMapError,
			message: "Writing the proxy configuration failed: " + syncErr.Error()}
	case plan.ns == nil || plan.ns.Status.Phase == corev1.NamespaceTerminating:
		return programmed{reason: ReasonNamespaceTerminating,
			message: "The namespace is being deleted"}
	}
	return programmed{
		ok:     true,
		reason: ReasonRendered,
		hash:   plan.hash,
		message: fmt.Sprintf("Rendered into ConfigMap %s with %s of the namespace",
			v1alpha1.ConfigMapName, countOf(plan.accepted, "accepted policy")),
	}
}

// setStatus writes the conditions and counts of one reconcile.
func setStatus(p *v1alpha1.IdempotencyPolicy, v verdict, prog programmed, e enforcement) {
	gen := p.Generation
	set := func(condType string, ok bool, reason, message string) {
		status := metav1.ConditionFalse
		if ok {
			status = metav1.ConditionTrue
		}
		meta.SetStatusCondition(&p.Status.Conditions, metav1.Condition{
			Type:               condType,
			Status:             status,
			ObservedGeneration: gen,
			Reason:             reason,
			Message:            truncate(message),
		})
	}

	set(v1alpha1.ConditionAccepted, v.accepted, v.reason, v.message)
	set(v1alpha1.ConditionProgrammed, prog.ok, prog.reason, prog.message)
	set(v1alpha1.ConditionEnforced, e.enforced, e.reason, e.message)

	// Ready sums up the other three, with the first that is not True.
	switch {
	case !v.accepted:
		set(v1alpha1.ConditionReady, false, v.reason, "Accepted is False: "+v.message)
	case !prog.ok:
		set(v1alpha1.ConditionReady, false, prog.reason, "Programmed is False: "+prog.message)
	case !e.enforced:
		set(v1alpha1.ConditionReady, false, e.reason, "Enforced is False: "+e.message)
	default:
		set(v1alpha1.ConditionReady, true, ReasonReady, "The policy is accepted, rendered and enforced")
	}

	p.Status.ObservedGeneration = gen
	p.Status.ConfigHash = prog.hash
	p.Status.Routes = 0
	if prog.ok {
		p.Status.Routes = int32(len(p.Spec.Routes))
	}
	p.Status.SelectedPods = e.selected
	p.Status.EnforcedPods = e.current
	p.Status.Enforced = fmt.Sprintf("%d/%d", e.current, e.selected)
}

// maxMessageLength is the API server's limit on a condition message.
const maxMessageLength = 32768

func truncate(s string) string {
	if len(s) <= maxMessageLength {
		return s
	}
	return s[:maxMessageLength-3] + "..."
}

// patchStatus writes the status when the reconcile changed it, as a merge
// patch against what was read, so that a spec change made meanwhile is
// neither lost nor overwritten.
func (r *PolicyReconciler) patchStatus(ctx context.Context, before, after *v1alpha1.IdempotencyPolicy) error {
	if equality.Semantic.DeepEqual(before.Status, after.Status) {
		return nil
	}
	if err := r.Client.Status().Patch(ctx, after, client.MergeFrom(before)); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("patching the status of policy %s/%s: %w", after.Namespace, after.Name, err)
	}
	return nil
}
