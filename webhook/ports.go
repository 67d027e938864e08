package webhook

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	idempotencyv1alpha1 "github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// proxyPorts are the ports of one injected proxy.
type proxyPorts struct {
	// proxy is the port the proxy serves traffic on.
	proxy int32
	// app is the application's port the proxy forwards to.
	app int32
}

// resolvePorts decides the proxy's and the application's ports from the
// pod's annotations and declared container ports. It returns a skip
// reason, with a warning that says what to set, when it cannot.
func resolvePorts(pod *corev1.Pod) (proxyPorts, *skipReason) {
	proxy := int32(idempotencyv1alpha1.DefaultProxyPort)
	if v, ok := pod.Annotations[idempotencyv1alpha1.ProxyPortAnnotation]; ok {
		n, err := parsePort(v)
		if err != nil {
			return proxyPorts{}, &skipReason{result: resultInvalidAnnotation, warning: fmt.Sprintf(
				"annotation %s=%q is not a port number; set it to a free port between 1 and 65535",
				idempotencyv1alpha1.ProxyPortAnnotation, v)}
		}
		proxy = n
	}

	app, reason := appPort(pod)
	if reason != nil {
		return proxyPorts{}, reason
	}

	admin := int32(idempotencyv1alpha1.DefaultAdminPort)
	switch {
	case app == proxy:
		return proxyPorts{}, &skipReason{result: resultPortConflict, warning: fmt.Sprintf(
			"the application port %d is also the proxy's port; set the annotation %s to a free port, such as %q",
			app, idempotencyv1alpha1.ProxyPortAnnotation, strconv.Itoa(int(freePort(pod, proxy+1))))}
	case proxy == admin || app == admin:
		return proxyPorts{}, &skipReason{result: resultPortConflict, warning: fmt.Sprintf(
			"port %d is the proxy's admin port; move the application off it, or set the annotation %s to another port",
			admin, idempotencyv1alpha1.ProxyPortAnnotation)}
	}
	if c, ok := declaredPort(pod, proxy); ok {
		return proxyPorts{}, &skipReason{result: resultPortConflict, warning: fmt.Sprintf(
			"container %s declares port %d, the proxy's port; set the annotation %s to a free port, such as %q",
			c, proxy, idempotencyv1alpha1.ProxyPortAnnotation, strconv.Itoa(int(freePort(pod, proxy+1))))}
	}
	if c, ok := declaredPort(pod, admin); ok {
		return proxyPorts{}, &skipReason{result: resultPortConflict, warning: fmt.Sprintf(
			"container %s declares port %d, the proxy's admin port; move it to another port",
			c, admin)}
	}
	return proxyPorts{proxy: proxy, app: app}, nil
}

// appPort is the port named by the AppPortAnnotation, a number or the name
// of a declared container port, else the first port declared by the first
// application container that declares one.
func appPort(pod *corev1.Pod) (int32, *skipReason) {
	v, ok := pod.Annotations[idempotencyv1alpha1.AppPortAnnotation]
	if !ok {
		for _, c := range pod.Spec.Containers {
			if len(c.Ports) > 0 {
				return c.Ports[0].ContainerPort, nil
			}
		}
		return 0, &skipReason{result: resultNoAppPort, warning: fmt.Sprintf(
			"no application port: set the annotation %s to the port your application listens on, or declare it as a containerPort",
			idempotencyv1alpha1.AppPortAnnotation)}
	}

	if n, err := parsePort(v); err == nil {
		return n, nil
	}
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			if p.Name != "" && p.Name == v {
				return p.ContainerPort, nil
			}
		}
	}
	return 0, &skipReason{result: resultInvalidAnnotation, warning: fmt.Sprintf(
		"annotation %s=%q is neither a port number nor the name of a containerPort; set it to the port your application listens on",
		idempotencyv1alpha1.AppPortAnnotation, v)}
}

// parsePort parses a port number between 1 and 65535.
func parsePort(s string) (int32, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, err
	}
	if errs := validation.IsValidPortNum(int(n)); len(errs) > 0 {
		return 0, fmt.Errorf("%s", errs[0])
	}
	return int32(n), nil
}

// declaredPort returns the name of a container, init containers included,
// that declares port.
func declaredPort(pod *corev1.Pod, port int32) (string, bool) {
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range list {
			for _, p := range c.Ports {
				if p.ContainerPort == port {
					return c.Name, true
				}
			}
		}
	}
	return "", false
}

// freePort suggests a port from start on that no container declares and
// that is not the admin port.
func freePort(pod *corev1.Pod, start int32) int32 {
	for p := start; p <= 65535; p++ {
		if _, taken := declaredPort(pod, p); !taken && p != idempotencyv1alpha1.DefaultAdminPort {
			return p
		}
	}
	return start
}
