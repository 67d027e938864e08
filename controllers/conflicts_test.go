package controllers

import (
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

func TestTemplateShapeIgnoresParameterNames(t *testing.T) {
	cases := map[string]string{
		"/orders":                   "/orders",
		"/orders/":                  "/orders/",
		"/orders/{id}":              "/orders/{}",
		"/orders/{orderID}/accept":  "/orders/{}/accept",
		"/files/{rest...}":          "/files/{...}",
		"/v1/orders/{id}:cancel":    "/v1/orders/{id}:cancel",
		"/shops/{shop}/items/{sku}": "/shops/{}/items/{}",
	}
	for path, shape := range cases {
		t.Run(path, func(t *testing.T) {
			NewWithT(t).Expect(templateShape(path)).To(Equal(shape))
		})
	}
}

func TestRouteConflicts(t *testing.T) {
	policy := func(name string, selector map[string]string, routes ...v1alpha1.Route) *v1alpha1.IdempotencyPolicy {
		p := &v1alpha1.IdempotencyPolicy{ObjectMeta: metav1.ObjectMeta{Name: name}}
		if selector != nil {
			p.Spec.Selector = &metav1.LabelSelector{MatchLabels: selector}
		}
		p.Spec.Routes = routes
		return p
	}
	route := func(path string, methods ...string) v1alpha1.Route {
		return v1alpha1.Route{Path: path, Methods: methods}
	}
	held := routeClaims{}.add(policy("orders", nil, route("/orders/{id}", "PUT", "PATCH"), route("/orders")))

	t.Run("a method the older policy does not claim is free", func(t *testing.T) {
		_, ok := held.conflict(policy("new", nil, route("/orders/{id}", "DELETE")))
		NewWithT(t).Expect(ok).To(BeFalse())
	})
	t.Run("the default method counts", func(t *testing.T) {
		c, ok := held.conflict(policy("new", nil, route("/orders", "POST")))
		g := NewWithT(t)
		g.Expect(ok).To(BeTrue())
		g.Expect(c.message()).To(HavePrefix(`route POST /orders is already claimed by the older policy "orders" for pods`))
	})
	t.Run("the same template under other parameter names", func(t *testing.T) {
		c, ok := held.conflict(policy("new", nil, route("/orders/{orderID}", "PATCH", "PUT"), route("/orders")))
		g := NewWithT(t)
		g.Expect(ok).To(BeTrue())
		g.Expect(c.message()).To(ContainSubstring(`route PATCH /orders/{orderID} is already claimed ` +
			`by the older policy "orders" as PATCH /orders/{id}`))
		g.Expect(c.message()).To(ContainSubstring("(and 2 more routes)"))
	})
	t.Run("selectors that cannot meet", func(t *testing.T) {
		shop := routeClaims{}.add(policy("shop", map[string]string{"app": "shop"}, route("/orders")))
		_, ok := shop.conflict(policy("admin", map[string]string{"app": "admin"}, route("/orders")))
		NewWithT(t).Expect(ok).To(BeFalse())
	})
}

func TestOlderPolicyComesFirst(t *testing.T) {
	at := func(name string, sec int64) *v1alpha1.IdempotencyPolicy {
		return &v1alpha1.IdempotencyPolicy{ObjectMeta: metav1.ObjectMeta{
			Name: name, CreationTimestamp: metav1.Unix(sec, 0),
		}}
	}
	g := NewWithT(t)
	g.Expect(olderThan(at("zz", 100), at("aa", 101))).To(BeTrue(), "the creation time decides first")
	g.Expect(olderThan(at("aa", 101), at("zz", 100))).To(BeFalse())
	g.Expect(olderThan(at("aa", 100), at("zz", 100))).To(BeTrue(), "the name breaks a tie")
	g.Expect(olderThan(at("zz", 100), at("aa", 100))).To(BeFalse())
}
