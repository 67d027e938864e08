package controllers

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDisjointSelectors(t *testing.T) {
	labels := func(kv ...string) *metav1.LabelSelector {
		s := &metav1.LabelSelector{MatchLabels: map[string]string{}}
		for i := 0; i < len(kv); i += 2 {
			s.MatchLabels[kv[i]] = kv[i+1]
		}
		return s
	}
	expr := func(key string, op metav1.LabelSelectorOperator, values ...string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
			{Key: key, Operator: op, Values: values},
		}}
	}

	cases := []struct {
		name     string
		a, b     *metav1.LabelSelector
		disjoint bool
	}{
		{"nil selects every pod", nil, labels("app", "shop"), false},
		{"empty selects every pod", &metav1.LabelSelector{}, labels("app", "shop"), false},
		{"same label", labels("app", "shop"), labels("app", "shop"), false},
		{"same key, different values", labels("app", "shop"), labels("app", "admin"), true},
		{"different keys may meet on one pod", labels("app", "shop"), labels("tier", "web"), false},
		{"one shared key differs among others", labels("app", "shop", "tier", "web"), labels("app", "admin"), true},
		{"In sets that do not meet", expr("app", metav1.LabelSelectorOpIn, "a", "b"),
			expr("app", metav1.LabelSelectorOpIn, "c"), true},
		{"In sets that meet", expr("app", metav1.LabelSelectorOpIn, "a", "b"),
			expr("app", metav1.LabelSelectorOpIn, "b", "c"), false},
		{"value refused by NotIn", labels("app", "shop"), expr("app", metav1.LabelSelectorOpNotIn, "shop"), true},
		{"value allowed by NotIn", labels("app", "shop"), expr("app", metav1.LabelSelectorOpNotIn, "admin"), false},
		{"required against absent", expr("canary", metav1.LabelSelectorOpExists),
			expr("canary", metav1.LabelSelectorOpDoesNotExist), true},
		{"value against absent", labels("canary", "true"),
			expr("canary", metav1.LabelSelectorOpDoesNotExist), true},
		{"Exists against a value", expr("app", metav1.LabelSelectorOpExists), labels("app", "shop"), false},
		{"unknown operator proves nothing", expr("app", "Near", "shop"), labels("app", "admin"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(disjoint(tc.a, tc.b)).To(Equal(tc.disjoint))
			g.Expect(disjoint(tc.b, tc.a)).To(Equal(tc.disjoint), "disjoint must be symmetric")
		})
	}
}
