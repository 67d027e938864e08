package integration

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/test/redisserver"
	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

// promptly bounds how long a request may take when Redis is unreachable:
// the failure mode must answer, not a hanging connection.
const promptly = 3 * time.Second

// wantProtected sends a pair request with a new key twice through px and
// fails the test unless the app ran it once and the second answer is a
// replay of the first.
func wantProtected(t *testing.T, app *upstream, px string) {
	t.Helper()
	before := app.app.Count(sampleapp.RoutePairCreate)
	key := newKey()
	first := post(t, px, "/api/pairs/create", `{}`, keyHeader, key)
	retry := post(t, px, "/api/pairs/create", `{}`, keyHeader, key)
	wantStatus(t, first, http.StatusCreated, "")
	wantReplayOf(t, first, retry)
	wantCount(t, app, sampleapp.RoutePairCreate, before+1)
}

func TestRedisOutageUnderFailureModeClosed(t *testing.T) {
	redis := redisserver.Start(t)
	app := startApp(t)
	px := startProxy(t, app.url, proxySettings{redisURL: redis.URL()})
	wantProtected(t, app, px)
	arrived := app.arrived.Load()

	redis.Stop()
	key := newKey()
	refused, took := timedPost(t, px, "/api/pairs/create", `{}`, keyHeader, key)

	wantStatus(t, refused, http.StatusServiceUnavailable, "store-unavailable")
	if refused.header.Get("Retry-After") == "" {
		t.Error("the 503 does not say when to retry: no Retry-After")
	}
	if took > promptly {
		t.Errorf("the refusal took %v, want under %v", took, promptly)
	}
	if n := app.arrived.Load(); n != arrived {
		t.Fatalf("%d requests reached the app while Redis was down, want none", n-arrived)
	}

	// The same proxy protects again once Redis is back. The server comes
	// back empty, and the refused request never ran: its retry runs once.
	redis.Restart()
	retry := post(t, px, "/api/pairs/create", `{}`, keyHeader, key)
	again := post(t, px, "/api/pairs/create", `{}`, keyHeader, key)
	wantStatus(t, retry, http.StatusCreated, "")
	wantReplayOf(t, retry, again)
	wantCount(t, app, sampleapp.RoutePairCreate, 2)
	wantProtected(t, app, px)
}

func TestRedisOutageUnderFailureModeOpen(t *testing.T) {
	redis := redisserver.Start(t)
	app := startApp(t)
	px := startProxy(t, app.url, proxySettings{redisURL: redis.URL(), failOpen: true})
	wantProtected(t, app, px)

	// While Redis is down, requests run unprotected: each one reaches the
	// app, and none is a replay.
	redis.Stop()
	key := newKey()
	before := app.app.Count(sampleapp.RoutePairCreate)
	for i := 1; i <= 2; i++ {
		r, took := timedPost(t, px, "/api/pairs/create", `{}`, keyHeader, key)
		wantStatus(t, r, http.StatusCreated, "")
		if r.replayed() {
			t.Fatalf("a request was replayed while Redis was down: %s", r.body)
		}
		if took > promptly {
			t.Errorf("forwarding took %v, want under %v", took, promptly)
		}
		wantCount(t, app, sampleapp.RoutePairCreate, before+int64(i))
	}

	redis.Restart()
	wantProtected(t, app, px)
}

func TestUnreachableRedisIsAnsweredPromptly(t *testing.T) {
	cases := []struct {
		name string
		// redisURL makes a Redis unreachable and returns its URL.
		redisURL func(t *testing.T) string
	}{{
		name: "stopped server",
		redisURL: func(t *testing.T) string {
			redis := redisserver.Start(t)
			redis.Stop()
			return redis.URL()
		},
	}, {
		// A server that accepts connections and commands but answers
		// none of them, as a hung Redis does.
		name: "paused server",
		redisURL: func(t *testing.T) string {
			redis := redisserver.Start(t)
			if _, err := redisserver.Do(redis.Addr(), "CLIENT", "PAUSE", "5000", "ALL"); err != nil {
				t.Fatalf("pausing redis-server: %v", err)
			}
			return redis.URL()
		},
	}, {
		// A socket path where no server ever listened.
		name: "no server ever",
		redisURL: func(t *testing.T) string {
			return "unix://" + filepath.Join(t.TempDir(), "redis.sock")
		},
	}}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := startApp(t)
			px := startProxy(t, app.url, proxySettings{redisURL: tc.redisURL(t)})

			r, took := timedPost(t, px, "/api/match/accept", `{"matchId":"m1"}`, keyHeader, newKey())

			wantStatus(t, r, http.StatusServiceUnavailable, "store-unavailable")
			if took > promptly {
				t.Errorf("the refusal took %v, want under %v", took, promptly)
			}
			if n := app.arrived.Load(); n != 0 {
				t.Fatalf("%d requests reached the app, want none", n)
			}
		})
	}
}
