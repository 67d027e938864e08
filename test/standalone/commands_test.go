package standalone

import (
	"bufio"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// proxyProcess is a running idempotency-proxy.
type proxyProcess struct {
	*process
	// url is the base URL of the traffic listener.
	url string
	// admin is the base URL of the admin listener.
	admin string
}

// startProxy runs idempotency-proxy with args after defaults that suit a
// test: both listeners on free loopback ports and a fast reload interval.
// A flag given in args overrides its default. It returns once the proxy
// listens; it does not wait for readiness.
func startProxy(t *testing.T, args ...string) *proxyProcess {
	t.Helper()
	defaults := []string{
		"--listen", "127.0.0.1:0",
		"--admin-listen", "127.0.0.1:0",
		"--reload-interval", "50ms",
	}
	p := start(t, "idempotency-proxy", binaries.proxy, append(defaults, args...)...)

	// The proxy opens the traffic listener first, then the admin one, and
	// logs the address of each as it does.
	var addrs []string
	eventually(t, startTimeout, "idempotency-proxy listens", func() (bool, string) {
		p.failIfExited()
		addrs = servingAddresses(p.log.String())
		return len(addrs) >= 2, "listening on " + strings.Join(addrs, ", ")
	})
	return &proxyProcess{process: p, url: "http://" + addrs[0], admin: "http://" + addrs[1]}
}

// servingAddresses returns the addresses of the proxy's "Serving" log
// lines, in order. Lines that are not JSON are skipped.
func servingAddresses(log string) []string {
	var addrs []string
	sc := bufio.NewScanner(strings.NewReader(log))
	for sc.Scan() {
		var line struct {
			Msg     string `json:"msg"`
			Address string `json:"address"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "Serving" {
			addrs = append(addrs, line.Address)
		}
	}
	return addrs
}

// waitReady waits until GET /readyz answers 200.
func (p *proxyProcess) waitReady() {
	p.t.Helper()
	eventually(p.t, startTimeout, "idempotency-proxy is ready", func() (bool, string) {
		p.failIfExited()
		r := get(p.t, p.admin+"/readyz")
		return r.status == http.StatusOK, r.String()
	})
}

// configStatus is the body of the admin endpoint GET /config.
type configStatus struct {
	APIVersion string   `json:"apiVersion"`
	Version    string   `json:"version"`
	Hash       string   `json:"hash"`
	Policies   []string `json:"policies"`
	LastError  string   `json:"lastError"`
}

// config reads GET /config.
func (p *proxyProcess) config() configStatus {
	p.t.Helper()
	r := get(p.t, p.admin+"/config")
	if r.status != http.StatusOK {
		p.t.Fatalf("GET /config: %s", r)
	}
	var c configStatus
	if err := json.Unmarshal([]byte(r.body), &c); err != nil {
		p.t.Fatalf("GET /config: %v in %s", err, r.body)
	}
	return c
}

// waitForConfig polls GET /config until done accepts it, and returns it.
func (p *proxyProcess) waitForConfig(what string, done func(configStatus) bool) configStatus {
	p.t.Helper()
	var c configStatus
	eventually(p.t, startTimeout, what, func() (bool, string) {
		c = p.config()
		return done(c), "hash " + c.Hash + ", lastError " + c.LastError
	})
	return c
}

// metrics reads GET /metrics.
func (p *proxyProcess) metrics() string {
	p.t.Helper()
	r := get(p.t, p.admin+"/metrics")
	if r.status != http.StatusOK {
		p.t.Fatalf("GET /metrics: %s", r)
	}
	return r.body
}

// sampleApp is a running sample-app.
type sampleApp struct {
	*process
	url string
}

var sampleAppAddress = regexp.MustCompile(`msg="Serving sample app" address=(\S+)`)

// startSampleApp runs sample-app on a free loopback port and returns once
// it listens.
func startSampleApp(t *testing.T) *sampleApp {
	t.Helper()
	p := start(t, "sample-app", binaries.sampleApp, "--listen", "127.0.0.1:0")
	var addr string
	eventually(t, startTimeout, "sample-app listens", func() (bool, string) {
		p.failIfExited()
		if m := sampleAppAddress.FindStringSubmatch(p.log.String()); m != nil {
			addr = m[1]
		}
		return addr != "", "no address logged yet"
	})
	return &sampleApp{process: p, url: "http://" + addr}
}

// effects are the side effects the sample app counted.
type effects struct {
	Total   int            `json:"total"`
	ByRoute map[string]int `json:"byRoute"`
}

// effects reads GET /_effects.
func (a *sampleApp) effects() effects {
	a.t.Helper()
	r := get(a.t, a.url+"/_effects")
	var e effects
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &e) != nil {
		a.t.Fatalf("GET /_effects: %s", r)
	}
	return e
}

// wantEffects fails the test unless the app counted want side effects on
// route (a route name such as pairs.create).
func (a *sampleApp) wantEffects(route string, want int) {
	a.t.Helper()
	if got := a.effects().ByRoute[route]; got != want {
		a.t.Errorf("the app ran %s %d times, want %d", route, got, want)
	}
}
