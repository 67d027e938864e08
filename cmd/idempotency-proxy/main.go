// Command idempotency-proxy is the idempotency sidecar: a reverse proxy
// that makes the mutations on the routes its policies protect idempotent.
// It runs as a sidecar injected by the operator, or standalone:
//
//	idempotency-proxy --listen :8080 --upstream http://127.0.0.1:9090 \
//	    --policy config/samples/idempotency_v1alpha1_idempotencypolicy.yaml
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/idempotency-operator/idempotency-operator/proxy"
	"github.com/idempotency-operator/idempotency-operator/proxy/admin"
	"github.com/idempotency-operator/idempotency-operator/proxy/config"
	"github.com/idempotency-operator/idempotency-operator/proxy/reload"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/memory"
	"github.com/idempotency-operator/idempotency-operator/proxy/stores"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type policyPaths []string

func (p *policyPaths) String() string     { return strings.Join(*p, ",") }
func (p *policyPaths) Set(v string) error { *p = append(*p, v); return nil }

type options struct {
	listen, adminListen, upstream, store, podLabels, logLevel string
	policies                                                  policyPaths
	allowEmpty                                                bool
	lease, upstreamTimeout, shutdownTimeout, reloadInterval   time.Duration
	memoryMaxBytes                                            int64
}

func main() {
	var o options
	flag.StringVar(&o.listen, "listen", ":8080", "address the proxy serves traffic on")
	flag.StringVar(&o.upstream, "upstream", "", "base URL of the application, e.g. http://127.0.0.1:9090 (required)")
	flag.Var(&o.policies, "policy", "IdempotencyPolicy manifests or a rendered ProxyConfig: a file, a multi-document file or a directory (repeatable, required)")
	flag.StringVar(&o.store, "store", "", "override every policy's store: memory, or a Redis URL such as redis://HOST:PORT/DB")
	flag.StringVar(&o.adminListen, "admin-listen", "127.0.0.1:9901", "address of /healthz, /readyz, /metrics and /config; empty disables it")
	flag.BoolVar(&o.allowEmpty, "allow-no-policies", false, "start and stay up when the policy paths are missing or hold no policy, passing every request through until one appears (the sidecar's mode)")
	flag.StringVar(&o.podLabels, "pod-labels", "", "downward API file with the pod's labels; policies whose selector does not match are ignored")
	flag.DurationVar(&o.lease, "lease", 10*time.Second, "how long a claim outlives a proxy that died holding it")
	flag.DurationVar(&o.upstreamTimeout, "upstream-timeout", 30*time.Second, "limit on a protected request's call to the application")
	flag.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long SIGTERM waits for in-flight requests; keep it at or above --upstream-timeout")
	flag.DurationVar(&o.reloadInterval, "reload-interval", time.Second, "how often the policy files are checked for changes")
	flag.Int64Var(&o.memoryMaxBytes, "memory-max-bytes", 64<<20, "size bound of the embedded memory store")
	flag.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	flag.Parse()

	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "idempotency-proxy:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	if o.upstream == "" || len(o.policies) == 0 {
		flag.Usage()
		return errors.New("--upstream and at least one --policy are required")
	}
	upstream, err := url.Parse(o.upstream)
	if err != nil || upstream.Host == "" || (upstream.Scheme != "http" && upstream.Scheme != "https") {
		return fmt.Errorf("--upstream %q must be an http:// or https:// URL", o.upstream)
	}

	tuneGC(o.memoryMaxBytes, log)
	stores.LogRedisTo(log)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	opener := stores.New(stores.Options{
		Override: o.store,
		Memory:   memory.Options{MaxBytes: o.memoryMaxBytes},
	})
	defer opener.Close()

	metrics := proxy.NewMetrics(reg)
	px, err := proxy.New(proxy.Options{
		Upstream:        upstream,
		OpenStore:       opener.Open,
		Lease:           o.lease,
		UpstreamTimeout: o.upstreamTimeout,
		Metrics:         metrics,
		Logger:          log,
	})
	if err != nil {
		return err
	}
	load := px.Load
	if o.podLabels != "" {
		// Policies select pods by label, and labels change while a pod
		// runs: read them again with every configuration load.
		load = func(doc *config.Document) error {
			labels, err := config.ReadPodLabels(o.podLabels)
			if err != nil {
				return err
			}
			return px.LoadForPod(doc, labels)
		}
	}
	watcher := reload.New(o.policies, load, o.reloadInterval, log)
	watcher.AllowEmpty = o.allowEmpty
	if o.podLabels != "" {
		watcher.Also = []string{o.podLabels}
	}
	watcher.OnError = func(error) { metrics.ConfigFailed() }
	if err := watcher.LoadNow(); err != nil {
		return fmt.Errorf("loading policies: %w", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go watcher.Run(ctx)

	servers := []*http.Server{{
		Addr:              o.listen,
		Handler:           px,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}}
	if o.adminListen != "" {
		servers = append(servers, &http.Server{
			Addr: o.adminListen,
			Handler: admin.NewHandler(admin.Options{
				Status:   watcher.Status,
				Ready:    admin.ReadyOnce(func(ctx context.Context) error { return stores.Ping(ctx, px.RequiredStores()) }),
				Gatherer: reg,
				Version:  version,
			}),
			ReadHeaderTimeout: 5 * time.Second,
		})
	}
	return serve(ctx, servers, o.shutdownTimeout, log)
}

// serve runs the servers until ctx is done, then drains them: listeners
// close at once, in-flight requests get up to timeout to finish.
func serve(ctx context.Context, servers []*http.Server, timeout time.Duration, log *slog.Logger) error {
	errc := make(chan error, len(servers))
	for _, s := range servers {
		ln, err := net.Listen("tcp", s.Addr)
		if err != nil {
			return err
		}
		log.Info("Serving", "address", ln.Addr().String())
		go func() {
			if err := s.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("Draining in-flight requests", "timeout", timeout)
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var errs []error
	for _, s := range servers {
		errs = append(errs, s.Shutdown(sctx))
	}
	log.Info("Stopped")
	return errors.Join(errs...)
}
