package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// binaries are the programs the harness builds for a run.
type binaries struct {
	app, proxy, baseline string
}

// moduleRoot finds the directory of the module's go.mod, starting from the
// working directory, so that the harness runs from anywhere in the tree.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory; run from the repository")
		}
		dir = parent
	}
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
