package webhook

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	idempotencyv1alpha1 "github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// namespaceState is what the injector needs to know about a namespace at
// injection time.
type namespaceState struct {
	// configHash is the hash of the rendered proxy configuration, empty
	// when the controller has not rendered one yet.
	configHash string
	// secrets are the names of the Secrets holding Redis URLs that the
	// namespace's policies refer to, sorted and without duplicates.
	secrets []string
	// policies are the namespace's policies, the subjects of Events about
	// the pods they would have protected.
	policies []idempotencyv1alpha1.IdempotencyPolicy
}

// namespaceEnabled reports whether the namespace enables injection.
func (i *Injector) namespaceEnabled(ctx context.Context, name string) (bool, error) {
	ns := &corev1.Namespace{}
	err := i.Client.Get(ctx, client.ObjectKey{Name: name}, ns)
	switch {
	case err == nil && injectionEnabled(ns):
		return true, nil
	case err != nil && !apierrors.IsNotFound(err):
		return false, fmt.Errorf("reading namespace %s: %w", name, err)
	case i.APIReader == nil:
		return false, nil
	}

	// The API server called the webhook, so its own view of the namespace
	// matched the webhook's namespaceSelector: the cache is most likely
	// behind a namespace created or labelled moments ago.
	if err := i.APIReader.Get(ctx, client.ObjectKey{Name: name}, ns); err != nil {
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("reading namespace %s: %w", name, err)
	}
	return injectionEnabled(ns), nil
}

// readNamespace reads the namespace's proxy configuration hash and the
// Secrets its policies refer to.
func (i *Injector) readNamespace(ctx context.Context, namespace string) (*namespaceState, error) {
	state := &namespaceState{}

	cm := &corev1.ConfigMap{}
	key := client.ObjectKey{Namespace: namespace, Name: idempotencyv1alpha1.ConfigMapName}
	switch err := i.Client.Get(ctx, key, cm); {
	case err == nil:
		state.configHash = cm.Annotations[idempotencyv1alpha1.ConfigHashAnnotation]
	case apierrors.IsNotFound(err):
		// No policy rendered yet: the proxy starts with an empty
		// configuration and picks the first one up when it appears.
	default:
		return nil, fmt.Errorf("reading ConfigMap %s/%s: %w", namespace, key.Name, err)
	}

	policies := &idempotencyv1alpha1.IdempotencyPolicyList{}
	if err := i.Client.List(ctx, policies, client.InNamespace(namespace)); err != nil {
		return nil, fmt.Errorf("listing the IdempotencyPolicies of namespace %s: %w", namespace, err)
	}
	state.policies = policies.Items
	state.secrets = secretNames(policies.Items)
	return state, nil
}

// secretNames returns the Secrets the policies' Redis stores take their URL
// from, sorted and without duplicates, so that the same policies always
// give the same pod spec. It includes the Secrets of policies whose
// selector does not match the pod today: labels change while a pod runs,
// the proxy follows them, and a volume cannot be added to a running pod.
func secretNames(policies []idempotencyv1alpha1.IdempotencyPolicy) []string {
	seen := map[string]bool{}
	var names []string
	for _, p := range policies {
		ref := p.Spec.Store.URLSecretRef
		if ref == nil || ref.Name == "" || seen[ref.Name] {
			continue
		}
		seen[ref.Name] = true
		names = append(names, ref.Name)
	}
	sort.Strings(names)
	return names
}
