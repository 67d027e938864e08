package webhook

import (
	"strings"
	"testing"
	"unicode/utf8"

	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	idempotencyv1alpha1 "github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// appPod is a pod as a Deployment's ReplicaSet creates it: no name yet,
// one application container declaring one port.
func appPod(changes ...func(*corev1.Pod)) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: "orders-7c9d8f5b6d-",
			Labels:       map[string]string{"app": "orders", "pod-template-hash": "7c9d8f5b6d"},
		},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:  "orders",
				Image: "registry.example.com/shop/orders:1.4.2",
				Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8000, Protocol: corev1.ProtocolTCP}},
			}},
		},
	}
	for _, change := range changes {
		change(pod)
	}
	return pod
}

func annotated(key, value string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		if p.Annotations == nil {
			p.Annotations = map[string]string{}
		}
		p.Annotations[key] = value
	}
}

func withPorts(ports ...corev1.ContainerPort) func(*corev1.Pod) {
	return func(p *corev1.Pod) { p.Spec.Containers[0].Ports = ports }
}

func TestInjectGolden(t *testing.T) {
	cases := []struct {
		name      string
		namespace string
		native    bool
		pod       *corev1.Pod
		// result is the injections metric's result label for the pod.
		result string
		// warning is part of the one admission warning expected, or
		// empty when the pod passes silently.
		warning string
	}{
		{
			name:      "native-sidecar",
			namespace: "shop",
			native:    true,
			pod:       appPod(),
			result:    resultInjected,
		},
		{
			name:      "regular-sidecar",
			namespace: "shop",
			pod:       appPod(),
			result:    resultInjected,
		},
		{
			name:      "native-sidecar-before-init-containers",
			namespace: "shop",
			native:    true,
			pod: appPod(func(p *corev1.Pod) {
				p.Spec.InitContainers = []corev1.Container{{
					Name: "migrate", Image: "registry.example.com/shop/orders:1.4.2",
					Args: []string{"migrate"},
				}}
			}),
			result: resultInjected,
		},
		{
			name:      "port-annotations",
			namespace: "shop",
			native:    true,
			pod: appPod(
				withPorts(
					corev1.ContainerPort{Name: "http", ContainerPort: 8080},
					corev1.ContainerPort{Name: "metrics", ContainerPort: 9090},
				),
				annotated(idempotencyv1alpha1.ProxyPortAnnotation, "15080"),
				annotated(idempotencyv1alpha1.AppPortAnnotation, "8080"),
			),
			result: resultInjected,
		},
		{
			name:      "app-port-by-name",
			namespace: "shop",
			native:    true,
			pod: appPod(
				withPorts(
					corev1.ContainerPort{Name: "metrics", ContainerPort: 9090},
					corev1.ContainerPort{Name: "api", ContainerPort: 3000},
				),
				annotated(idempotencyv1alpha1.AppPortAnnotation, "api"),
			),
			result: resultInjected,
		},
		{
			name:      "redis-secrets",
			namespace: "payments",
			native:    true,
			pod:       appPod(),
			result:    resultInjected,
		},
		{
			name:      "no-app-port",
			namespace: "shop",
			native:    true,
			pod:       appPod(withPorts()),
			result:    resultNoAppPort,
			warning:   "set the annotation idempotency.io/app-port to the port your application listens on",
		},
		{
			name:      "app-port-is-proxy-port",
			namespace: "shop",
			native:    true,
			pod:       appPod(withPorts(corev1.ContainerPort{ContainerPort: 8080})),
			result:    resultPortConflict,
			warning:   `set the annotation idempotency.io/proxy-port to a free port, such as "8081"`,
		},
		{
			name:      "proxy-port-declared-by-another-container",
			namespace: "shop",
			native:    true,
			pod: appPod(func(p *corev1.Pod) {
				p.Spec.Containers = append(p.Spec.Containers, corev1.Container{
					Name: "debug", Image: "registry.example.com/tools/debug:2",
					Ports: []corev1.ContainerPort{{ContainerPort: 8080}, {ContainerPort: 8081}},
				})
			}),
			result:  resultPortConflict,
			warning: `container debug declares port 8080, the proxy's port; set the annotation idempotency.io/proxy-port to a free port, such as "8082"`,
		},
		{
			name:      "invalid-proxy-port",
			namespace: "shop",
			native:    true,
			pod:       appPod(annotated(idempotencyv1alpha1.ProxyPortAnnotation, "http")),
			result:    resultInvalidAnnotation,
			warning:   `annotation idempotency.io/proxy-port="http" is not a port number`,
		},
		{
			name:      "volume-name-taken",
			namespace: "shop",
			native:    true,
			pod: appPod(func(p *corev1.Pod) {
				p.Spec.Volumes = []corev1.Volume{{
					Name:         configVolume,
					VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
				}}
			}),
			result:  resultVolumeConflict,
			warning: "the pod already has a volume named idempotency-config",
		},
		{
			name:      "opted-out",
			namespace: "shop",
			native:    true,
			pod: appPod(func(p *corev1.Pod) {
				p.Labels[idempotencyv1alpha1.InjectLabel] = "false"
			}),
			result: skipOptedOut.result,
		},
		{
			name:      "host-network",
			namespace: "shop",
			native:    true,
			pod:       appPod(func(p *corev1.Pod) { p.Spec.HostNetwork = true }),
			result:    skipHostNetwork.result,
		},
		{
			name:      "windows",
			namespace: "shop",
			native:    true,
			pod: appPod(func(p *corev1.Pod) {
				p.Spec.OS = &corev1.PodOS{Name: corev1.Windows}
			}),
			result:  skipWindows.result,
			warning: "the proxy runs on Linux only",
		},
		{
			name:      "namespace-not-enabled",
			namespace: "plain",
			native:    true,
			pod:       appPod(),
			result:    skipNamespaceNotEnabled.result,
		},
		{
			name:      "system-namespace",
			namespace: metav1.NamespaceSystem,
			native:    true,
			pod:       appPod(),
			result:    skipSystemNamespace.result,
		},
		{
			name:      "operator-namespace",
			namespace: testOperatorNamespace,
			native:    true,
			pod:       appPod(),
			result:    skipSystemNamespace.result,
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			inj := newInjector(fakeClient(interceptor.Funcs{}), tc.native, nil)
			counted := testutil.ToFloat64(injections.WithLabelValues(tc.result))

			resp, admitted := admit(t, inj, tc.namespace, tc.pod)

			g.Expect(testutil.ToFloat64(injections.WithLabelValues(tc.result))).To(Equal(counted+1),
				"the pod must be counted as %s", tc.result)
			if tc.warning == "" {
				g.Expect(resp.Warnings).To(BeEmpty())
			} else {
				g.Expect(resp.Warnings).To(ConsistOf(And(
					HavePrefix(warningPrefix), ContainSubstring(tc.warning),
					WithTransform(func(s string) int { return len(s) }, BeNumerically("<=", maxWarningLength)),
				)))
			}
			if tc.result != resultInjected {
				g.Expect(resp.Patches).To(BeEmpty(), "a skipped pod must be admitted unchanged")
			}
			compareGolden(t, tc.name, goldenDocument(t, tc.result, resp, admitted))

			// The API server sends the pod again when a later webhook
			// changes it (reinvocationPolicy IfNeeded): the injector's
			// own output must come back unchanged.
			again, readmitted := admit(t, inj, tc.namespace, admitted)
			g.Expect(again.Patches).To(BeEmpty(), "a second pass must not change the pod")
			g.Expect(again.Warnings).To(Equal(resp.Warnings))
			g.Expect(readmitted).To(Equal(admitted))
		})
	}
}

