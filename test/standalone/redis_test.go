package standalone

import (
	"net/http"
	"strings"
	"testing"

	"github.com/idempotency-operator/idempotency-operator/test/redisserver"
)

// startSharedStore runs a redis-server, the sample app, and two proxies in
// front of the app that share the Redis through --store, as two replicas
// of one pod would.
func startSharedStore(t *testing.T) (
	redis *redisserver.Server, app *sampleApp, first, second *proxyProcess,
) {
	t.Helper()
	redis = redisserver.Start(t)
	app = startSampleApp(t)
	args := []string{"--upstream", app.url, "--policy", samplePolicy, "--store", redis.URL()}
	first, second = startProxy(t, args...), startProxy(t, args...)
	first.waitReady()
	second.waitReady()
	return redis, app, first, second
}

func TestRetryOnAnotherProxySharingTheRedisStoreIsReplayed(t *testing.T) {
	t.Parallel()
	_, app, first, second := startSharedStore(t)

	created := post(t, first.url+pairCreate, "pair-1", "{}")
	retried := post(t, second.url+pairCreate, "pair-1", "{}")

	if created.status != http.StatusCreated {
		t.Fatalf("POST %s through the first proxy = %s, want 201", pairCreate, created)
	}
	wantReplay(t, created, retried)
	app.wantEffects(pairCreateRoute, 1)
}

func TestRetryOnAnotherProxyWaitsForTheRunningRequestAndGetsItsResponse(t *testing.T) {
	t.Parallel()
	redis, app, first, second := startSharedStore(t)

	slow := sendInBackground(t, first.url+pairCreate, "pair-1", "X-Sample-Delay", "1s")
	eventually(t, startTimeout, "the first proxy claims the key in Redis", func() (bool, string) {
		keys, err := redisserver.Do(redis.Addr(), "DBSIZE")
		return err == nil && keys != "0", "DBSIZE " + keys
	})
	retried := post(t, second.url+pairCreate, "pair-1", "{}", "X-Sample-Delay", "1s")
	created := slow.wait(t)

	if created.err != nil || created.response.status != http.StatusCreated {
		t.Fatalf("the first request got %v %v, want 201", created.response, created.err)
	}
	wantReplay(t, created.response, retried)
	wantMetric(t, second.metrics(), 1, "idempotency_store_duration_seconds_count", "op", "wait")
	app.wantEffects(pairCreateRoute, 1)
}

func TestProxyWithAnUnreachableRedisIsNotReadyAndFailsClosedUntilRedisAnswers(t *testing.T) {
	t.Parallel()
	redis := redisserver.Start(t)
	redis.Stop()
	app := startSampleApp(t)
	px := startProxy(t, "--upstream", app.url, "--policy", sampleRedisPolicy, "--store", redis.URL())

	health := get(t, px.admin+"/healthz")
	ready := get(t, px.admin+"/readyz")
	protected := post(t, px.url+pairCreate, "pair-1", "{}")
	unprotected := get(t, px.url+"/api/activities/a1")

	if health.status != http.StatusOK {
		t.Errorf("GET /healthz = %s, want 200: the process is alive", health)
	}
	if ready.status != http.StatusServiceUnavailable ||
		!strings.Contains(ready.body, "not ready: store unreachable") ||
		!strings.Contains(ready.body, "connection refused") {
		t.Errorf("GET /readyz = %s, want 503 saying the store is unreachable and why", ready)
	}
	if protected.status != http.StatusServiceUnavailable ||
		protected.problemType() != "store-unavailable" {
		t.Errorf("protected POST = %s, want 503 store-unavailable (failureMode Closed)", protected)
	}
	if unprotected.status != http.StatusOK {
		t.Errorf("unprotected GET = %s, want 200 from the app", unprotected)
	}
	app.wantEffects(pairCreateRoute, 0)

	redis.Restart()
	px.waitReady()

	created := post(t, px.url+pairCreate, "pair-1", "{}")
	wantReplay(t, created, post(t, px.url+pairCreate, "pair-1", "{}"))
	app.wantEffects(pairCreateRoute, 1)
}

func TestProxyWhosePoliciesFailOpenIsReadyWithoutRedis(t *testing.T) {
	t.Parallel()
	redis := redisserver.Start(t)
	redis.Stop()
	app := startSampleApp(t)
	open := strings.Replace(policy{name: "open", paths: []string{pairCreate}}.String(),
		"spec:\n", "spec:\n  failureMode: Open\n  store: {type: Redis, url: '"+redis.URL()+"'}\n", 1)
	px := startProxy(t, "--upstream", app.url, "--policy", writeFile(t, t.TempDir(), "open.yaml", open))

	if ready := get(t, px.admin+"/readyz"); ready.status != http.StatusOK {
		t.Errorf("GET /readyz = %s, want 200: a fail-open policy forwards without its store", ready)
	}
	first := post(t, px.url+pairCreate, "pair-1", "{}")
	retry := post(t, px.url+pairCreate, "pair-1", "{}")
	if first.status != http.StatusCreated || retry.status != http.StatusCreated {
		t.Fatalf("POSTs with Redis down = %s, %s; want both forwarded (failureMode Open)", first, retry)
	}
	app.wantEffects(pairCreateRoute, 2)
}
