package v1alpha1_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// constraint names one check in the CRD schema: the schema node it sits on
// and which of the node's checks it is. A rejection case names the
// constraint that rejects it, and the suite proves the claim by removing
// exactly that constraint from the CRD and seeing the case accepted.
type constraint struct {
	// at is the path of the schema node from the root of the object:
	// property names joined by dots, with [] stepping into array items,
	// as in spec.routes[].path.
	at string

	// keyword is the OpenAPI keyword of the check (pattern, enum,
	// minItems, minLength, minimum, required, x-kubernetes-list-type), or
	// x-kubernetes-validations for a CEL rule.
	keyword string

	// detail picks one of several checks under the keyword: the property
	// name for required, the rule's message for x-kubernetes-validations.
	detail string
}

// schemaCheck names an OpenAPI check such as pattern or enum.
func schemaCheck(at, keyword string) constraint {
	return constraint{at: at, keyword: keyword}
}

// requiredProperty names the requirement that property be set on the
// object at at.
func requiredProperty(at, property string) constraint {
	return constraint{at: at, keyword: "required", detail: property}
}

// celRule names the CEL rule at at whose message is message.
func celRule(at, message string) constraint {
	return constraint{at: at, keyword: "x-kubernetes-validations", detail: message}
}

func (c constraint) String() string {
	if c.detail == "" {
		return fmt.Sprintf("%s at %s", c.keyword, c.at)
	}
	return fmt.Sprintf("%s %q at %s", c.keyword, c.detail, c.at)
}

// withoutConstraint installs a copy of the CRD at path with c removed.
func withoutConstraint(t testing.TB, path string, c constraint) *apiServer {
	t.Helper()

	crd, err := readCRD(path)
	if err != nil {
		t.Fatalf("reading the CRD: %v", err)
	}
	mutated := crd.v1.DeepCopy()
	root := mutated.Spec.Versions[0].Schema.OpenAPIV3Schema
	if err := removeConstraint(root, schemaPath(c.at), c); err != nil {
		t.Fatalf("removing %s: %v", c, err)
	}

	server, err := serveCRD(mutated)
	if err != nil {
		t.Fatalf("serving the CRD without %s: %v", c, err)
	}
	return server
}

// schemaPath splits spec.routes[].path into spec, routes, [], path.
func schemaPath(at string) []string {
	var steps []string
	for _, name := range strings.Split(at, ".") {
		if base, ok := strings.CutSuffix(name, "[]"); ok {
			steps = append(steps, base, "[]")
			continue
		}
		steps = append(steps, name)
	}
	return steps
}

// removeConstraint walks steps down from props and drops c from the node
// it reaches. It fails when the node does not carry c, so that a case
// cannot silently point at a check that was renamed or moved.
func removeConstraint(props *apiextensionsv1.JSONSchemaProps, steps []string, c constraint) error {
	if len(steps) > 0 {
		step := steps[0]
		if step == "[]" {
			if props.Items == nil || props.Items.Schema == nil {
				return fmt.Errorf("the schema has no array items here")
			}
			return removeConstraint(props.Items.Schema, steps[1:], c)
		}
		child, ok := props.Properties[step]
		if !ok {
			return fmt.Errorf("the schema has no property %q", step)
		}
		if err := removeConstraint(&child, steps[1:], c); err != nil {
			return err
		}
		props.Properties[step] = child
		return nil
	}

	missing := fmt.Errorf("the schema node does not carry it")
	switch c.keyword {
	case "pattern":
		if props.Pattern == "" {
			return missing
		}
		props.Pattern = ""
	case "enum":
		if props.Enum == nil {
			return missing
		}
		props.Enum = nil
	case "minItems":
		if props.MinItems == nil {
			return missing
		}
		props.MinItems = nil
	case "minLength":
		if props.MinLength == nil {
			return missing
		}
		props.MinLength = nil
	case "minimum":
		if props.Minimum == nil {
			return missing
		}
		props.Minimum = nil
	case "x-kubernetes-list-type":
		if props.XListType == nil {
			return missing
		}
		props.XListType = nil
	case "required":
		i := slices.Index(props.Required, c.detail)
		if i < 0 {
			return missing
		}
		props.Required = slices.Delete(props.Required, i, i+1)
	case "x-kubernetes-validations":
		i := slices.IndexFunc(props.XValidations, func(r apiextensionsv1.ValidationRule) bool {
			return r.Message == c.detail
		})
		if i < 0 {
			return missing
		}
		props.XValidations = slices.Delete(props.XValidations, i, i+1)
	default:
		return fmt.Errorf("the suite does not know how to remove %q", c.keyword)
	}
	return nil
}
