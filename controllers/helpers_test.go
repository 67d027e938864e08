package controllers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
	"github.com/idempotency-operator/idempotency-operator/proxy/config"
)

// fakeSidecars answers for the sidecars of the suite's pods. A pod's
// sidecar either reports a fixed hash or follows its namespace's
// ConfigMap, as a proxy does once the kubelet has updated the mounted
// file; a pod it knows nothing of does not answer.
type fakeSidecars struct {
	client client.Client
	mu     sync.Mutex
	fixed  map[types.NamespacedName]string
	follow map[types.NamespacedName]bool
}

var _ LoadedConfigReader = (*fakeSidecars)(nil)

func newFakeSidecars(c client.Client) *fakeSidecars {
	return &fakeSidecars{
		client: c,
		fixed:  map[types.NamespacedName]string{},
		follow: map[types.NamespacedName]bool{},
	}
}

// loads makes the pod's sidecar report hash.
func (f *fakeSidecars) loads(pod *corev1.Pod, hash string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := client.ObjectKeyFromObject(pod)
	delete(f.follow, key)
	f.fixed[key] = hash
}

// followsConfigMap makes the pod's sidecar report whatever its
// namespace's ConfigMap holds.
func (f *fakeSidecars) followsConfigMap(pod *corev1.Pod) {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := client.ObjectKeyFromObject(pod)
	delete(f.fixed, key)
	f.follow[key] = true
}

func (f *fakeSidecars) LoadedConfigHash(ctx context.Context, pod *corev1.Pod) (string, error) {
	f.mu.Lock()
	key := client.ObjectKeyFromObject(pod)
	hash, fixed := f.fixed[key]
	follow := f.follow[key]
	f.mu.Unlock()

	switch {
	case fixed:
		return hash, nil
	case follow:
		cm := &corev1.ConfigMap{}
		err := f.client.Get(ctx, client.ObjectKey{Namespace: pod.Namespace, Name: v1alpha1.ConfigMapName}, cm)
		if err != nil {
			return "", err
		}
		return cm.Annotations[v1alpha1.ConfigHashAnnotation], nil
	}
	return "", errors.New("connection refused")
}

var counter atomic.Int64

// newNamespace creates a namespace of its own for one test, with
// injection enabled or not.
func newNamespace(ctx context.Context, injection bool) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: fmt.Sprintf("test-%d-%d", GinkgoParallelProcess(), counter.Add(1)),
	}}
	if injection {
		ns.Labels = map[string]string{v1alpha1.InjectionLabel: v1alpha1.InjectionEnabled}
	}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

// newPolicy builds a policy protecting POST on each path.
func newPolicy(namespace, name string, paths ...string) *v1alpha1.IdempotencyPolicy {
	p := &v1alpha1.IdempotencyPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
	}
	for _, path := range paths {
		p.Spec.Routes = append(p.Spec.Routes, v1alpha1.Route{Path: path})
	}
	return p
}

func selectApp(p *v1alpha1.IdempotencyPolicy, app string) *v1alpha1.IdempotencyPolicy {
	p.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}
	return p
}

func create(ctx context.Context, obj client.Object) {
	GinkgoHelper()
	Expect(k8sClient.Create(ctx, obj)).To(Succeed())
}

func getPolicy(ctx context.Context, g Gomega, namespace, name string) *v1alpha1.IdempotencyPolicy {
	p := &v1alpha1.IdempotencyPolicy{}
	g.Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, p)).To(Succeed())
	return p
}

// condition returns the policy's condition of the type, failing when it
// is missing or does not describe the current generation.
func condition(g Gomega, p *v1alpha1.IdempotencyPolicy, condType string) metav1.Condition {
	c := meta.FindStatusCondition(p.Status.Conditions, condType)
	g.Expect(c).NotTo(BeNil(), "condition %s", condType)
	g.Expect(c.ObservedGeneration).To(Equal(p.Generation), "observedGeneration of %s", condType)
	return *c
}

// expectCondition checks a condition's status and reason.
func expectCondition(g Gomega, p *v1alpha1.IdempotencyPolicy, condType string,
	status metav1.ConditionStatus, reason string) metav1.Condition {
	c := condition(g, p, condType)
	g.Expect(c.Status).To(Equal(status), "%s: %s", condType, c.Message)
	g.Expect(c.Reason).To(Equal(reason), "%s: %s", condType, c.Message)
	return c
}

// renderedConfig reads the namespace's ConfigMap and parses its document
// back with the proxy's own parser.
func renderedConfig(ctx context.Context, g Gomega, namespace string) (*corev1.ConfigMap, *config.Document) {
	cm := &corev1.ConfigMap{}
	g.Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: namespace, Name: v1alpha1.ConfigMapName}, cm)).
		To(Succeed())
	policies, docs, err := config.Parse([]byte(cm.Data[v1alpha1.ConfigMapKey]))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(policies).To(BeEmpty())
	g.Expect(docs).To(HaveLen(1))
	g.Expect(docs[0].Validate()).To(Succeed())
	g.Expect(docs[0].Hash()).To(Equal(cm.Annotations[v1alpha1.ConfigHashAnnotation]),
		"the annotation must be the hash of the document the proxy parses")
	return cm, &docs[0]
}

