package v1alpha1_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	apiextensionshelpers "k8s.io/apiextensions-apiserver/pkg/apihelpers"
	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsinstall "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/install"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/yaml"
)

// crdPath is the generated CRD, relative to this package.
var crdPath = filepath.Join("..", "..", "config", "crd", "bases",
	"idempotency.io_idempotencypolicies.yaml")

// apiServer answers a create request for a custom resource the way
// kube-apiserver does once the CRD is installed. Each step calls the code
// the API server itself runs, in the order it runs it:
//
//  1. CRD install: v1 defaulting, conversion to the internal version and
//     ValidateCustomResourceDefinition, which compiles every CEL rule and
//     rejects rules over the cost budget.
//  2. Decoding a custom resource: pruning with unknown-field tracking (what
//     kubectl's default strict field validation turns into an error),
//     removal of nulls and ObjectMeta coercion.
//  3. Structural defaulting from the schema's default values.
//  4. rest.BeforeCreate with createStrategy, which runs the OpenAPI schema
//     validator, the list-type checks and then the CEL validator.
type apiServer struct {
	gvk             schema.GroupVersionKind
	namespaced      bool
	hasStatus       bool
	schema          *structuralschema.Structural
	schemaValidator apiservervalidation.SchemaValidator
	celValidator    *cel.Validator
}

// installCRD reads the CRD at path and installs it, failing the test with
// the API server's own messages when it would refuse the CRD.
func installCRD(t testing.TB, path string) *apiServer {
	t.Helper()

	crd, err := readCRD(path)
	if err != nil {
		t.Fatalf("reading the CRD: %v", err)
	}

	if errs := crdvalidation.ValidateCustomResourceDefinition(context.Background(), crd.internal); len(errs) > 0 {
		t.Fatalf("the API server would refuse to install the CRD:\n%s", errs.ToAggregate())
	}

	server, err := serveCRD(crd.v1)
	if err != nil {
		t.Fatalf("serving the CRD: %v", err)
	}
	return server
}

// loadedCRD is one CRD in the two versions the API server works with.
type loadedCRD struct {
	v1       *apiextensionsv1.CustomResourceDefinition
	internal *apiextensionsinternal.CustomResourceDefinition
}

// readCRD decodes a CRD manifest, applies the v1 defaults the API server
// applies on decode and converts it to the internal version.
func readCRD(path string) (*loadedCRD, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}

	v1 := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict(raw, v1); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", path, err)
	}

	scheme := runtime.NewScheme()
	apiextensionsinstall.Install(scheme)
	scheme.Default(v1)

	internal := &apiextensionsinternal.CustomResourceDefinition{}
	if err := scheme.Convert(v1, internal, nil); err != nil {
		return nil, fmt.Errorf("converting the CRD to the internal version: %w", err)
	}
	return &loadedCRD{v1: v1, internal: internal}, nil
}

// serveCRD builds the structural schema and the validators that the API
// server's CRD handler builds for the single served version of crd.
func serveCRD(crd *apiextensionsv1.CustomResourceDefinition) (*apiServer, error) {
	if len(crd.Spec.Versions) != 1 {
		return nil, fmt.Errorf("expected one version, found %d", len(crd.Spec.Versions))
	}
	version := crd.Spec.Versions[0]

	validation, err := apiextensionshelpers.GetSchemaForVersion(crd, version.Name)
	if err != nil {
		return nil, err
	}
	internalValidation := &apiextensionsinternal.CustomResourceValidation{}
	err = apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(
		validation, internalValidation, nil)
	if err != nil {
		return nil, fmt.Errorf("converting the schema to the internal version: %w", err)
	}
	props := internalValidation.OpenAPIV3Schema

	structural, err := structuralschema.NewStructural(props)
	if err != nil {
		return nil, fmt.Errorf("building the structural schema: %w", err)
	}
	structural = structural.DeepCopy()
	if err := structuraldefaulting.PruneDefaults(structural); err != nil {
		return nil, fmt.Errorf("pruning defaults: %w", err)
	}

	validator, _, err := apiservervalidation.NewSchemaValidator(props)
	if err != nil {
		return nil, fmt.Errorf("building the schema validator: %w", err)
	}

	return &apiServer{
		gvk: schema.GroupVersionKind{
			Group:   crd.Spec.Group,
			Version: version.Name,
			Kind:    crd.Spec.Names.Kind,
		},
		namespaced:      crd.Spec.Scope == apiextensionsv1.NamespaceScoped,
		hasStatus:       version.Subresources != nil && version.Subresources.Status != nil,
		schema:          structural,
		schemaValidator: validator,
		celValidator:    cel.NewValidator(structural, true, celconfig.PerCallLimit),
	}, nil
}

// create submits manifest (YAML or JSON) as kubectl apply does for a new
// object, with strict field validation, into namespace "default" unless
// the manifest names one. It returns the object as it would be stored, or
// the error the API server would answer with.
func (s *apiServer) create(manifest string) (*unstructured.Unstructured, error) {
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &obj.Object); err != nil {
		return nil, fmt.Errorf("the test manifest is not YAML: %w", err)
	}

	if err := s.decode(obj); err != nil {
		return nil, err
	}
	structuraldefaulting.Default(obj.Object, s.schema)

	namespace := obj.GetNamespace()
	if namespace == "" {
		namespace = "default"
	}
	ctx := genericapirequest.WithNamespace(context.Background(), namespace)
	rest.FillObjectMetaSystemFields(obj)
	if err := rest.BeforeCreate(createStrategy{s}, ctx, obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// decode does to a freshly unmarshalled object what the CRD handler's
// decoder does: it drops fields the schema does not know and reports them
// as the strict decoding error kubectl shows, removes nulls from fields
// that are not nullable, and coerces ObjectMeta.
func (s *apiServer) decode(obj *unstructured.Unstructured) error {
	kind, apiVersion := obj.GetKind(), obj.GetAPIVersion()
	if kind != s.gvk.Kind || apiVersion != s.gvk.GroupVersion().String() {
		return fmt.Errorf("the manifest is a %s %s, not a %s", apiVersion, kind, s.gvk)
	}

	meta, foundMeta, unknown, err := schemaobjectmeta.GetObjectMetaWithOptions(obj.Object,
		schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return err
	}

	unknown = append(unknown, structuralpruning.PruneWithOptions(obj.Object, s.schema, true,
		structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(obj.Object, s.schema)

	fieldErr, paths := schemaobjectmeta.CoerceWithOptions(nil, obj.Object, s.schema, false,
		schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
	if fieldErr != nil {
		return fieldErr
	}
	unknown = append(unknown, paths...)

	obj.SetKind(kind)
	obj.SetAPIVersion(apiVersion)
	if foundMeta {
		if err := schemaobjectmeta.SetObjectMeta(obj.Object, meta); err != nil {
			return err
		}
	}

	if len(unknown) > 0 {
		errs := make([]error, 0, len(unknown))
		for _, path := range unknown {
			errs = append(errs, fmt.Errorf("unknown field %q", path))
		}
		return runtime.NewStrictDecodingError(errs)
	}
	return nil
}
