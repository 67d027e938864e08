package integration

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/test/redisserver"
	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

// TestClaimOfADeadProxyExpiresWithItsLease kills a proxy while it holds the
// claim of a running request. Its lease is no longer renewed, so the claim
// must expire within about the lease: a retry on another proxy then runs
// instead of being held up for the wait timeout or refused for the ttl.
//
// The app may or may not run the first request, depending on whether it
// notices the proxy's connection drop before it executes; the request is
// then run at least once, which is all the proxy can promise when it dies
// holding a claim.
func TestClaimOfADeadProxyExpiresWithItsLease(t *testing.T) {
	const lease = 300 * time.Millisecond
	bin := buildProxy(t)
	redis := redisserver.Start(t)
	app := startApp(t)
	policy, err := filepath.Abs(redisPolicy)
	if err != nil {
		t.Fatal(err)
	}
	a := startProxyProcess(t, bin, "--upstream", app.url, "--policy", policy,
		"--store", redis.URL(), "--lease", lease.String())
	b := startProxy(t, app.url, proxySettings{redisURL: redis.URL(), lease: lease})
	key := newKey()

	// Proxy A claims the key and forwards the request; the app takes 2s.
	answered := make(chan error, 1)
	go func() {
		_, err := send(request{method: http.MethodPost, url: a.url + "/api/pairs/create", body: `{}`,
			header: append([]string{keyHeader, key}, slow(2*time.Second)...)})
		answered <- err
	}()
	app.waitForArrivals(t, 1)
	a.kill(t)
	if err := <-answered; err == nil {
		t.Fatal("the client got an answer from a proxy that died before the app answered")
	}

	retry, took := timedPost(t, b, "/api/pairs/create", `{}`, keyHeader, key)

	wantStatus(t, retry, http.StatusCreated, "")
	if retry.replayed() {
		t.Fatalf("the retry was replayed, want it executed: %s", retry.body)
	}
	// The bound leaves room for a slow machine; a claim that outlived its
	// lease would hold the retry for the 30s wait timeout instead.
	if limit := 10 * lease; took > limit {
		t.Fatalf("the retry took %v, want the dead proxy's claim gone within about the %v lease",
			took, lease)
	}
	if n := app.app.Count(sampleapp.RoutePairCreate); n < 1 || n > 2 {
		t.Fatalf("the app created %d pairs, want the retry's and at most the first request's", n)
	}

	// The key is settled again: the next retry is a replay.
	again := post(t, b, "/api/pairs/create", `{}`, keyHeader, key)
	wantReplayOf(t, retry, again)
}
