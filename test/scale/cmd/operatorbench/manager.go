package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// managerProcess is cmd/manager running against the envtest API server.
type managerProcess struct {
	cmd *exec.Cmd
	dir string

	mu  sync.Mutex
	log bytes.Buffer
}

func startManager(ctx context.Context, env *envtest.Environment) (*managerProcess, error) {
	dir, err := os.MkdirTemp("", "operatorbench-")
	if err != nil {
		return nil, err
	}
	bin, err := buildManager(ctx, dir)
	if err != nil {
		return nil, err
	}
	user, err := env.AddUser(envtest.User{Name: "operatorbench", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, fmt.Errorf("creating a user for the manager: %w", err)
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return nil, err
	}
	kcPath := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kcPath, kubeconfig, 0o600); err != nil {
		return nil, err
	}

	m := &managerProcess{dir: dir}
	m.cmd = exec.Command(bin,
		"--kubeconfig="+kcPath,
		"--namespace=idempotency-system",
		"--enable-webhook=false",
		"--metrics-bind-address=0",
		"--health-probe-bind-address=127.0.0.1:0",
		"--leader-elect=false",
	)
	m.cmd.Stdout = m
	m.cmd.Stderr = m
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the manager: %w", err)
	}
	return m, nil
}

// Write collects the manager's log.
func (m *managerProcess) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.log.Write(p)
}

func (m *managerProcess) logTail() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(m.log.String()), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return "manager log (last lines):\n" + strings.Join(lines, "\n")
}

// memory returns the manager's resident set size and its peak, in bytes.
func (m *managerProcess) memory() (rss, peak int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", m.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return rss, peak, sc.Err()
}

func (m *managerProcess) stop() {
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	_ = m.cmd.Wait()
	_ = os.RemoveAll(m.dir)
}
