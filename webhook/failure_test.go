package webhook

import (
	"context"
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	idempotencyv1alpha1 "github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// failList makes listing policies fail, as when the cache is not synced
// or the operator lacks permissions.
var failList = interceptor.Funcs{
	List: func(context.Context, client.WithWatch, client.ObjectList, ...client.ListOption) error {
		return errors.New("the cache is not started")
	},
}

// failNamespaceGet makes reading namespaces fail.
var failNamespaceGet = interceptor.Funcs{
	Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
		if _, ok := obj.(*corev1.Namespace); ok {
			return errors.New("connection refused")
		}
		return c.Get(ctx, key, obj, opts...)
	},
}

func TestWebhookFailureAdmitsThePodWithoutTheSidecar(t *testing.T) {
	cases := []struct {
		name  string
		funcs interceptor.Funcs
		// event is the Event expected, on the namespace since its
		// policies could not be read.
		event string
	}{
		{
			name:  "policies cannot be listed",
			funcs: failList,
			event: "Warning InjectionFailed pod shop/orders-7c9d8f5b6d-* was admitted without the idempotency proxy: " +
				"the webhook failed (listing the IdempotencyPolicies of namespace shop: the cache is not started)",
		},
		{
			name:  "namespace cannot be read",
			funcs: failNamespaceGet,
			event: "Warning InjectionFailed pod shop/orders-7c9d8f5b6d-* was admitted without the idempotency proxy: " +
				"the webhook failed (reading namespace shop: connection refused)",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			rec := events.NewFakeRecorder(10)
			inj := newInjector(fakeClient(tc.funcs), true, rec)
			failed := testutil.ToFloat64(injections.WithLabelValues(resultFailed))

			resp, pod := admit(t, inj, "shop", appPod())

			g.Expect(resp.Allowed).To(BeTrue())
			g.Expect(resp.Patches).To(BeEmpty())
			g.Expect(pod).To(Equal(appPodAsStored()))
			g.Expect(resp.Warnings).To(ConsistOf(And(
				HavePrefix(warningPrefix),
				ContainSubstring("the pod was admitted without the sidecar"),
			)))
			g.Expect(testutil.ToFloat64(injections.WithLabelValues(resultFailed))).To(Equal(failed + 1))
			g.Expect(rec.Events).To(Receive(HavePrefix(tc.event)))
		})
	}
}

// appPodAsStored is appPod as the API server sends it, with its kind.
func appPodAsStored() *corev1.Pod {
	pod := appPod()
	pod.APIVersion, pod.Kind = "v1", "Pod"
	return pod
}

func TestUndecodablePodIsAdmitted(t *testing.T) {
	g := NewWithT(t)
	rec := events.NewFakeRecorder(10)
	inj := newInjector(fakeClient(interceptor.Funcs{}), true, rec)
	req := admissionRequest(t, "shop", appPod())
	req.Object.Raw = []byte(`{"apiVersion":"v1","kind":"Pod","spec":{"containers":"not a list"}}`)

	resp := inj.Handle(context.Background(), req)

	g.Expect(resp.Allowed).To(BeTrue())
	g.Expect(resp.Patches).To(BeEmpty())
	g.Expect(resp.Warnings).To(ConsistOf(ContainSubstring("decoding the pod")))
	g.Expect(rec.Events).To(Receive(HavePrefix("Warning InjectionFailed a pod in namespace shop")))
}

func TestFixableSkipIsRecordedOnThePolicies(t *testing.T) {
	g := NewWithT(t)
	rec := events.NewFakeRecorder(10)
	inj := newInjector(fakeClient(interceptor.Funcs{}), true, rec)

	admit(t, inj, "payments", appPod(withPorts()))

	// One Event per policy of the namespace: charges, refunds, captures.
	for range 3 {
		g.Expect(rec.Events).To(Receive(And(
			HavePrefix("Warning InjectionSkipped pod payments/orders-7c9d8f5b6d-* was admitted"),
			ContainSubstring(idempotencyv1alpha1.AppPortAnnotation),
		)))
	}
	g.Expect(rec.Events).NotTo(Receive())
}

func TestChoicesPassSilently(t *testing.T) {
	g := NewWithT(t)
	rec := events.NewFakeRecorder(10)
	inj := newInjector(fakeClient(interceptor.Funcs{}), true, rec)

	admit(t, inj, "shop", appPod(func(p *corev1.Pod) { p.Labels[idempotencyv1alpha1.InjectLabel] = "false" }))
	admit(t, inj, "plain", appPod())

	g.Expect(rec.Events).NotTo(Receive())
}

func TestCacheBehindIsConfirmedWithTheAPIServer(t *testing.T) {
	g := NewWithT(t)
	// The cache has not yet seen the namespace the API server just
	// created and matched against the webhook's namespaceSelector.
	cache := fakeClient(interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			if _, ok := obj.(*corev1.Namespace); ok {
				return c.Get(ctx, client.ObjectKey{Name: "not-yet-cached"}, obj, opts...)
			}
			return c.Get(ctx, key, obj, opts...)
		},
	})
	inj := newInjector(cache, true, nil)

	resp, _ := admit(t, inj, "shop", appPod())
	g.Expect(resp.Patches).To(BeEmpty(), "without an API reader the cache has the last word")

	inj.APIReader = fakeClient(interceptor.Funcs{})
	resp, _ = admit(t, inj, "shop", appPod())
	g.Expect(resp.Patches).NotTo(BeEmpty())
}

func TestNonCreateRequestsAreAllowedUnchanged(t *testing.T) {
	g := NewWithT(t)
	inj := newInjector(fakeClient(interceptor.Funcs{}), true, nil)
	req := admissionRequest(t, "shop", appPod())
	req.Operation = "UPDATE"

	g.Expect(inj.Handle(context.Background(), req)).To(Equal(admission.Allowed("")))
}
