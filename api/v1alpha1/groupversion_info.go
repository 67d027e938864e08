// Package v1alpha1 contains the API types of the idempotency.io/v1alpha1
// group: IdempotencyPolicy, the namespaced resource that lists the HTTP
// routes whose mutations the idempotency proxy protects.
//
// +kubebuilder:object:generate=true
// +groupName=idempotency.io
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of the types in this package.
	GroupVersion = schema.GroupVersion{Group: "idempotency.io", Version: "v1alpha1"}

	// SchemeBuilder registers the types of this package with a scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the types of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(scheme *runtime.Scheme) error {
	scheme.AddKnownTypes(GroupVersion, &IdempotencyPolicy{}, &IdempotencyPolicyList{})
	metav1.AddToGroupVersion(scheme, GroupVersion)
	return nil
}