// TestInjectGoldenAlreadyInjected records that a pod created from an
// injected pod's spec, as a copy of a running pod is, keeps its one proxy.
func TestInjectGoldenAlreadyInjected(t *testing.T) {
	g := NewWithT(t)
	inj := newInjector(fakeClient(interceptor.Funcs{}), true, nil)
	_, injected := admit(t, inj, "shop", appPod())
	injected.Name = "orders-copy"
	injected.GenerateName = ""
	counted := testutil.ToFloat64(injections.WithLabelValues(skipAlreadyInjected.result))

	resp, admitted := admit(t, inj, "shop", injected)

	g.Expect(resp.Patches).To(BeEmpty())
	g.Expect(resp.Warnings).To(BeEmpty())
	g.Expect(testutil.ToFloat64(injections.WithLabelValues(skipAlreadyInjected.result))).To(Equal(counted + 1))
	g.Expect(admitted.Spec.InitContainers).To(HaveLen(1))
	compareGolden(t, "already-injected", goldenDocument(t, skipAlreadyInjected.result, resp, admitted))
}

// TestInjectedSidecarFollowsThePod checks, beyond the golden files, the
// properties of the injected pod a reader would look for first.
func TestInjectedSidecarFollowsThePod(t *testing.T) {
	g := NewWithT(t)
	inj := newInjector(fakeClient(interceptor.Funcs{}), true, nil)

	_, pod := admit(t, inj, "payments", appPod())

	proxy := pod.Spec.InitContainers[0]
	g.Expect(proxy.Name).To(Equal(idempotencyv1alpha1.ProxyContainerName))
	g.Expect(proxy.RestartPolicy).To(HaveValue(Equal(corev1.ContainerRestartPolicyAlways)))
	g.Expect(proxy.Args).To(ContainElements(
		"--listen=:8080",
		"--upstream=http://127.0.0.1:8000",
		"--policy="+idempotencyv1alpha1.ConfigMountPath,
		"--pod-labels="+idempotencyv1alpha1.PodInfoMountPath+"/labels",
		"--admin-listen=:9901",
		"--allow-no-policies",
	))
	g.Expect(proxy.VolumeMounts).To(ContainElement(HaveField("MountPath",
		idempotencyv1alpha1.SecretsMountPath+"/payments.redis.credentials.for-the-refunds-service-v2")))
	for _, v := range pod.Spec.Volumes {
		g.Expect(len(v.Name)).To(BeNumerically("<=", 63), "volume %s", v.Name)
		g.Expect(strings.Contains(v.Name, ".")).To(BeFalse(), "volume %s", v.Name)
	}
	g.Expect(pod.Annotations).To(HaveKeyWithValue(idempotencyv1alpha1.InjectedAnnotation, testVersion))
	g.Expect(pod.Annotations).To(HaveKeyWithValue(idempotencyv1alpha1.InjectedConfigHashAnnotation, ""))

	_, pod = admit(t, inj, "shop", appPod())
	g.Expect(pod.Annotations).To(HaveKeyWithValue(idempotencyv1alpha1.InjectedConfigHashAnnotation, testConfigHash))
}

func TestLongWarningsAreCut(t *testing.T) {
	g := NewWithT(t)
	inj := newInjector(fakeClient(interceptor.Funcs{}), true, nil)

	resp, _ := admit(t, inj, "shop", appPod(
		annotated(idempotencyv1alpha1.AppPortAnnotation, strings.Repeat("é", 200))))

	g.Expect(resp.Warnings).To(ConsistOf(And(
		HavePrefix(warningPrefix+"annotation "+idempotencyv1alpha1.AppPortAnnotation),
		HaveSuffix("..."),
		WithTransform(func(s string) int { return len(s) }, BeNumerically("<=", maxWarningLength)),
		WithTransform(utf8.ValidString, BeTrue()),
	)))
}
