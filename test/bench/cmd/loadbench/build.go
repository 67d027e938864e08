package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
)

// binaries are the programs the harness builds for a run.
type binaries struct {
	app, proxy, baseline string
}

// build compiles the sample app, the idempotency proxy and the baseline
// proxy into dir, with the go command that runs the harness.
func build(root, dir string) (binaries, error) {
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"./cmd/sample-app", "./cmd/idempotency-proxy", "./test/bench/cmd/baselineproxy")
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return binaries{}, fmt.Errorf("building the benchmark's programs: %w\n%s", err, out.String())
	}
	return binaries{
		app:      filepath.Join(dir, "sample-app"),
		proxy:    filepath.Join(dir, "idempotency-proxy"),
		baseline: filepath.Join(dir, "baselineproxy"),
	}, nil
}
