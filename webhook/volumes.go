package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"path"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	idempotencyv1alpha1 "github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// Names of the volumes the proxy mounts.
const (
	configVolume       = "idempotency-config"
	podInfoVolume      = "idempotency-podinfo"
	secretVolumePrefix = "idempotency-secret-"
)

// podLabelsFile is the downward API file, under PodInfoMountPath, that
// holds the pod's labels.
const podLabelsFile = "labels"

// volumes returns the volumes the proxy mounts.
func (s sidecar) volumes() []corev1.Volume {
	vols := []corev1.Volume{
		{
			Name: configVolume,
			VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{
					Name: idempotencyv1alpha1.ConfigMapName,
				},
				// Pods may start before the first policy is rendered;
				// the proxy loads the configuration when it appears.
				Optional: ptr.To(true),
			}},
		},
		{
			Name: podInfoVolume,
			VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{
				Items: []corev1.DownwardAPIVolumeFile{{
					Path:     podLabelsFile,
					FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels"},
				}},
			}},
		},
	}
	for _, name := range s.secrets {
		vols = append(vols, corev1.Volume{
			Name: secretVolumeName(name),
			VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
				SecretName: name,
				// A missing Secret is reported by the proxy and the
				// policy's status; it must not keep the pod from starting.
				Optional: ptr.To(true),
			}},
		})
	}
	return vols
}

// volumeMounts returns where the proxy mounts its volumes, all read-only.
func (s sidecar) volumeMounts() []corev1.VolumeMount {
	mounts := []corev1.VolumeMount{
		{Name: configVolume, MountPath: idempotencyv1alpha1.ConfigMountPath, ReadOnly: true},
		{Name: podInfoVolume, MountPath: idempotencyv1alpha1.PodInfoMountPath, ReadOnly: true},
	}
	for _, name := range s.secrets {
		mounts = append(mounts, corev1.VolumeMount{
			Name:      secretVolumeName(name),
			MountPath: path.Join(idempotencyv1alpha1.SecretsMountPath, name),
			ReadOnly:  true,
		})
	}
	return mounts
}

// secretVolumeName names the volume of a Secret. A Secret's name may be a
// DNS subdomain of up to 253 characters, a volume's only a DNS label of up
// to 63: names that do not fit are replaced by a digest.
func secretVolumeName(secret string) string {
	name := secretVolumePrefix + secret
	if len(validation.IsDNS1123Label(name)) == 0 {
		return name
	}
	sum := sha256.Sum256([]byte(secret))
	return secretVolumePrefix + hex.EncodeToString(sum[:8])
}
