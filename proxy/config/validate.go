package config

import (
	"errors"
	"fmt"
	"net/textproto"
	"regexp"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
	"github.com/idempotency-operator/idempotency-operator/proxy/route"
)

// Limits shared with the CRD's validation rules.
const (
	MinTTL         = time.Second
	MaxTTL         = 30 * 24 * time.Hour
	MinWaitTimeout = time.Millisecond
	MaxWaitTimeout = 10 * time.Minute
	MaxBodyLimit   = 64 << 20
)

var (
	// headerName is an RFC 9110 token of at most 128 characters, as the
	// CRD allows.
	headerName = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+.^_|~-]{1,128}$`)
	redisURL   = regexp.MustCompile(`^(redis|rediss|redis-sentinel|rediss-sentinel|redis-cluster|rediss-cluster)://`)

	allowedMethods = map[string]bool{"POST": true, "PUT": true, "PATCH": true, "DELETE": true}

	// neverReplayed are the headers a stored response never carries:
	// cookies belong to one response, hop-by-hop headers to one connection.
	neverReplayed = map[string]bool{
		"Set-Cookie": true, "Connection": true, "Keep-Alive": true, "Proxy-Connection": true,
		"Transfer-Encoding": true, "Upgrade": true, "Te": true, "Trailer": true,
		"Proxy-Authenticate": true, "Proxy-Authorization": true,
	}
)

