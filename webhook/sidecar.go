package webhook

import (
	"fmt"
	"path"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	idempotencyv1alpha1 "github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// proxyUser is the proxy image's non-root user.
const proxyUser = 65532

// sidecar is everything that varies between injected proxies.
type sidecar struct {
	image   string
	version string
	native  bool
	ports   proxyPorts
	// configHash is the namespace's configuration hash at injection time.
	configHash string
	// secrets are the Secrets, by name, to mount for Redis URLs.
	secrets []string
}

// container returns the proxy container.
func (s sidecar) container() corev1.Container {
	c := corev1.Container{
		Name:  idempotencyv1alpha1.ProxyContainerName,
		Image: s.image,
		Args: []string{
			fmt.Sprintf("--listen=:%d", s.ports.proxy),
			fmt.Sprintf("--upstream=http://127.0.0.1:%d", s.ports.app),
			"--policy=" + idempotencyv1alpha1.ConfigMountPath,
			"--pod-labels=" + path.Join(idempotencyv1alpha1.PodInfoMountPath, podLabelsFile),
			// The kubelet's probes and the controller's hash checks reach
			// the admin port from outside the pod.
			fmt.Sprintf("--admin-listen=:%d", idempotencyv1alpha1.DefaultAdminPort),
			// The namespace may have no policy yet: pass through until one
			// is rendered instead of failing the pod.
			"--allow-no-policies",
		},
		Ports: []corev1.ContainerPort{
			{
				Name:          idempotencyv1alpha1.ProxyPortName,
				ContainerPort: s.ports.proxy,
				Protocol:      corev1.ProtocolTCP,
			},
			{
				Name:          idempotencyv1alpha1.AdminPortName,
				ContainerPort: idempotencyv1alpha1.DefaultAdminPort,
				Protocol:      corev1.ProtocolTCP,
			},
		},
		Env: []corev1.EnvVar{{
			// The Go runtime does not read the cgroup memory limit: tell
			// it, so that the garbage collector works harder before the
			// kernel kills the proxy.
			Name: "GOMEMLIMIT",
			ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{
				ContainerName: idempotencyv1alpha1.ProxyContainerName,
				Resource:      "limits.memory",
				Divisor:       resource.MustParse("1"),
			}},
		}},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("50m"),
				corev1.ResourceMemory: resource.MustParse("32Mi"),
			},
			Limits: corev1.ResourceList{
				corev1.ResourceMemory: resource.MustParse("128Mi"),
			},
		},
		VolumeMounts: s.volumeMounts(),
		// Until the proxy is ready the application gets no traffic, and,
		// as a native sidecar, does not even start.
		StartupProbe: &corev1.Probe{
			ProbeHandler:     adminGet("/readyz"),
			PeriodSeconds:    1,
			FailureThreshold: 120,
		},
		ReadinessProbe: &corev1.Probe{
			ProbeHandler:     adminGet("/readyz"),
			PeriodSeconds:    5,
			FailureThreshold: 3,
		},
		LivenessProbe: &corev1.Probe{
			ProbeHandler:     adminGet("/healthz"),
			PeriodSeconds:    10,
			FailureThreshold: 3,
		},
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
		SecurityContext:          restrictedSecurityContext(),
	}
	if s.native {
		c.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
	}
	return c
}

// adminGet is an HTTP GET of path on the proxy's admin port.
func adminGet(path string) corev1.ProbeHandler {
	return corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
		Path:   path,
		Port:   intstr.FromString(idempotencyv1alpha1.AdminPortName),
		Scheme: corev1.URISchemeHTTP,
	}}
}

// restrictedSecurityContext passes the restricted Pod Security Standard on
// its own, whatever the pod sets, so that injection never makes a
// compliant pod non-compliant.
func restrictedSecurityContext() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		RunAsNonRoot:             ptr.To(true),
		RunAsUser:                ptr.To[int64](proxyUser),
		RunAsGroup:               ptr.To[int64](proxyUser),
		AllowPrivilegeEscalation: ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		Capabilities: &corev1.Capabilities{
			Drop: []corev1.Capability{"ALL"},
		},
		SeccompProfile: &corev1.SeccompProfile{
			Type: corev1.SeccompProfileTypeRuntimeDefault,
		},
	}
}
