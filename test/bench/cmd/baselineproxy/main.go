// Command baselineproxy is the yardstick of the proxy benchmarks: Go's
// httputil.ReverseProxy in front of one upstream, as NewSingleHostReverseProxy
// builds it, with the default transport. It adds no logic of its own, so
// the idempotency proxy's passthrough cost can be read against it.
//
//	baselineproxy --listen 127.0.0.1:8081 --upstream http://127.0.0.1:9090
//
// --max-idle-conns-per-host gives it a transport that keeps that many idle
// connections to the upstream instead; the default transport keeps two,
// so under concurrent load it opens and closes a connection for most
// requests.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8081", "address to serve on, host:port")
	upstream := flag.String("upstream", "", "base URL of the application, e.g. http://127.0.0.1:9090 (required)")
	idlePerHost := flag.Int("max-idle-conns-per-host", 0,
		"idle connections kept to the upstream; 0 leaves Go's default transport untouched")
	flag.Parse()

	if err := run(*listen, *upstream, *idlePerHost); err != nil {
		fmt.Fprintln(os.Stderr, "baselineproxy:", err)
		os.Exit(1)
	}
}

func run(listen, upstream string, idlePerHost int) error {
	target, err := url.Parse(upstream)
	if err != nil || target.Host == "" {
		return fmt.Errorf("--upstream %q must be a URL such as http://127.0.0.1:9090", upstream)
	}

	rp := httputil.NewSingleHostReverseProxy(target)
	if idlePerHost > 0 {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns = idlePerHost
		t.MaxIdleConnsPerHost = idlePerHost
		rp.Transport = t
	}

	srv := &http.Server{Addr: listen, Handler: rp, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
