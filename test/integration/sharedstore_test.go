package integration

import (
	"net/http"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/test/redisserver"
	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

// replicas starts the sample app behind two proxies, A and B, that share
// one Redis, as two replicas of a service would.
func replicas(t *testing.T) (app *upstream, a, b string) {
	t.Helper()
	redis := redisserver.Start(t)
	app = startApp(t)
	s := proxySettings{redisURL: redis.URL()}
	return app, startProxy(t, app.url, s), startProxy(t, app.url, s)
}

func TestProxiesSharingRedisActAsOne(t *testing.T) {
	t.Run("a retry on the other proxy is replayed", func(t *testing.T) {
		app, a, b := replicas(t)
		key := newKey()

		first := post(t, a, "/api/pairs/create", `{}`, keyHeader, key)
		retry := post(t, b, "/api/pairs/create", `{}`, keyHeader, key)

		wantStatus(t, first, http.StatusCreated, "")
		wantReplayOf(t, first, retry)
		wantCount(t, app, sampleapp.RoutePairCreate, 1)
	})

	t.Run("a duplicate on the other proxy waits for the running request", func(t *testing.T) {
		app, a, b := replicas(t)
		key := newKey()
		body := `{"matchId":"m1"}`

		done := make(chan response, 1)
		go func() {
			r, err := send(request{method: http.MethodPost, url: a + "/api/match/accept", body: body,
				header: append([]string{keyHeader, key}, slow(300*time.Millisecond)...)})
			if err != nil {
				t.Errorf("the first request failed: %v", err)
			}
			done <- r
		}()
		app.waitForArrivals(t, 1)

		duplicate := post(t, b, "/api/match/accept", body, keyHeader, key)
		first := <-done

		wantStatus(t, first, http.StatusOK, "")
		wantReplayOf(t, first, duplicate)
		if got := duplicate.field(t, "state"); got != sampleapp.MatchMutualReady {
			t.Fatalf("the duplicate got state %s, want %s", got, sampleapp.MatchMutualReady)
		}
		if n := app.arrived.Load(); n != 1 {
			t.Fatalf("%d requests reached the app, want only the first", n)
		}
		wantCount(t, app, sampleapp.RouteMatchAccept, 1)
	})

	t.Run("a key reused on the other proxy for another body is refused", func(t *testing.T) {
		app, a, b := replicas(t)
		key := newKey()

		first := post(t, a, "/api/match/accept", `{"matchId":"m1"}`, keyHeader, key)
		reused := post(t, b, "/api/match/accept", `{"matchId":"m2"}`, keyHeader, key)

		wantStatus(t, first, http.StatusOK, "")
		wantStatus(t, reused, http.StatusUnprocessableEntity, "key-reused")
		if n := app.arrived.Load(); n != 1 {
			t.Fatalf("%d requests reached the app, want only the first", n)
		}
		wantCount(t, app, sampleapp.RouteMatchAccept, 1)
	})
}
