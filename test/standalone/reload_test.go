package standalone

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// startWithPolicyFile writes content to a policy file, runs the sample app
// and a ready proxy that reads that file, and returns the file's path.
func startWithPolicyFile(t *testing.T, content string) (*sampleApp, *proxyProcess, string) {
	t.Helper()
	path := writeFile(t, t.TempDir(), "policy.yaml", content)
	app := startSampleApp(t)
	px := startProxy(t, "--upstream", app.url, "--policy", path)
	px.waitReady()
	return app, px, path
}

func TestEditedPolicyFileProtectsTheAddedRouteWithoutARestart(t *testing.T) {
	t.Parallel()
	app, px, path := startWithPolicyFile(t, policy{name: "shop", paths: []string{pairCreate}}.String())
	before := px.config().Hash

	accept := px.url + "/api/activities/a1/accept"
	wantExecutedTwice(t, post(t, accept, "accept-1", ""), post(t, accept, "accept-1", ""))
	pair := post(t, px.url+pairCreate, "pair-1", "")

	replaceFile(t, path, policy{name: "shop", paths: []string{pairCreate, activityAccept}}.String())
	px.waitForConfig("the edited policy is loaded", func(c configStatus) bool {
		return c.Hash != before
	})

	accept = px.url + "/api/activities/a2/accept"
	wantReplay(t, post(t, accept, "accept-2", ""), post(t, accept, "accept-2", ""))
	app.wantEffects(acceptRoute, 3)

	// A reload keeps the store: a response recorded before it is replayed.
	wantReplay(t, pair, post(t, px.url+pairCreate, "pair-1", ""))
	app.wantEffects(pairCreateRoute, 1)
}

func TestInvalidPolicyEditKeepsTheLastGoodConfigurationUntilFixed(t *testing.T) {
	t.Parallel()
	app, px, path := startWithPolicyFile(t, policy{name: "shop", paths: []string{pairCreate}}.String())
	good := px.config().Hash

	invalid := []struct {
		name    string
		content string
		// why is what lastError on /config must say.
		why string
	}{{
		name:    "a ttl out of range",
		content: policy{name: "shop", paths: []string{pairCreate}, ttl: "0s"}.String(),
		why:     "ttl 0s must be between 1s and 720h",
	}, {
		name:    "broken YAML",
		content: "apiVersion: idempotency.io/v1alpha1\nkind: IdempotencyPolicy\nmetadata: [\n",
		why:     "policy.yaml: document 1",
	}}
	for i, edit := range invalid {
		replaceFile(t, path, edit.content)
		c := px.waitForConfig("/config reports "+edit.name, func(c configStatus) bool {
			return strings.Contains(c.LastError, edit.why)
		})

		if c.Hash != good {
			t.Errorf("after %s the hash changed from %s to %s", edit.name, good, c.Hash)
		}
		key := fmt.Sprintf("pair-%d", i)
		wantReplay(t, post(t, px.url+pairCreate, key, ""), post(t, px.url+pairCreate, key, ""))
	}
	px.waitForLog("Keeping the last good configuration: the policy files are invalid")
	app.wantEffects(pairCreateRoute, len(invalid))

	replaceFile(t, path, policy{name: "shop", paths: []string{pairCreate, activityAccept}}.String())
	fixed := px.waitForConfig("the fixed policy is loaded", func(c configStatus) bool {
		return c.Hash != good
	})

	if fixed.LastError != "" {
		t.Errorf("/config still reports %q after the fix", fixed.LastError)
	}
	accept := px.url + "/api/activities/a1/accept"
	wantReplay(t, post(t, accept, "accept-1", ""), post(t, accept, "accept-1", ""))
	app.wantEffects(acceptRoute, 1)
}

func TestMultiDocumentPolicyFileProtectsTheRoutesOfEveryPolicy(t *testing.T) {
	t.Parallel()
	app, px, _ := startWithPolicyFile(t, documents(
		raw("# Two policies in one file, as kubectl would apply them.\n"),
		policy{name: "pairs", paths: []string{pairCreate}},
		policy{name: "activities", paths: []string{activityAccept}},
	))

	if got := px.config().Policies; !slices.Equal(got, []string{"activities", "pairs"}) {
		t.Errorf("/config policies = %q, want [activities pairs]", got)
	}
	accept := px.url + "/api/activities/a1/accept"
	wantReplay(t, post(t, accept, "accept-1", ""), post(t, accept, "accept-1", ""))
	wantReplay(t, post(t, px.url+pairCreate, "pair-1", ""), post(t, px.url+pairCreate, "pair-1", ""))
	if total := app.effects().Total; total != 2 {
		t.Errorf("the app recorded %d side effects, want 2", total)
	}
}

func TestPolicyDirectoryMountedFromAConfigMapFollowsItsUpdates(t *testing.T) {
	t.Parallel()
	volume := mountConfigMap(t, map[string]string{
		"pairs.yaml":      policy{name: "pairs", paths: []string{pairCreate}}.String(),
		"activities.yaml": policy{name: "activities", paths: []string{activityAccept}}.String(),
		"notes.txt":       "Not a policy: only .yaml, .yml and .json files are read.",
	})
	app := startSampleApp(t)
	px := startProxy(t, "--upstream", app.url, "--policy", volume.dir)
	px.waitReady()

	if got := px.config().Policies; !slices.Equal(got, []string{"activities", "pairs"}) {
		t.Errorf("/config policies = %q, want [activities pairs]", got)
	}
	accept := px.url + "/api/activities/a1/accept"
	wantReplay(t, post(t, accept, "accept-1", ""), post(t, accept, "accept-1", ""))

	volume.update(map[string]string{
		"pairs.yaml": policy{name: "pairs", paths: []string{pairCreate}}.String(),
		"match.yaml": policy{name: "match", paths: []string{matchAccept}}.String(),
	})
	px.waitForConfig("the updated ConfigMap is loaded", func(c configStatus) bool {
		return slices.Equal(c.Policies, []string{"match", "pairs"})
	})

	accept = px.url + "/api/activities/a2/accept"
	wantExecutedTwice(t, post(t, accept, "accept-2", ""), post(t, accept, "accept-2", ""))
	match := px.url + matchAccept
	body := `{"matchId":"m-1"}`
	wantReplay(t, post(t, match, "match-1", body), post(t, match, "match-1", body))
	app.wantEffects(acceptRoute, 3)
	app.wantEffects(matchAcceptRoute, 1)
}
