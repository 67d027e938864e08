package standalone

import (
	"testing"
)

func TestPodLabelsDecideWhichPoliciesTheProxyEnforces(t *testing.T) {
	t.Parallel()
	policies := writeFile(t, t.TempDir(), "policies.yaml", documents(
		policy{name: "shop", paths: []string{pairCreate},
			matchLabels: map[string]string{"app": "shop"}},
		policy{name: "billing", paths: []string{activityAccept},
			matchLabels: map[string]string{"app": "billing"}},
	))

	cases := []struct {
		name string
		// labels is the downward API file; empty runs without --pod-labels.
		labels          string
		pairsProtected  bool
		acceptProtected bool
	}{
		{"pod of the shop", "app=\"shop\"\npod-template-hash=\"7d9f\"\n", true, false},
		{"pod of billing", "app=\"billing\"\n", false, true},
		{"pod of neither", "app=\"search\"\n", false, false},
		{"no pod labels", "", true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			app := startSampleApp(t)
			args := []string{"--upstream", app.url, "--policy", policies}
			if tc.labels != "" {
				args = append(args, "--pod-labels", writeFile(t, t.TempDir(), "labels", tc.labels))
			}
			px := startProxy(t, args...)
			px.waitReady()

			wantProtected(t, tc.pairsProtected, px.url+pairCreate)
			wantProtected(t, tc.acceptProtected, px.url+"/api/activities/a1/accept")
		})
	}
}

// wantProtected retries a POST to url with the same key and checks that it
// was replayed when protected, and executed again when not.
func wantProtected(t *testing.T, protected bool, url string) {
	t.Helper()
	first := post(t, url, "retried-key", "")
	retry := post(t, url, "retried-key", "")
	if protected {
		wantReplay(t, first, retry)
	} else {
		wantExecutedTwice(t, first, retry)
	}
}
