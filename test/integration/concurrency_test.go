package integration

import (
	"net/http"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/test/redisserver"
	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

// deployment is the sample app behind one or more proxies; requests take
// turns among the proxies, as a load balancer spreads them over replicas.
type deployment struct {
	app     *upstream
	proxies []string
}

// deploymentCase names a way to deploy the proxy and starts it.
type deploymentCase struct {
	name  string
	start func(t *testing.T) deployment
}

// deployments returns the three ways the proxy is deployed: one proxy with
// the memory store, one with Redis, and two replicas in front of the same
// app sharing one Redis.
func deployments(t *testing.T) []deploymentCase {
	redis := redisserver.Start(t)
	return []deploymentCase{
		{"memory", func(t *testing.T) deployment {
			app := startApp(t)
			return deployment{app, []string{startProxy(t, app.url, proxySettings{})}}
		}},
		{"redis", func(t *testing.T) deployment {
			app := startApp(t)
			return deployment{app, []string{startProxy(t, app.url, proxySettings{redisURL: redis.URL()})}}
		}},
		{"two proxies sharing redis", func(t *testing.T) deployment {
			app := startApp(t)
			s := proxySettings{redisURL: redis.URL()}
			return deployment{app, []string{startProxy(t, app.url, s), startProxy(t, app.url, s)}}
		}},
	}
}

// createPair is a request for a new pair with key, through the i-th
// request's proxy; the app takes 100ms over it, so that its duplicates
// arrive while it runs.
func (d deployment) createPair(i int, key string) request {
	return request{
		method: http.MethodPost,
		url:    d.proxies[i%len(d.proxies)] + "/api/pairs/create",
		body:   `{}`,
		header: append([]string{keyHeader, key}, slow(100*time.Millisecond)...),
	}
}

// wantOneExecution fails the test unless rs are all one successful
// response: the same status and body, and exactly one of them not a
// replay.
func wantOneExecution(t *testing.T, rs []response) {
	t.Helper()
	executed := 0
	for _, r := range rs {
		if r.status < 200 || r.status > 299 {
			t.Fatalf("a duplicate got %d %s, want the 2xx of the one execution", r.status, r.body)
		}
		if r.status != rs[0].status || r.body != rs[0].body {
			t.Fatalf("duplicates got different responses: %d %s and %d %s",
				rs[0].status, rs[0].body, r.status, r.body)
		}
		if !r.replayed() {
			executed++
		}
	}
	if executed != 1 {
		t.Fatalf("%d of %d duplicates were answered without the replay header, want exactly 1",
			executed, len(rs))
	}
}

func TestConcurrentDuplicatesRunOnce(t *testing.T) {
	const duplicates = 50
	for _, dep := range deployments(t) {
		t.Run(dep.name, func(t *testing.T) {
			d := dep.start(t)
			key := newKey()
			reqs := make([]request, duplicates)
			for i := range reqs {
				reqs[i] = d.createPair(i, key)
			}

			rs := burst(t, reqs)

			wantOneExecution(t, rs)
			wantCount(t, d.app, sampleapp.RoutePairCreate, 1)
		})
	}
}

func TestConcurrentKeysEachRunOnce(t *testing.T) {
	const keys, duplicates = 20, 10
	for _, dep := range deployments(t) {
		t.Run(dep.name, func(t *testing.T) {
			d := dep.start(t)
			keyOf := make([]string, keys)
			for k := range keyOf {
				keyOf[k] = newKey()
			}
			// The duplicates of each key are spread through the burst.
			reqs := make([]request, keys*duplicates)
			for i := range reqs {
				reqs[i] = d.createPair(i/keys, keyOf[i%keys])
			}

			rs := burst(t, reqs)

			pairs := map[string]string{}
			for k, key := range keyOf {
				var ofKey []response
				for i := k; i < len(rs); i += keys {
					ofKey = append(ofKey, rs[i])
				}
				wantOneExecution(t, ofKey)
				pair := ofKey[0].field(t, "pairId")
				if other, dup := pairs[pair]; dup {
					t.Fatalf("keys %s and %s got the same pair %s", other, key, pair)
				}
				pairs[pair] = key
			}
			wantCount(t, d.app, sampleapp.RoutePairCreate, keys)
		})
	}
}
