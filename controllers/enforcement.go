package controllers

import (
	"context"
	"fmt"
	"slices"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// Reasons of the Enforced condition.
const (
	// ReasonEnforced: every selected pod runs the sidecar with the
	// current configuration.
	ReasonEnforced = "Enforced"
	// ReasonNoPods: the policy selects no pod yet. The condition is True:
	// nothing runs unprotected, and pods started later get the sidecar
	// and the configuration from the start.
	ReasonNoPods = "NoPods"
	// ReasonNotProgrammed: the policy is not in the proxy configuration.
	ReasonNotProgrammed = "NotProgrammed"
	// ReasonNamespaceNotEnabled: the namespace lacks the injection label,
	// so pods get no sidecar.
	ReasonNamespaceNotEnabled = "NamespaceNotEnabled"
	// ReasonPodsMissingSidecar: pods started without the sidecar, usually
	// before injection was enabled.
	ReasonPodsMissingSidecar = "PodsMissingSidecar"
	// ReasonPodsExcluded: pods opted out of injection or cannot have it.
	ReasonPodsExcluded = "PodsExcluded"
	// ReasonConfigNotLoaded: sidecars run an older configuration or did
	// not say which one they run.
	ReasonConfigNotLoaded = "ConfigNotLoaded"
	// ReasonPodsNotRunning: pods with the sidecar are still starting.
	ReasonPodsNotRunning = "PodsNotRunning"
)

// enforcement is what the pods a policy selects tell about it.
type enforcement struct {
	enforced bool
	reason   string
	message  string
	selected int32
	// current counts pods whose sidecar runs the current configuration.
	current int32
	// sidecarAdvice says what to do about pods without the sidecar, the
	// text of the PodsMissingSidecar event; empty when there are none.
	sidecarAdvice string
}

// podTally sorts the selected pods by what keeps each from enforcing the
// current configuration.
type podTally struct {
	current, stale, unreachable, notRunning int
	optedOut, hostNetwork, nsDisabled       int
	missing                                 int
	// workloads lists the workloads of pods without the sidecar.
	workloads []string
	// firstError is the error of the first pod, by name, whose sidecar
	// did not answer; always the same pod, so that the message does not
	// change, and the status is not rewritten, on every reconcile.
	firstError    string
	firstErrorPod string
}

// checkEnforcement counts the pods the policy selects and those whose
// sidecar has loaded the namespace's current configuration.
func (r *PolicyReconciler) checkEnforcement(ctx context.Context, policy *v1alpha1.IdempotencyPolicy,
	plan *namespacePlan, prog programmed) (enforcement, error) {
	pods, err := r.selectedPods(ctx, policy)
	if err != nil {
		return enforcement{}, err
	}
	e := enforcement{selected: int32(len(pods))}
	if !prog.ok {
		e.reason = ReasonNotProgrammed
		e.message = "The policy is not in the proxy configuration; see the Programmed condition"
		return e, nil
	}

	nsEnabled := injectionEnabled(plan.ns)
	if len(pods) == 0 {
		if !nsEnabled {
			e.reason = ReasonNamespaceNotEnabled
			e.message = "No pods selected, and " +
				namespaceAdvice(plan.namespace, "pods started there get no sidecar")
			return e, nil
		}
		e.enforced = true
		e.reason = ReasonNoPods
		e.message = "No pods selected; pods that start later get the sidecar with this configuration " +
			"(check spec.selector if pods were expected)"
		return e, nil
	}

	t := r.tally(ctx, pods, nsEnabled, plan.hash)
	e.current = int32(t.current)
	e.enforced = t.current == len(pods)
	e.reason, e.message, e.sidecarAdvice = t.explain(plan.namespace, len(pods), nsEnabled)
	return e, nil
}

// selectedPods lists the pods of the policy's namespace that its selector
// matches, leaving out pods that finished or are being deleted.
func (r *PolicyReconciler) selectedPods(ctx context.Context,
	policy *v1alpha1.IdempotencyPolicy) ([]*corev1.Pod, error) {
	selector := labels.Everything()
	if policy.Spec.Selector != nil {
		s, err := metav1.LabelSelectorAsSelector(policy.Spec.Selector)
		if err != nil {
			// The policy is refused as Invalid; it selects nothing.
			return nil, nil
		}
		selector = s
	}

	var list corev1.PodList
	if err := r.Client.List(ctx, &list, client.InNamespace(policy.Namespace),
		client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return nil, fmt.Errorf("listing pods in %s: %w", policy.Namespace, err)
	}
	var pods []*corev1.Pod
	for i := range list.Items {
		p := &list.Items[i]
		if !p.DeletionTimestamp.IsZero() ||
			p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		pods = append(pods, p)
	}
	return pods, nil
}

// tally sorts the pods, asking the running sidecars, a few at a time,
// which configuration they have loaded.
func (r *PolicyReconciler) tally(ctx context.Context, pods []*corev1.Pod,
	nsEnabled bool, hash string) podTally {
	var (
		t     podTally
		ask   []*corev1.Pod
		seen  = map[string]bool{}
		mu    sync.Mutex
		wg    sync.WaitGroup
		slots = make(chan struct{}, r.maxConcurrentReads())
	)
	for _, pod := range pods {
		switch {
		case proxyContainer(pod) != nil:
			if pod.Status.Phase != corev1.PodRunning || pod.Status.PodIP == "" {
				t.notRunning++
			} else {
				ask = append(ask, pod)
			}
		case pod.Labels[v1alpha1.InjectLabel] == "false":
			t.optedOut++
		case pod.Spec.HostNetwork:
			t.hostNetwork++
		case !nsEnabled:
			t.nsDisabled++
		default:
			t.missing++
			if w := workloadOf(pod); w != "" && !seen[w] {
				seen[w] = true
				t.workloads = append(t.workloads, w)
			}
		}
	}

	// The cache lists pods in no fixed order; the message must not change
	// with it.
	slices.Sort(t.workloads)

	reader := r.configReader()
	for _, pod := range ask {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			loaded, err := reader.LoadedConfigHash(ctx, pod)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.unreachable++
				if t.firstErrorPod == "" || pod.Name < t.firstErrorPod {
					t.firstErrorPod = pod.Name
					t.firstError = fmt.Sprintf("pod %s: %v", pod.Name, err)
				}
			case loaded != hash:
				t.stale++
			default:
				t.current++
			}
		}()
	}
	wg.Wait()
	return t
}

// injectionEnabled reports whether new pods of the namespace get the
// sidecar.
func injectionEnabled(ns *corev1.Namespace) bool {
	return ns != nil && ns.Labels[v1alpha1.InjectionLabel] == v1alpha1.InjectionEnabled
}

// configReader returns the configured reader, or the HTTP one.
func (r *PolicyReconciler) configReader() LoadedConfigReader {
	if r.ConfigReader != nil {
		return r.ConfigReader
	}
	return &HTTPConfigReader{}
}

func (r *PolicyReconciler) maxConcurrentReads() int {
	if r.MaxConcurrentReads > 0 {
		return r.MaxConcurrentReads
	}
	return DefaultMaxConcurrentReads
}
