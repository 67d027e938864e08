package proxy

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
	"github.com/idempotency-operator/idempotency-operator/proxy/config"
	"github.com/idempotency-operator/idempotency-operator/proxy/route"
	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// StoreOpener returns the store a policy's records live in. The proxy calls
// it on every load; implementations reuse open stores so that a reload
// does not reconnect or drop the memory store's records.
type StoreOpener func(config.Store) (store.Store, error)

// table is one loaded configuration, compiled for lookups. It is replaced
// whole on reload and never changed in place.
type table struct {
	hash   string
	routes route.Table[*protectedRoute]
	count  int
	// required are the stores that protected requests cannot do without:
	// those of Enforce policies that fail closed.
	required []store.Store
}

// protectedRoute is a route with its policy's settings resolved.
type protectedRoute struct {
	policy      string
	template    string
	enforce     bool
	failOpen    bool
	reject      bool
	required    bool
	ttl         time.Duration
	waitTimeout time.Duration

	keyHeader     string
	bodyField     []string
	bodyFieldName string
	scopeHeaders  []string

	maxRequestBytes  int64
	maxResponseBytes int64
	replayHeaders    map[string]bool

	store   store.Store
	metrics *routeMetrics
}

// safeHeaders are replayed for every route: they describe the stored
// representation and carry no per-response secrets.
var safeHeaders = []string{
	"Content-Type", "Location", "Etag", "Last-Modified", "Link", "Cache-Control", "Content-Encoding",
}

// compile turns the policies of doc that select this pod into a table.
func compile(doc *config.Document, podLabels map[string]string, open StoreOpener, m *Metrics) (*table, error) {
	t := &table{hash: doc.Hash()}
	owners := map[string]string{}
	for i := range doc.Policies {
		p := &doc.Policies[i]
		if podLabels != nil {
			ok, err := p.Selects(podLabels)
			if err != nil {
				return nil, fmt.Errorf("policy %s/%s: selector: %w", p.Namespace, p.Name, err)
			}
			if !ok {
				continue
			}
		}
		name := p.Name
		if p.Namespace != "" {
			name = p.Namespace + "/" + p.Name
		}
		st, err := open(p.Store)
		if err != nil {
			return nil, fmt.Errorf("policy %s: opening store: %w", name, err)
		}
		if p.Mode != v1alpha1.ModeAudit && p.FailureMode != v1alpha1.FailureOpen &&
			!slices.Contains(t.required, st) {
			t.required = append(t.required, st)
		}
		bodyField, err := bodyFieldPath(p.Key.BodyField)
		if err != nil {
			return nil, fmt.Errorf("policy %s: key.bodyField: %w", name, err)
		}
		replay := map[string]bool{}
		for _, h := range safeHeaders {
			replay[http.CanonicalHeaderKey(h)] = true
		}
		for _, h := range p.ReplayHeaders {
			replay[http.CanonicalHeaderKey(h)] = true
		}

		for _, r := range p.Routes {
			tmpl, err := route.Compile(r.Path)
			if err != nil {
				return nil, fmt.Errorf("policy %s: %w", name, err)
			}
			for _, method := range r.Methods {
				id := method + " " + r.Path
				if other, dup := owners[id]; dup {
					return nil, fmt.Errorf("route %s is claimed by policies %s and %s; give the policies disjoint selectors or routes",
						id, other, name)
				}
				owners[id] = name
				t.routes.Add(method, tmpl, &protectedRoute{
					policy:           name,
					template:         r.Path,
					enforce:          p.Mode != v1alpha1.ModeAudit,
					failOpen:         p.FailureMode == v1alpha1.FailureOpen,
					reject:           r.Concurrency == v1alpha1.ConcurrencyReject,
					required:         r.Required,
					ttl:              r.TTL.Duration,
					waitTimeout:      r.WaitTimeout.Duration,
					keyHeader:        p.Key.Header,
					bodyField:        bodyField,
					bodyFieldName:    p.Key.BodyField,
					scopeHeaders:     p.Key.ScopeHeaders,
					maxRequestBytes:  p.MaxRequestBytes,
					maxResponseBytes: p.MaxResponseBytes,
					replayHeaders:    replay,
					store:            st,
					metrics:          m.forRoute(name, id),
				})
				t.count++
			}
		}
	}
	return t, nil
}

func bodyFieldPath(field string) ([]string, error) {
	if field == "" {
		return nil, nil
	}
	return config.ParseBodyField(field)
}