// Validate checks the document with the rules the CRD applies at kubectl
// apply, so that a standalone proxy rejects what the API server would.
// It reports every problem, each prefixed with where it was found.
func (d *Document) Validate() error {
	var errs []error
	if d.APIVersion != APIVersion || d.Kind != Kind {
		errs = append(errs, fmt.Errorf("document is %s %s, want %s %s", d.APIVersion, d.Kind, APIVersion, Kind))
	}
	seen := map[string]bool{}
	for i := range d.Policies {
		p := &d.Policies[i]
		name := policyName(p.Namespace, p.Name)
		if seen[name] {
			errs = append(errs, fmt.Errorf("policy %s appears twice", name))
		}
		seen[name] = true
		for _, err := range p.validate() {
			errs = append(errs, fmt.Errorf("policy %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func (p *Policy) validate() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if p.Name == "" {
		add("metadata.name must not be empty")
	}
	if p.Selector != nil {
		if _, err := metav1.LabelSelectorAsSelector(p.Selector); err != nil {
			add("spec.selector: %v", err)
		}
	}
	if p.Mode != v1alpha1.ModeEnforce && p.Mode != v1alpha1.ModeAudit {
		add("spec.mode %q must be Enforce or Audit", p.Mode)
	}
	if p.FailureMode != v1alpha1.FailureClosed && p.FailureMode != v1alpha1.FailureOpen {
		add("spec.failureMode %q must be Closed or Open", p.FailureMode)
	}
	if p.MaxRequestBytes < 1 || p.MaxRequestBytes > MaxBodyLimit {
		add("spec.maxRequestBytes %d must be between 1 and %d", p.MaxRequestBytes, MaxBodyLimit)
	}
	if p.MaxResponseBytes < 0 || p.MaxResponseBytes > MaxBodyLimit {
		add("spec.maxResponseBytes %d must be between 0 and %d", p.MaxResponseBytes, MaxBodyLimit)
	}
	for _, h := range p.ReplayHeaders {
		if !headerName.MatchString(h) {
			add("spec.replayHeaders: %q is not a header name", h)
		} else if neverReplayed[textproto.CanonicalMIMEHeaderKey(h)] {
			add("spec.replayHeaders: %s is never replayed (Set-Cookie and hop-by-hop headers)", h)
		}
	}
	errs = append(errs, p.Key.validate()...)
	errs = append(errs, p.Store.validate()...)

	if len(p.Routes) == 0 {
		add("spec.routes must list at least one route")
	}
	seen := map[string]bool{}
	for i, r := range p.Routes {
		for _, err := range r.validate() {
			add("spec.routes[%d]: %v", i, err)
		}
		for _, m := range r.Methods {
			id := m + " " + r.Path
			if seen[id] {
				add("spec.routes[%d]: two routes share the same path and method (%s)", i, id)
			}
			seen[id] = true
		}
	}
	return errs
}

func (k *Key) validate() []error {
	var errs []error
	if !headerName.MatchString(k.Header) {
		errs = append(errs, fmt.Errorf("spec.key.header %q is not a header name", k.Header))
	}
	if k.BodyField != "" {
		if _, err := ParseBodyField(k.BodyField); err != nil {
			errs = append(errs, fmt.Errorf("spec.key.bodyField: %w", err))
		}
	}
	for _, h := range k.ScopeHeaders {
		if !headerName.MatchString(h) {
			errs = append(errs, fmt.Errorf("spec.key.scopeHeaders: %q is not a header name", h))
		}
	}
	return errs
}

func (s *Store) validate() []error {
	var errs []error
	switch s.Type {
	case v1alpha1.StoreMemory:
		if s.URL != "" || s.URLFile != "" {
			errs = append(errs, errors.New("spec.store.url and urlSecretRef apply to type Redis only"))
		}
	case v1alpha1.StoreRedis:
		switch {
		case s.URL != "" && s.URLFile != "":
			errs = append(errs, errors.New("spec.store: set url or urlSecretRef, not both"))
		case s.URL == "" && s.URLFile == "":
			errs = append(errs, errors.New("spec.store.type Redis needs store.url or store.urlSecretRef"))
		case s.URL != "" && !redisURL.MatchString(s.URL):
			errs = append(errs, errors.New("spec.store.url must start with redis://, rediss://, "+
				"redis-sentinel://, rediss-sentinel://, redis-cluster:// or rediss-cluster://"))
		}
	default:
		errs = append(errs, fmt.Errorf("spec.store.type %q must be Memory or Redis", s.Type))
	}
	return errs
}

func (r *Route) validate() []error {
	var errs []error
	if _, err := route.Compile(r.Path); err != nil {
		errs = append(errs, fmt.Errorf("path: %w", err))
	}
	if len(r.Methods) == 0 {
		errs = append(errs, errors.New("methods must not be empty"))
	}
	for _, m := range r.Methods {
		if !allowedMethods[m] {
			errs = append(errs, fmt.Errorf("method %q must be one of POST, PUT, PATCH, DELETE", m))
		}
	}
	if r.TTL.Duration < MinTTL || r.TTL.Duration > MaxTTL {
		errs = append(errs, fmt.Errorf("ttl %s must be between 1s and 720h (30 days)", r.TTL))
	}
	if r.Concurrency != v1alpha1.ConcurrencyWait && r.Concurrency != v1alpha1.ConcurrencyReject {
		errs = append(errs, fmt.Errorf("concurrency %q must be Wait or Reject", r.Concurrency))
	}
	if r.WaitTimeout.Duration < MinWaitTimeout || r.WaitTimeout.Duration > MaxWaitTimeout {
		errs = append(errs, fmt.Errorf("waitTimeout %s must be between 1ms and 10m", r.WaitTimeout))
	}
	return errs
}

// Selects reports whether the policy applies to a pod with podLabels.
// A nil selector selects every pod.
func (p *Policy) Selects(podLabels map[string]string) (bool, error) {
	if p.Selector == nil {
		return true, nil
	}
	sel, err := metav1.LabelSelectorAsSelector(p.Selector)
	if err != nil {
		return false, err
	}
	return sel.Matches(labels.Set(podLabels)), nil
}

// ParseBodyField turns a field name (clientMutationId) or a JSON pointer
// (/input/clientMutationId) into the path of object keys to follow.
func ParseBodyField(field string) ([]string, error) {
	if field == "" {
		return nil, errors.New("must not be empty")
	}
	if !strings.HasPrefix(field, "/") {
		return []string{field}, nil
	}
	parts := strings.Split(field[1:], "/")
	for i, p := range parts {
		// RFC 6901 escapes: ~1 is /, ~0 is ~, and no other ~ is allowed.
		for j := 0; j < len(p); j++ {
			if p[j] == '~' && (j+1 == len(p) || (p[j+1] != '0' && p[j+1] != '1')) {
				return nil, fmt.Errorf("%q is not a JSON pointer: ~ must be followed by 0 or 1", field)
			}
		}
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts, nil
}
