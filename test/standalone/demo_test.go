package standalone

import (
	"net/http"
	"testing"
)

// startDemo runs the standalone set-up of the demo: the sample app behind
// the proxy with the shipped memory-store sample policy. It returns once
// the proxy is ready.
func startDemo(t *testing.T, extraArgs ...string) (*sampleApp, *proxyProcess) {
	t.Helper()
	app := startSampleApp(t)
	args := append([]string{"--upstream", app.url, "--policy", samplePolicy}, extraArgs...)
	px := startProxy(t, args...)
	px.waitReady()
	return app, px
}

func TestRetriedPairCreationIsReplayedAndCreatesOnePair(t *testing.T) {
	t.Parallel()
	app, px := startDemo(t)

	first := post(t, px.url+pairCreate, "demo-1", "{}")
	retry := post(t, px.url+pairCreate, "demo-1", "{}")

	if first.status != http.StatusCreated {
		t.Fatalf("POST %s = %s, want 201", pairCreate, first)
	}
	wantReplay(t, first, retry)
	if got, want := retry.header.Get("Location"), first.header.Get("Location"); got != want {
		t.Errorf("the replay's Location is %q, want the original %q", got, want)
	}
	if total := app.effects().Total; total != 1 {
		t.Errorf("the app recorded %d side effects, want 1", total)
	}
}

func TestDoubleClickedMatchAcceptRunsOnceAndAReusedKeyIsRefused(t *testing.T) {
	t.Parallel()
	app, px := startDemo(t)

	first := post(t, px.url+matchAccept, "demo-2", `{"matchId":"m-42"}`)
	second := post(t, px.url+matchAccept, "demo-2", `{"matchId":"m-42"}`)
	otherMatch := post(t, px.url+matchAccept, "demo-2", `{"matchId":"m-43"}`)

	if first.status != http.StatusOK {
		t.Fatalf("POST %s = %s, want 200", matchAccept, first)
	}
	wantReplay(t, first, second)
	if otherMatch.status != http.StatusUnprocessableEntity ||
		otherMatch.problemType() != "key-reused" {
		t.Errorf("the key reused for another match = %s, want 422 key-reused", otherMatch)
	}
	app.wantEffects(matchAcceptRoute, 1)
}
