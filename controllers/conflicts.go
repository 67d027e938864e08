package controllers

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// routeClaim is one method and path template an accepted policy protects.
// A proxy refuses a configuration in which two policies that select its
// pod claim the same method and path, so the reconciler must never render
// one.
type routeClaim struct {
	policy   string
	method   string
	path     string
	shape    string
	selector *metav1.LabelSelector
}

// routeClaims are the claims of the policies accepted so far.
type routeClaims []routeClaim

// add returns the claims with those of policy p appended.
func (c routeClaims) add(p *v1alpha1.IdempotencyPolicy) routeClaims {
	for _, r := range p.Spec.Routes {
		for _, m := range routeMethods(r) {
			c = append(c, routeClaim{
				policy:   p.Name,
				method:   m,
				path:     r.Path,
				shape:    templateShape(r.Path),
				selector: p.Spec.Selector,
			})
		}
	}
	return c
}

// routeConflict is a route of a newer policy that an older one holds.
type routeConflict struct {
	method, path string
	holder       routeClaim
	// more counts the policy's other conflicting routes.
	more int
}

// conflict returns the first route of p already claimed, for pods p may
// select too, by an accepted policy.
func (c routeClaims) conflict(p *v1alpha1.IdempotencyPolicy) (routeConflict, bool) {
	var (
		found routeConflict
		count int
	)
	for _, r := range p.Spec.Routes {
		shape := templateShape(r.Path)
		for _, m := range routeMethods(r) {
			for _, held := range c {
				if held.method != m || held.shape != shape || disjoint(held.selector, p.Spec.Selector) {
					continue
				}
				if count == 0 {
					found = routeConflict{method: m, path: r.Path, holder: held}
				}
				count++
				break
			}
		}
	}
	if count == 0 {
		return routeConflict{}, false
	}
	found.more = count - 1
	return found, true
}

// message tells the user which policy holds the route and what to do.
func (rc routeConflict) message() string {
	var b strings.Builder
	fmt.Fprintf(&b, "route %s %s is already claimed by the older policy %q",
		rc.method, rc.path, rc.holder.policy)
	if rc.holder.path != rc.path {
		fmt.Fprintf(&b, " as %s %s, which matches the same requests", rc.holder.method, rc.holder.path)
	}
	b.WriteString(" for pods both policies may select")
	if rc.more > 0 {
		fmt.Fprintf(&b, " (and %d more %s)", rc.more, plural(rc.more, "route", "routes"))
	}
	b.WriteString("; the older policy wins: remove the route from one policy, " +
		"or give the policies selectors that cannot match the same pod " +
		"(the same label key with different values)")
	return b.String()
}

// routeMethods returns the route's methods, upper case, with the CRD's
// default when none are listed.
func routeMethods(r v1alpha1.Route) []string {
	if len(r.Methods) == 0 {
		return []string{v1alpha1.DefaultMethod}
	}
	out := make([]string, len(r.Methods))
	for i, m := range r.Methods {
		out[i] = strings.ToUpper(m)
	}
	return out
}

// templateShape forgets the parameter names of a path template, so that
// /orders/{id} and /orders/{orderID}, which match the same requests, are
// seen as the same route.
func templateShape(path string) string {
	segments := strings.Split(path, "/")
	for i, s := range segments {
		if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") {
			continue
		}
		if strings.HasSuffix(s, "...}") {
			segments[i] = "{...}"
		} else {
			segments[i] = "{}"
		}
	}
	return strings.Join(segments, "/")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
