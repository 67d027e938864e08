package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// defaultSecretKey is the key of store.urlSecretRef when none is given,
// as the CRD defaults it.
const defaultSecretKey = "url"

// checkSecret reports, as a message for the user, what is wrong with the
// Secret a policy reads its Redis URL from; "" means nothing is.
//
// It reads the one Secret straight from the API server: the operator may
// get Secrets but neither list nor watch them, so they are never cached.
// Because nothing reports a Secret being created later, a policy refused
// for a missing Secret is checked again periodically.
func (r *PolicyReconciler) checkSecret(ctx context.Context, namespace string,
	ref v1alpha1.SecretKeyRef) (string, error) {
	key := ref.Key
	if key == "" {
		key = defaultSecretKey
	}

	secret := &corev1.Secret{}
	err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: namespace, Name: ref.Name}, secret)
	switch {
	case apierrors.IsNotFound(err):
		return fmt.Sprintf("Secret %q referenced by store.urlSecretRef does not exist in namespace %s: "+
			"create it with the Redis URL under key %q", ref.Name, namespace, key), nil
	case err != nil:
		return "", fmt.Errorf("getting Secret %s/%s: %w", namespace, ref.Name, err)
	}

	if _, ok := secret.Data[key]; !ok {
		return fmt.Sprintf("Secret %q referenced by store.urlSecretRef has no key %q: "+
			"add the Redis URL under that key", ref.Name, key), nil
	}
	return "", nil
}
