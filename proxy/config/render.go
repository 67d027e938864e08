package config

import (
	"errors"
	"fmt"
	"net/textproto"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
)

// RenderOptions adjusts how policies become a document.
type RenderOptions struct {
	// SecretURLFile returns the path, inside the proxy's container, of the
	// file that holds the Redis URL a policy references by Secret. When
	// nil, a policy with store.urlSecretRef is an error: outside Kubernetes
	// there is no Secret to read.
	SecretURLFile func(namespace string, ref v1alpha1.SecretKeyRef) string
}

// SecretURLPath is where a proxy reads the Redis URL that a policy
// references by Secret: the webhook mounts each referenced Secret at
// SecretsMountPath/<name>, and a standalone proxy expects the same layout.
func SecretURLPath(_ string, ref v1alpha1.SecretKeyRef) string {
	return path.Join(v1alpha1.SecretsMountPath, ref.Name, ref.Key)
}

// Render turns policies into a validated document with every default
// filled in. It reports every problem it finds, each prefixed with the
// policy's namespace and name.
func Render(policies []v1alpha1.IdempotencyPolicy, opts RenderOptions) (*Document, error) {
	doc := &Document{APIVersion: APIVersion, Kind: Kind, Policies: []Policy{}}
	var errs []error
	for i := range policies {
		p, err := renderPolicy(&policies[i], opts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		doc.Policies = append(doc.Policies, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.Slice(doc.Policies, func(i, j int) bool {
		a, b := doc.Policies[i], doc.Policies[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	if err := doc.Validate(); err != nil {
		return nil, err
	}
	return doc, nil
}

func renderPolicy(in *v1alpha1.IdempotencyPolicy, opts RenderOptions) (Policy, error) {
	spec := in.Spec
	name := policyName(in.Namespace, in.Name)
	fail := func(format string, args ...any) (Policy, error) {
		return Policy{}, fmt.Errorf("policy %s: "+format, append([]any{name}, args...)...)
	}

	p := Policy{
		Namespace:        in.Namespace,
		Name:             in.Name,
		Generation:       in.Generation,
		Selector:         spec.Selector.DeepCopy(),
		Mode:             orDefault(spec.Mode, v1alpha1.ModeEnforce),
		FailureMode:      orDefault(spec.FailureMode, v1alpha1.FailureClosed),
		MaxRequestBytes:  int64OrDefault(spec.MaxRequestBytes, v1alpha1.DefaultMaxBodyBytes),
		MaxResponseBytes: int64OrDefault(spec.MaxResponseBytes, v1alpha1.DefaultMaxBodyBytes),
		ReplayHeaders:    canonicalHeaders(spec.ReplayHeaders),
		Key: Key{
			Header:       textproto.CanonicalMIMEHeaderKey(orDefault(spec.Key.Header, v1alpha1.DefaultKeyHeader)),
			BodyField:    spec.Key.BodyField,
			ScopeHeaders: canonicalHeaders(spec.Key.ScopeHeaders),
		},
		Store: Store{
			Type:      orDefault(spec.Store.Type, v1alpha1.StoreMemory),
			URL:       spec.Store.URL,
			KeyPrefix: spec.Store.KeyPrefix,
		},
	}
	if spec.Key.ScopeHeaders == nil {
		p.Key.ScopeHeaders = []string{v1alpha1.DefaultScopeHeader}
	}
	if ref := spec.Store.URLSecretRef; ref != nil {
		if opts.SecretURLFile == nil {
			return fail("store.urlSecretRef needs a Kubernetes Secret; outside a cluster give store.url or the --store flag")
		}
		r := *ref
		if r.Key == "" {
			r.Key = "url"
		}
		p.Store.URLFile = opts.SecretURLFile(in.Namespace, r)
	}

	policyTTL, err := parseDuration(orDefault(spec.TTL, v1alpha1.DefaultTTL))
	if err != nil {
		return fail("spec.ttl: %v", err)
	}
	for i, r := range spec.Routes {
		route := Route{
			Path:        r.Path,
			Methods:     slices.Clone(r.Methods),
			TTL:         Duration{policyTTL},
			Required:    r.Required,
			Concurrency: orDefault(r.Concurrency, v1alpha1.ConcurrencyWait),
		}
		if len(route.Methods) == 0 {
			route.Methods = []string{v1alpha1.DefaultMethod}
		}
		for j, m := range route.Methods {
			route.Methods[j] = strings.ToUpper(m)
		}
		sort.Strings(route.Methods)
		if r.TTL != "" {
			d, err := parseDuration(r.TTL)
			if err != nil {
				return fail("spec.routes[%d].ttl: %v", i, err)
			}
			route.TTL = Duration{d}
		}
		wait, err := parseDuration(orDefault(r.WaitTimeout, v1alpha1.DefaultWaitTimeout))
		if err != nil {
			return fail("spec.routes[%d].waitTimeout: %v", i, err)
		}
		route.WaitTimeout = Duration{wait}
		p.Routes = append(p.Routes, route)
	}
	return p, nil
}

func policyName(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 30s, 15m or 24h", s)
	}
	return d, nil
}

func orDefault[T ~string](v, def T) T {
	if v == "" {
		return def
	}
	return v
}

func int64OrDefault(v *int64, def int64) int64 {
	if v == nil {
		return def
	}
	return *v
}

func canonicalHeaders(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, len(in))
	for i, h := range in {
		out[i] = textproto.CanonicalMIMEHeaderKey(h)
	}
	return out
}
