// Command operatorbench measures the operator against a real kube-apiserver
// and etcd (envtest): how long a policy change takes to reach its rendered
// ConfigMap, how long 1,000 policies across 100 namespaces take to become
// Programmed, and how much memory the manager process uses meanwhile.
//
// The manager runs as its own process, built from cmd/manager, so its
// memory is read from the kernel rather than estimated. The webhook is
// left out: admission latency is measured by the webhook's own suite.
//
//	go run ./test/scale/cmd/operatorbench [-namespaces 100] [-policies-per-namespace 10]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/idempotency-operator/idempotency-operator/api/v1alpha1"
	"github.com/idempotency-operator/idempotency-operator/internal/testenv"
)

type options struct {
	namespaces, perNamespace, changes int
	timeout                           time.Duration
	out                               string
}

func main() {
	var o options
	flag.IntVar(&o.namespaces, "namespaces", 100, "namespaces in the scale run")
	flag.IntVar(&o.perNamespace, "policies-per-namespace", 10, "policies per namespace in the scale run")
	flag.IntVar(&o.changes, "changes", 30, "policy changes timed for the change-to-config latency")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up on a phase after this long")
	flag.StringVar(&o.out, "out", "", "also write the report to this Markdown file")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "operatorbench:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*o.timeout)
	defer cancel()

	assets, err := testenv.BinaryAssetsDirectory()
	if err != nil {
		return err
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:        []string{testenv.CRDDirectory()},
		ErrorIfCRDPathMissing:    true,
		BinaryAssetsDirectory:    assets,
		ControlPlaneStartTimeout: testenv.ControlPlaneStartTimeout(),
	}
	step("Starting kube-apiserver and etcd")
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("starting envtest: %w", err)
	}
	defer func() { _ = env.Stop() }()

	if err := v1alpha1.AddToScheme(scheme.Scheme); err != nil {
		return err
	}
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		return err
	}

	step("Building and starting the manager (webhook off)")
	mgr, err := startManager(ctx, env)
	if err != nil {
		return err
	}
	defer mgr.stop()

	r := report{namespaces: o.namespaces, perNamespace: o.perNamespace}
	step(fmt.Sprintf("Timing %d policy changes until their ConfigMap holds the new configuration", o.changes))
	if r.changes, err = measureChanges(ctx, c, o.changes, o.timeout); err != nil {
		return fmt.Errorf("%w\n%s", err, mgr.logTail())
	}

	step(fmt.Sprintf("Creating %d policies in %d namespaces and waiting until all are Programmed",
		o.namespaces*o.perNamespace, o.namespaces))
	if err := measureScale(ctx, c, mgr, o, &r); err != nil {
		return fmt.Errorf("%w\n%s", err, mgr.logTail())
	}

	text := r.markdown()
	fmt.Print("\n" + text)
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(text), 0o644); err != nil {
			return err
		}
	}
	if !r.met() {
		return errors.New("a target was missed; see the report")
	}
	return nil
}

func step(msg string) { fmt.Printf("==> %s\n", msg) }

// repoRoot is the repository's root, for building cmd/manager.
func repoRoot() string { return testenv.RepoRoot() }

// buildManager compiles cmd/manager into dir.
func buildManager(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "manager")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/manager")
	cmd.Dir = repoRoot()
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building cmd/manager: %w", err)
	}
	return bin, nil
}

func machine() string {
	return fmt.Sprintf("%d CPUs (%s), %s", runtime.NumCPU(), cpuModel(), runtime.Version())
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range splitLines(string(data)) {
		if len(line) > 10 && line[:10] == "model name" {
			for i := range line {
				if line[i] == ':' {
					return trim(line[i+1:])
				}
			}
		}
	}
	return "unknown CPU"
}
