package webhook

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	idempotencyv1alpha1 "github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// inject adds the proxy s describes to pod: the container, its volumes and
// the annotations that record the injection. It leaves pod unchanged and
// returns a skip reason when one of the proxy's volumes would replace one
// of the pod's.
func inject(pod *corev1.Pod, s sidecar) *skipReason {
	vols := s.volumes()
	for _, v := range vols {
		for _, existing := range pod.Spec.Volumes {
			if existing.Name == v.Name {
				return &skipReason{result: resultVolumeConflict, warning: fmt.Sprintf(
					"the pod already has a volume named %s, which the proxy needs; rename the pod's volume",
					v.Name)}
			}
		}
	}

	c := s.container()
	if s.native {
		// First among the init containers: the kubelet starts the others,
		// and then the application, only once the proxy's startup probe
		// has passed, so no request reaches the application unprotected.
		pod.Spec.InitContainers = append([]corev1.Container{c}, pod.Spec.InitContainers...)
	} else {
		// Last, so that kubectl logs and exec keep defaulting to the
		// application's container.
		pod.Spec.Containers = append(pod.Spec.Containers, c)
	}
	pod.Spec.Volumes = append(pod.Spec.Volumes, vols...)

	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[idempotencyv1alpha1.InjectedAnnotation] = s.version
	pod.Annotations[idempotencyv1alpha1.InjectedConfigHashAnnotation] = s.configHash
	return nil
}
