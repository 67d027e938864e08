package webhook

import (
	"context"
	"encoding/json"
	"testing"

	jsonpatch "github.com/evanphx/json-patch/v5"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	idempotencyv1alpha1 "github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// Fixed values of the test injector.
const (
	testImage             = "ghcr.io/idempotency-operator/idempotency-proxy:v0.3.0"
	testVersion           = "v0.3.0"
	testOperatorNamespace = "idempotency-system"
	testConfigHash        = "sha256:5f0c6a1e9d2b"
)

// testScheme knows core types and IdempotencyPolicy.
var testScheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := idempotencyv1alpha1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}()

// cluster is the state the injector reads in unit tests:
//
//   - shop: enabled, with a rendered configuration and a Memory policy;
//   - payments: enabled, no configuration yet, two policies whose Redis
//     URLs come from Secrets (one name too long for a volume name);
//   - plain: not enabled;
//   - kube-system and the operator's namespace: labelled enabled, which
//     must not matter.
func cluster() []client.Object {
	enabled := map[string]string{idempotencyv1alpha1.InjectionLabel: idempotencyv1alpha1.InjectionEnabled}
	ns := func(name string, labels map[string]string) client.Object {
		return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	}
	policy := func(namespace, name string, store idempotencyv1alpha1.Store) client.Object {
		return &idempotencyv1alpha1.IdempotencyPolicy{
			ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
			Spec: idempotencyv1alpha1.IdempotencyPolicySpec{
				Routes: []idempotencyv1alpha1.Route{{Path: "/orders", Methods: []string{"POST"}}},
				Store:  store,
			},
		}
	}
	redisFrom := func(secret string) idempotencyv1alpha1.Store {
		return idempotencyv1alpha1.Store{
			Type:         idempotencyv1alpha1.StoreRedis,
			URLSecretRef: &idempotencyv1alpha1.SecretKeyRef{Name: secret, Key: "url"},
		}
	}

	return []client.Object{
		ns("shop", enabled),
		ns("payments", enabled),
		ns("plain", nil),
		ns(metav1.NamespaceSystem, enabled),
		ns(testOperatorNamespace, enabled),
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
			Namespace:   "shop",
			Name:        idempotencyv1alpha1.ConfigMapName,
			Annotations: map[string]string{idempotencyv1alpha1.ConfigHashAnnotation: testConfigHash},
		}},
		policy("shop", "orders", idempotencyv1alpha1.Store{Type: idempotencyv1alpha1.StoreMemory}),
		policy("payments", "charges", redisFrom("payments-redis")),
		policy("payments", "refunds", redisFrom("payments.redis.credentials.for-the-refunds-service-v2")),
		policy("payments", "captures", redisFrom("payments-redis")),
	}
}

// newInjector returns an injector reading c, recording Events in rec.
func newInjector(c client.Reader, native bool, rec events.EventRecorder) *Injector {
	return &Injector{
		Client:            c,
		Decoder:           admission.NewDecoder(testScheme),
		Image:             testImage,
		Version:           testVersion,
		NativeSidecars:    native,
		OperatorNamespace: testOperatorNamespace,
		Recorder:          rec,
	}
}

// fakeClient serves the objects of cluster, with funcs intercepting calls.
func fakeClient(funcs interceptor.Funcs) client.Client {
	return fake.NewClientBuilder().
		WithScheme(testScheme).
		WithObjects(cluster()...).
		WithInterceptorFuncs(funcs).
		Build()
}

// admissionRequest is the CREATE request the API server sends for pod.
func admissionRequest(t testing.TB, namespace string, pod *corev1.Pod) admission.Request {
	t.Helper()
	pod = pod.DeepCopy()
	pod.TypeMeta = metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}
	raw, err := json.Marshal(pod)
	if err != nil {
		t.Fatalf("encoding the pod: %v", err)
	}
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID:       "5b1e4a53-0c45-4e8b-9d3e-0f1d2c3b4a59",
		Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
		Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "pods"},
		Namespace: namespace,
		Name:      pod.Name,
		Operation: admissionv1.Create,
		Object:    runtime.RawExtension{Raw: raw},
	}}
}

// admit sends pod through the injector the way the API server does and
// returns the response and the pod the API server would store.
func admit(t *testing.T, inj *Injector, namespace string, pod *corev1.Pod) (admission.Response, *corev1.Pod) {
	t.Helper()
	req := admissionRequest(t, namespace, pod)
	resp := inj.Handle(context.Background(), req)
	if !resp.Allowed {
		t.Fatalf("the pod was denied: %+v", resp.Result)
	}

	out := req.Object.Raw
	if len(resp.Patches) > 0 {
		ops, err := json.Marshal(resp.Patches)
		if err != nil {
			t.Fatalf("encoding the patch: %v", err)
		}
		patch, err := jsonpatch.DecodePatch(ops)
		if err != nil {
			t.Fatalf("decoding the patch: %v", err)
		}
		if out, err = patch.Apply(out); err != nil {
			t.Fatalf("applying the patch: %v", err)
		}
	}
	admitted := &corev1.Pod{}
	if err := json.Unmarshal(out, admitted); err != nil {
		t.Fatalf("decoding the admitted pod: %v", err)
	}
	return resp, admitted
}
