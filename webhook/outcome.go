package webhook

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	idempotencyv1alpha1 "github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// Event reasons and action of the webhook's Events.
const (
	reasonInjectionSkipped = "InjectionSkipped"
	reasonInjectionFailed  = "InjectionFailed"
	actionInject           = "Inject"
)

// maxWarningLength is the length past which the API server may truncate
// an admission warning.
const maxWarningLength = 256

// maxNoteLength is the longest note the API server accepts in an Event.
const maxNoteLength = 1024

// warningPrefix starts every warning, so that a user who reads one among
// other webhooks' warnings knows where it comes from.
const warningPrefix = "idempotency proxy not injected: "

// podTarget is the pod an admission request is about, and what Events
// about it are recorded on.
type podTarget struct {
	namespace string
	// pod is nil until the request is decoded.
	pod *corev1.Pod
	// policies would have protected the pod; nil until they are read.
	policies []idempotencyv1alpha1.IdempotencyPolicy
}

// describe names the pod for humans. A pod created by a controller has no
// name yet at admission, only a generateName prefix.
func (t *podTarget) describe() string {
	switch {
	case t.pod == nil:
		return fmt.Sprintf("a pod in namespace %s", t.namespace)
	case t.pod.Name != "":
		return fmt.Sprintf("pod %s/%s", t.namespace, t.pod.Name)
	case t.pod.GenerateName != "":
		return fmt.Sprintf("pod %s/%s*", t.namespace, t.pod.GenerateName)
	}
	return fmt.Sprintf("a pod in namespace %s", t.namespace)
}

// skipped admits the pod unchanged because of reason, warning the pod's
// author and recording an Event when the reason is one they can fix.
func (i *Injector) skipped(ctx context.Context, t *podTarget, reason *skipReason) admission.Response {
	injections.WithLabelValues(reason.result).Inc()
	log := logf.FromContext(ctx)
	if reason.warning == "" {
		log.V(2).Info("Not injecting the idempotency proxy", "pod", t.describe(), "reason", reason.result)
		return admission.Allowed("")
	}

	log.V(1).Info("Not injecting the idempotency proxy", "pod", t.describe(),
		"reason", reason.result, "warning", reason.warning)
	i.event(t, reasonInjectionSkipped, reason.warning)
	return admission.Allowed("").WithWarnings(warning(reason.warning))
}

// failed admits the pod unchanged because the webhook itself failed. A
// pod without the proxy is better than no pod: the policies' status
// reports it as not enforced, and recreating it injects the proxy once the
// webhook works again.
func (i *Injector) failed(ctx context.Context, t *podTarget, err error) admission.Response {
	injections.WithLabelValues(resultFailed).Inc()
	logf.FromContext(ctx).Error(err, "Admitting a pod without the idempotency proxy", "pod", t.describe())

	i.event(t, reasonInjectionFailed, fmt.Sprintf(
		"the webhook failed (%v); recreate the pod once the operator is healthy", err))
	// What to do comes first: a long error may be cut off.
	return admission.Allowed("").WithWarnings(warning(fmt.Sprintf(
		"the pod was admitted without the sidecar, recreate it once the operator is healthy; "+
			"the webhook failed: %v", err)))
}

// event records a Warning Event about the pod on each policy that would
// have protected it, where the namespace's users look, or on the namespace
// when no policy is known.
func (i *Injector) event(t *podTarget, reason, why string) {
	if i.Recorder == nil {
		return
	}
	note := truncate(fmt.Sprintf("%s was admitted without the idempotency proxy: %s",
		t.describe(), why), maxNoteLength)

	var regarding []runtime.Object
	for idx := range t.policies {
		regarding = append(regarding, &t.policies[idx])
	}
	if len(regarding) == 0 {
		regarding = append(regarding, &corev1.Namespace{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: metav1.ObjectMeta{Name: t.namespace},
		})
	}
	for _, obj := range regarding {
		i.Recorder.Eventf(obj, nil, corev1.EventTypeWarning, reason, actionInject, "%s", note)
	}
}

// warning prefixes an admission warning and keeps it short enough for the
// API server to pass it on whole.
func warning(msg string) string {
	return truncate(warningPrefix+msg, maxWarningLength)
}

// truncate shortens s to at most n bytes, marking the cut, without
// splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n-3], "") + "..."
}
