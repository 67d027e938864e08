package controllers

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
	"github.com/idempotency-operator/idempotency-operator/proxy/config"
)

// Reasons of the Accepted condition.
const (
	// ReasonAccepted: the policy is valid and conflicts with no older one.
	ReasonAccepted = "Accepted"
	// ReasonConflict: an older policy claims one of the policy's routes
	// for pods the policy may select too.
	ReasonConflict = "Conflict"
	// ReasonSecretNotFound: store.urlSecretRef names a Secret, or a key
	// of it, that does not exist.
	ReasonSecretNotFound = "SecretNotFound"
	// ReasonInvalid: the policy breaks a rule of the rendered
	// configuration that the CRD schema cannot express.
	ReasonInvalid = "Invalid"
)

// verdict is whether a policy may be rendered, and if not, why.
type verdict struct {
	accepted bool
	reason   string
	message  string
}

// namespacePlan is everything one reconcile decides about a namespace:
// its live policies, oldest first, the verdict on each, and the document
// the accepted ones render into.
type namespacePlan struct {
	namespace string
	// ns is the Namespace object, or nil when it is gone.
	ns       *corev1.Namespace
	policies []v1alpha1.IdempotencyPolicy
	verdicts map[string]verdict
	accepted int
	doc      *config.Document
	hash     string
	// yaml is the document as stored in the ConfigMap.
	yaml []byte
}

// policy returns the live policy with the given name, or nil.
func (p *namespacePlan) policy(name string) *v1alpha1.IdempotencyPolicy {
	for i := range p.policies {
		if p.policies[i].Name == name {
			return &p.policies[i]
		}
	}
	return nil
}

// planNamespace judges every live policy of the namespace, oldest first,
// and renders the accepted ones into one document.
//
// Oldest first matters for conflicts: a policy only claims routes once it
// has passed every other check, so the oldest valid policy keeps a route
// and a newer one that claims it too is refused.
func (r *PolicyReconciler) planNamespace(ctx context.Context, namespace string) (*namespacePlan, error) {
	ns, err := r.getNamespace(ctx, namespace)
	if err != nil {
		return nil, err
	}

	var list v1alpha1.IdempotencyPolicyList
	if err := r.Client.List(ctx, &list, client.InNamespace(namespace)); err != nil {
		return nil, fmt.Errorf("listing policies in %s: %w", namespace, err)
	}
	plan := &namespacePlan{namespace: namespace, ns: ns, verdicts: map[string]verdict{}}
	for _, p := range list.Items {
		if p.DeletionTimestamp.IsZero() {
			plan.policies = append(plan.policies, p)
		}
	}
	sort.Slice(plan.policies, func(i, j int) bool {
		return olderThan(&plan.policies[i], &plan.policies[j])
	})

	var (
		accepted []v1alpha1.IdempotencyPolicy
		claims   routeClaims
	)
	for i := range plan.policies {
		p := &plan.policies[i]
		v, err := r.judge(ctx, p, claims)
		if err != nil {
			return nil, err
		}
		plan.verdicts[p.Name] = v
		if v.accepted {
			accepted = append(accepted, *p)
			claims = claims.add(p)
		}
	}
	plan.accepted = len(accepted)

	doc, err := config.Render(accepted, renderOptions)
	if err != nil {
		// Every accepted policy rendered on its own, and policies of one
		// namespace cannot clash by name: this is a bug, not bad input.
		renders.WithLabelValues(renderError).Inc()
		return nil, fmt.Errorf("rendering namespace %s: %w", namespace, err)
	}
	data, err := doc.Marshal()
	if err != nil {
		renders.WithLabelValues(renderError).Inc()
		return nil, fmt.Errorf("marshalling the configuration of %s: %w", namespace, err)
	}
	plan.doc, plan.hash, plan.yaml = doc, doc.Hash(), data
	return plan, nil
}

// judge decides whether one policy is accepted, given the routes older
// accepted policies already claim.
func (r *PolicyReconciler) judge(ctx context.Context, p *v1alpha1.IdempotencyPolicy,
	claims routeClaims) (verdict, error) {
	if ref := p.Spec.Store.URLSecretRef; ref != nil {
		problem, err := r.checkSecret(ctx, p.Namespace, *ref)
		if err != nil {
			return verdict{}, err
		}
		if problem != "" {
			return verdict{reason: ReasonSecretNotFound, message: problem}, nil
		}
	}

	if _, err := config.Render([]v1alpha1.IdempotencyPolicy{*p}, renderOptions); err != nil {
		return verdict{reason: ReasonInvalid, message: err.Error()}, nil
	}

	if c, ok := claims.conflict(p); ok {
		return verdict{reason: ReasonConflict, message: c.message()}, nil
	}

	return verdict{
		accepted: true,
		reason:   ReasonAccepted,
		message:  "The policy is valid and conflicts with no other policy",
	}, nil
}

// renderOptions point policies that read their Redis URL from a Secret at
// the file where the webhook mounts that Secret in the sidecar.
var renderOptions = config.RenderOptions{
	SecretURLFile: func(_ string, ref v1alpha1.SecretKeyRef) string {
		return v1alpha1.SecretsMountPath + "/" + ref.Name + "/" + ref.Key
	},
}

// olderThan orders policies by creation time, then name, so that the same
// policy wins a conflict on every reconcile.
func olderThan(a, b *v1alpha1.IdempotencyPolicy) bool {
	ta, tb := a.CreationTimestamp, b.CreationTimestamp
	if !ta.Equal(&tb) {
		return ta.Before(&tb)
	}
	return a.Name < b.Name
}