// policyNames lists the policies of a rendered document.
func policyNames(doc *config.Document) []string {
	names := []string{}
	for _, p := range doc.Policies {
		names = append(names, p.Name)
	}
	return names
}

// ownerNames lists the names of the policies that own the ConfigMap.
func ownerNames(cm *corev1.ConfigMap) []string {
	names := []string{}
	for _, ref := range cm.OwnerReferences {
		names = append(names, ref.Name)
	}
	return names
}

func configMapGone(ctx context.Context, namespace string) func() bool {
	return func() bool {
		err := k8sClient.Get(ctx, client.ObjectKey{Namespace: namespace, Name: v1alpha1.ConfigMapName},
			&corev1.ConfigMap{})
		return apierrors.IsNotFound(err)
	}
}

// podOptions describe a pod of the suite.
type podOptions struct {
	labels  map[string]string
	sidecar bool
	// running sets the pod Running with an address, as a kubelet would.
	running bool
	// replicaSet makes the pod look owned by a Deployment's ReplicaSet.
	replicaSet string
	phase      corev1.PodPhase
}

var podIP atomic.Int64

// newPod creates a pod with or without the sidecar (as a native sidecar:
// an init container that keeps running, the way the webhook injects it)
// and sets its status.
func newPod(ctx context.Context, namespace, name string, o podOptions) *corev1.Pod {
	GinkgoHelper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: o.labels},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "app", Image: "sample-app"}},
		},
	}
	if o.sidecar {
		always := corev1.ContainerRestartPolicyAlways
		pod.Spec.InitContainers = []corev1.Container{{
			Name:          v1alpha1.ProxyContainerName,
			Image:         "idempotency-proxy",
			RestartPolicy: &always,
			Ports: []corev1.ContainerPort{{
				Name: v1alpha1.AdminPortName, ContainerPort: v1alpha1.DefaultAdminPort,
			}},
		}}
	}
	if o.replicaSet != "" {
		hash := "5d8f7c9b4"
		if pod.Labels == nil {
			pod.Labels = map[string]string{}
		}
		pod.Labels["pod-template-hash"] = hash
		pod.OwnerReferences = []metav1.OwnerReference{{
			APIVersion: "apps/v1", Kind: "ReplicaSet", Name: o.replicaSet + "-" + hash,
			UID: types.UID("rs-" + name), Controller: new(true),
		}}
	}
	create(ctx, pod)

	phase := o.phase
	if o.running {
		phase = corev1.PodRunning
		n := podIP.Add(1)
		ip := fmt.Sprintf("10.0.%d.%d", n/250, n%250+1)
		pod.Status.PodIP = ip
		pod.Status.PodIPs = []corev1.PodIP{{IP: ip}}
	}
	if phase != "" {
		pod.Status.Phase = phase
		Expect(k8sClient.Status().Update(ctx, pod)).To(Succeed())
	}
	return pod
}

// eventReasons lists the reasons of the events published about a policy.
func eventReasons(ctx context.Context, g Gomega, namespace, policy string) []string {
	var list eventsv1.EventList
	g.Expect(k8sClient.List(ctx, &list, client.InNamespace(namespace))).To(Succeed())
	reasons := []string{}
	for _, e := range list.Items {
		if e.Regarding.Kind == "IdempotencyPolicy" && e.Regarding.Name == policy {
			reasons = append(reasons, e.Reason)
		}
	}
	return reasons
}

// eventNotes lists the notes of the policy's events with the reason.
func eventNotes(ctx context.Context, g Gomega, namespace, policy, reason string) []string {
	var list eventsv1.EventList
	g.Expect(k8sClient.List(ctx, &list, client.InNamespace(namespace))).To(Succeed())
	notes := []string{}
	for _, e := range list.Items {
		if e.Regarding.Name == policy && e.Reason == reason {
			notes = append(notes, e.Note)
		}
	}
	return notes
}

// printedTable fetches a policy the way kubectl get does: as a Table the
// API server builds from the CRD's printer columns. Cells are keyed by
// column name in upper case, as kubectl prints the headers.
func printedTable(ctx context.Context, g Gomega, namespace, name string) map[string]any {
	raw, err := clientset.CoreV1().RESTClient().Get().
		AbsPath("/apis", v1alpha1.GroupVersion.Group, v1alpha1.GroupVersion.Version,
			"namespaces", namespace, "idempotencypolicies", name).
		SetHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").
		DoRaw(ctx)
	g.Expect(err).NotTo(HaveOccurred())

	var table metav1.Table
	g.Expect(json.Unmarshal(raw, &table)).To(Succeed())
	g.Expect(table.Rows).To(HaveLen(1))
	row := map[string]any{}
	for i, col := range table.ColumnDefinitions {
		row[strings.ToUpper(col.Name)] = table.Rows[0].Cells[i]
	}
	return row
}
