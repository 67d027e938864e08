//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

var _ = Describe("A Job in an enabled namespace", func() {
	It("completes although its pod runs the proxy, which is a native sidecar", func(ctx SpecContext) {
		ns := createNamespace(ctx, "job", true)
		const name = "one-shot"

		// The sample app's binary printing its usage is the job's work: it
		// exits at once with status 0, while the proxy keeps running until
		// the kubelet stops it.
		spec := sampleAppPodSpec("-help")
		spec.RestartPolicy = corev1.RestartPolicyNever
		spec.Containers[0].ReadinessProbe = nil
		job := &batchv1.Job{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: batchv1.JobSpec{
				BackoffLimit: ptr.To[int32](0),
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"job-name": name}},
					Spec:       spec,
				},
			},
		}
		Expect(k8sClient.Create(ctx, job)).To(Succeed())

		By("waiting for the Job to complete")
		Eventually(func(ctx context.Context) error {
			return jobComplete(ctx, ns, name)
		}).WithContext(ctx).WithTimeout(podsReadyTimeout).WithPolling(time.Second).Should(Succeed(),
			"the Job did not complete: kubectl -n %s describe job %s; kubectl -n %s describe pods", ns, name, ns)

		list, err := listPods(ctx, ns, map[string]string{"job-name": name})
		Expect(err).NotTo(HaveOccurred())
		Expect(list).To(HaveLen(1))
		expectNativeSidecar(list[0])
		Expect(list[0].Status.Phase).To(Equal(corev1.PodSucceeded))
	})
})

// jobComplete fails until the Job has the condition Complete.
func jobComplete(ctx context.Context, ns, name string) error {
	job := &batchv1.Job{}
	if err := k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, job); err != nil {
		return err
	}
	for _, c := range job.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return nil
		case batchv1.JobFailed:
			return StopTrying(fmt.Sprintf("the Job failed: %s: %s", c.Reason, c.Message))
		}
	}
	list, err := listPods(ctx, ns, map[string]string{"job-name": name})
	if err != nil || len(list) == 0 {
		return fmt.Errorf("the Job has no pod yet")
	}
	return fmt.Errorf("pod %s: phase %s, %s", list[0].Name, list[0].Status.Phase, containerStates(list[0]))
}
