package v1alpha1_test

import (
	"context"

	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured/unstructuredscheme"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage/names"
)

// createStrategy is the create half of the API server's strategy for
// custom resources, assembled from the validation functions that strategy
// calls. The strategy itself lives in a package that also links the etcd
// storage layer, which would add minutes to every cold build of these
// tests for no check of ours.
type createStrategy struct {
	*apiServer
}

var _ rest.RESTCreateStrategy = createStrategy{}

// ObjectKinds reports the kind that an unstructured object names.
func (createStrategy) ObjectKinds(obj runtime.Object) ([]schema.GroupVersionKind, bool, error) {
	return unstructuredscheme.NewUnstructuredObjectTyper().ObjectKinds(obj)
}

// Recognizes reports that every kind is served, as the CRD handler only
// passes objects of its own kind.
func (createStrategy) Recognizes(schema.GroupVersionKind) bool { return true }

// GenerateName completes metadata.generateName as the API server does.
func (createStrategy) GenerateName(base string) string {
	return names.SimpleNameGenerator.GenerateName(base)
}

// NamespaceScoped reports the scope of the CRD.
func (s createStrategy) NamespaceScoped() bool { return s.namespaced }

// PrepareForCreate drops a status that a create request carries when the
// status subresource is enabled, and starts the generation at 1.
func (s createStrategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	u := obj.(*unstructured.Unstructured)
	if s.hasStatus {
		delete(u.Object, "status")
	}
	u.SetGeneration(1)
}

// Validate checks the object's metadata, then its content against the
// OpenAPI schema and the list types, then the CEL rules.
func (s createStrategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	u := obj.(*unstructured.Unstructured)

	errs := apimachineryvalidation.ValidateObjectMetaAccessor(u, s.namespaced,
		apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, u.Object, s.schemaValidator)...)
	errs = append(errs, schemaobjectmeta.Validate(ctx, nil, u.Object, s.schema, false)...)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, s.schema, u.Object)...)

	if s.celValidator == nil || blocksCEL(errs) {
		return errs
	}
	celErrs, _ := s.celValidator.Validate(ctx, nil, s.schema, u.Object, nil, celconfig.RuntimeCELCostBudget)
	return append(errs, celErrs...)
}

// blocksCEL reports whether errs hold an error after which the API server
// does not evaluate CEL rules: a value that is missing, not among the
// allowed ones, too long, in too many items, or of the wrong type, all of
// which a rule could trip over. It then adds a note that the rules were
// not checked; users fix the schema errors first either way.
func blocksCEL(errs field.ErrorList) bool {
	for _, err := range errs {
		switch err.Type {
		case field.ErrorTypeRequired, field.ErrorTypeNotSupported, field.ErrorTypeTooLong,
			field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return true
		}
	}
	return false
}

// WarningsOnCreate returns no warnings: the CRD declares none.
func (createStrategy) WarningsOnCreate(context.Context, runtime.Object) []string { return nil }

// Canonicalize leaves the object as it is, as it does for every custom
// resource.
func (createStrategy) Canonicalize(runtime.Object) {}
