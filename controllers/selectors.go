package controllers

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// keyConstraint is what one label selector demands of one label key.
type keyConstraint struct {
	// present: the key must be set (Exists, In or matchLabels).
	present bool
	// absent: the key must not be set (DoesNotExist).
	absent bool
	// in, when not nil, lists the only values allowed.
	in map[string]bool
	// notIn lists values that are refused.
	notIn map[string]bool
}

// disjoint reports whether no pod can match both selectors. It answers
// true only when it can prove it from one label key both selectors
// constrain, such as app=a against app=b; otherwise the selectors are
// taken to overlap. A nil or empty selector matches every pod, so it
// overlaps every other selector.
func disjoint(a, b *metav1.LabelSelector) bool {
	ca, cb := constraints(a), constraints(b)
	for key, x := range ca {
		y, ok := cb[key]
		if !ok {
			continue
		}
		if x.excludes(y) || y.excludes(x) {
			return true
		}
	}
	return false
}

// excludes reports whether no value of the key can satisfy both c and o.
func (c *keyConstraint) excludes(o *keyConstraint) bool {
	if c.present && o.absent {
		return true
	}
	if c.in == nil {
		return false
	}
	for v := range c.in {
		if c.notIn[v] {
			continue
		}
		if (o.in == nil || o.in[v]) && !o.notIn[v] {
			return false
		}
	}
	return true
}

// constraints gathers, per label key, what the selector demands.
// Operators it does not know are ignored, which can only make two
// selectors look overlapping, never disjoint.
func constraints(sel *metav1.LabelSelector) map[string]*keyConstraint {
	out := map[string]*keyConstraint{}
	if sel == nil {
		return out
	}
	get := func(key string) *keyConstraint {
		c, ok := out[key]
		if !ok {
			c = &keyConstraint{notIn: map[string]bool{}}
			out[key] = c
		}
		return c
	}
	for k, v := range sel.MatchLabels {
		get(k).allowOnly(v)
	}
	for _, req := range sel.MatchExpressions {
		c := get(req.Key)
		switch req.Operator {
		case metav1.LabelSelectorOpIn:
			c.allowOnly(req.Values...)
		case metav1.LabelSelectorOpNotIn:
			for _, v := range req.Values {
				c.notIn[v] = true
			}
		case metav1.LabelSelectorOpExists:
			c.present = true
		case metav1.LabelSelectorOpDoesNotExist:
			c.absent = true
		}
	}
	return out
}

// allowOnly narrows the allowed values to those also in values.
func (c *keyConstraint) allowOnly(values ...string) {
	c.present = true
	next := map[string]bool{}
	for _, v := range values {
		if c.in == nil || c.in[v] {
			next[v] = true
		}
	}
	c.in = next
}
