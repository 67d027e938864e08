package controllers

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// Event reasons, beside the condition reasons that are reported as events
// too (Conflict, SecretNotFound, Invalid, ConfigMapNotManaged).
const (
	// EventConfigRendered: the configuration holding the policy changed.
	EventConfigRendered = "ConfigRendered"
	// EventPodsMissingSidecar: selected pods run without the sidecar.
	EventPodsMissingSidecar = ReasonPodsMissingSidecar
)

// Event actions, the verb of an events.k8s.io event.
const (
	actionRender   = "Render"
	actionValidate = "Validate"
	actionEnforce  = "Enforce"
)

// recordEvents tells users what changed between two statuses. Events are
// only published on change, never on every reconcile, so that a requeue
// loop waiting for pods does not flood the namespace.
//
// advice is what the reconcile found to say about pods without the
// sidecar. It is part of the Enforced message, so it is published when the
// previous message did not hold it, such as when the number of pods
// without the sidecar changes.
func (r *PolicyReconciler) recordEvents(before, after *v1alpha1.IdempotencyPolicy, advice string) {
	if r.Recorder == nil {
		return
	}

	if h := after.Status.ConfigHash; h != "" && h != before.Status.ConfigHash {
		r.Recorder.Eventf(after, nil, corev1.EventTypeNormal, EventConfigRendered, actionRender,
			"Rendered into ConfigMap %s with hash %s", v1alpha1.ConfigMapName, h)
	}

	if c, changed := conditionChanged(before, after, v1alpha1.ConditionAccepted); changed {
		switch c.Reason {
		case ReasonConflict, ReasonSecretNotFound, ReasonInvalid:
			r.Recorder.Eventf(after, nil, corev1.EventTypeWarning, c.Reason, actionValidate, "%s", c.Message)
		}
	}

	if c, changed := conditionChanged(before, after, v1alpha1.ConditionProgrammed); changed &&
		c.Reason == ReasonConfigMapNotManaged {
		r.Recorder.Eventf(after, nil, corev1.EventTypeWarning, c.Reason, actionRender, "%s", c.Message)
	}

	if advice != "" {
		old := meta.FindStatusCondition(before.Status.Conditions, v1alpha1.ConditionEnforced)
		if old == nil || !strings.Contains(old.Message, advice) {
			r.Recorder.Eventf(after, nil, corev1.EventTypeWarning, EventPodsMissingSidecar, actionEnforce,
				"%s", advice)
		}
	}
}

// conditionChanged returns the condition of after, and whether its
// status, reason or message differs from before.
func conditionChanged(before, after *v1alpha1.IdempotencyPolicy, condType string) (*metav1.Condition, bool) {
	now := meta.FindStatusCondition(after.Status.Conditions, condType)
	if now == nil {
		return nil, false
	}
	was := meta.FindStatusCondition(before.Status.Conditions, condType)
	if was == nil {
		return now, true
	}
	return now, was.Status != now.Status || was.Reason != now.Reason || was.Message != now.Message
}
