package standalone

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
)

func TestBadStartupInputExitsWithAMessageNamingTheProblem(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := func(name, content string) string { return writeFile(t, dir, name, content) }
	protecting := func(name string) policy { return policy{name: name, paths: []string{pairCreate}} }
	good := file("good.yaml", protecting("good").String())

	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })

	cases := []struct {
		name string
		args []string
		// want are the parts of the message on standard error.
		want []string
	}{{
		name: "broken YAML",
		args: []string{"--policy", file("broken.yaml", "kind: IdempotencyPolicy\nmetadata: [\n")},
		want: []string{"broken.yaml", "document 1", "yaml: line 2"},
	}, {
		name: "broken second document of a multi-document file",
		args: []string{"--policy", file("multi.yaml", documents(protecting("first"), raw("spec: [\n")))},
		want: []string{"multi.yaml", "document 2"},
	}, {
		name: "misspelt field",
		args: []string{"--policy", file("typo.yaml", protecting("typo").String()+"  tll: 1h\n")},
		want: []string{"typo.yaml", `unknown field "tll"`},
	}, {
		name: "value out of range",
		args: []string{"--policy", file("ttl.yaml",
			policy{name: "zero-ttl", paths: []string{pairCreate}, ttl: "0s"}.String())},
		want: []string{"policy zero-ttl", "spec.routes[0]", "ttl 0s must be between 1s and 720h"},
	}, {
		name: "Redis store URL of another scheme",
		args: []string{"--policy", file("store.yaml", protecting("store").String()+
			"  store:\n    type: Redis\n    url: http://127.0.0.1:6379\n")},
		want: []string{"policy store", "spec.store.url must start with redis://"},
	}, {
		name: "not a policy",
		args: []string{"--policy", file("configmap.yaml",
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")},
		want: []string{"configmap.yaml", `kind "ConfigMap" is neither`},
	}, {
		name: "two policies claiming one route",
		args: []string{"--policy", file("twice.yaml",
			documents(protecting("first"), protecting("second")))},
		want: []string{"route POST /api/pairs/create is claimed by policies first and second"},
	}, {
		name: "missing policy file",
		args: []string{"--policy", filepath.Join(dir, "missing.yaml")},
		want: []string{"missing.yaml", "no such file or directory"},
	}, {
		name: "empty policy directory",
		args: []string{"--policy", t.TempDir()},
		want: []string{"no IdempotencyPolicy or ProxyConfig found"},
	}, {
		name: "upstream without a scheme",
		args: []string{"--policy", good, "--upstream", "localhost:9090"},
		want: []string{`--upstream "localhost:9090" must be an http:// or https:// URL`},
	}, {
		name: "no policy",
		args: []string{},
		want: []string{"--upstream and at least one --policy are required"},
	}, {
		name: "unreadable pod labels",
		args: []string{"--policy", good, "--pod-labels", file("labels", "app=\"shop\"\nnot a label\n")},
		want: []string{"pod labels", "line 2", `want key="value"`},
	}, {
		name: "unknown log level",
		args: []string{"--policy", good, "--log-level", "loud"},
		want: []string{"--log-level", `"loud"`},
	}, {
		name: "listen address in use",
		args: []string{"--policy", good, "--listen", busy.Addr().String()},
		want: []string{busy.Addr().String(), "address already in use"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{
				"--upstream", "http://127.0.0.1:9090",
				"--listen", "127.0.0.1:0",
				"--admin-listen", "127.0.0.1:0",
			}, tc.args...)
			p := start(t, "idempotency-proxy", binaries.proxy, args...)

			if code := p.waitExit(exitTimeout); code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			stderr := p.log.String()
			for _, want := range tc.want {
				if !strings.Contains(stderr, want) {
					t.Errorf("the message does not say %q:\n%s", want, stderr)
				}
			}
		})
	}
}
