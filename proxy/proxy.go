package proxy

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/idempotency-operator/idempotency-operator/proxy/config"
	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// Options configure a Proxy.
type Options struct {
	// Upstream is the application's base URL, e.g. http://127.0.0.1:8080.
	Upstream *url.URL
	// OpenStore opens the store of a policy. Required.
	OpenStore StoreOpener
	// PodLabels are the labels of the pod the proxy runs in. Policies whose
	// selector does not match them are ignored. Nil means no pod: every
	// policy applies, as when running standalone.
	PodLabels map[string]string
	// Transport reaches the application. Nil means a transport tuned for a
	// sidecar: many idle connections to one host, no compression, and no
	// silent re-sending of requests (see newTransport).
	Transport http.RoundTripper
	// Lease is how long a claim lasts without renewal. While a request runs
	// the proxy renews it every third of the lease, so a short lease only
	// bounds how long a key stays blocked after a proxy dies. Default 10s.
	Lease time.Duration
	// UpstreamTimeout bounds a protected request's call to the application.
	// Default 30s.
	UpstreamTimeout time.Duration
	// Metrics records what the proxy does. Nil registers new collectors
	// with a private registry.
	Metrics *Metrics
	// Logger receives operator logs. Keys and bodies are never logged.
	Logger *slog.Logger
}

// Proxy is the idempotency proxy's http.Handler.
type Proxy struct {
	opts        Options
	transport   http.RoundTripper
	passthrough *httputil.ReverseProxy
	metrics     *Metrics
	log         *slog.Logger

	table     atomic.Pointer[table]
	loadMu    sync.Mutex
	podLabels map[string]string
}

// New returns a Proxy with no configuration loaded: until Load succeeds,
// every request is streamed through unprotected.
func New(opts Options) (*Proxy, error) {
	if opts.Upstream == nil || opts.Upstream.Host == "" {
		return nil, errors.New("upstream URL with a host is required")
	}
	if opts.OpenStore == nil {
		return nil, errors.New("a store opener is required")
	}
	if opts.Lease <= 0 {
		opts.Lease = 10 * time.Second
	}
	if opts.UpstreamTimeout <= 0 {
		opts.UpstreamTimeout = 30 * time.Second
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(prometheus.NewRegistry())
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	p := &Proxy{opts: opts, transport: opts.Transport, metrics: opts.Metrics, log: opts.Logger,
		podLabels: opts.PodLabels}
	if p.transport == nil {
		p.transport = newTransport()
	}
	p.transport = sendOnce{next: p.transport}
	upstream := opts.Upstream
	p.passthrough = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(upstream)
			// The application sees the Host the client asked for, as it
			// would without a sidecar in front of it.
			r.Out.Host = r.In.Host
			setForwarded(r.Out.Header, r.In)
		},
		Transport:  p.transport,
		BufferPool: bufferPool{},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			p.log.Warn("Forwarding to the application failed", "method", r.Method, "error", err)
			writeProblem(w, problemUpstreamUnavailable, "the application could not be reached")
		},
	}
	return p, nil
}

// Load compiles doc and makes it the active configuration. On error the
// previous configuration stays active.
func (p *Proxy) Load(doc *config.Document) error {
	p.loadMu.Lock()
	defer p.loadMu.Unlock()
	t, err := compile(doc, p.podLabels, p.opts.OpenStore, p.metrics)
	if err != nil {
		return fmt.Errorf("loading configuration: %w", err)
	}
	p.table.Store(t)
	p.metrics.ConfigLoaded(t.hash)
	p.log.Info("Loaded configuration", "hash", t.hash, "policies", len(doc.Policies), "routes", t.count)
	return nil
}

// LoadForPod is Load for a pod whose labels may have changed since the
// last load: policies are selected by podLabels from now on.
func (p *Proxy) LoadForPod(doc *config.Document, podLabels map[string]string) error {
	p.loadMu.Lock()
	prev := p.podLabels
	p.podLabels = podLabels
	p.loadMu.Unlock()
	if err := p.Load(doc); err != nil {
		p.loadMu.Lock()
		p.podLabels = prev
		p.loadMu.Unlock()
		return err
	}
	return nil
}

// RequiredStores returns the stores of the active configuration that
// protected requests cannot do without: those of Enforce policies whose
// failureMode is Closed. A proxy is ready to serve once these answer;
// policies that fail open, or only audit, do not hold it back.
func (p *Proxy) RequiredStores() []store.Store {
	if t := p.table.Load(); t != nil {
		return t.required
	}
	return nil
}

// LoadedHash returns the hash of the active configuration, or "" before
// the first successful Load.
func (p *Proxy) LoadedHash() string {
	if t := p.table.Load(); t != nil {
		return t.hash
	}
	return ""
}

// ServeHTTP protects the request if it matches a protected route and
// streams it through untouched otherwise.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if t := p.table.Load(); t != nil {
		if rt, ok := t.routes.Lookup(r.Method, r.URL.Path); ok {
			p.protect(w, r, rt)
			return
		}
	}
	p.passthrough.ServeHTTP(w, r)
}

// newTransport returns the transport to the application. It keeps enough
// idle connections for a busy sidecar (the default of two per host makes a
// proxy under load open and close a connection per request), leaves
// compression to the client and the application, and uses HTTP/1.1 only,
// as applications behind a sidecar speak it.
func newTransport() *http.Transport {
	return &http.Transport{
		Proxy: nil,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   1024,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
	}
}

// bufferPool lends copy buffers to the pass-through proxy.
type bufferPool struct{}

var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (bufferPool) Get() []byte  { return *(copyBuffers.Get().(*[]byte)) }
func (bufferPool) Put(b []byte) { copyBuffers.Put(&b) }
