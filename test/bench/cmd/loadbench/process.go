package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// readyTimeout bounds how long a process may take to become ready.
const readyTimeout = 15 * time.Second

// process is a program the harness started: the sample app, a proxy or
// redis-server.
type process struct {
	name string
	role role
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// launcher starts the processes of the benchmark with the same CPU budget.
type launcher struct {
	logDir string
	// cpus, if set, pins processes with taskset: key is the process role.
	cpus map[role]int
}

// role groups the processes that get the same CPU placement.
type role string

const (
	roleApp   role = "app"
	roleFront role = "front"
	roleStore role = "store"
)

// start runs bin with args as a process of role r. Go programs get
// GOMAXPROCS=1, so that every server in the benchmark uses one CPU.
func (l *launcher) start(name string, r role, bin string, args ...string) (*process, error) {
	if cpu, ok := l.cpus[r]; ok {
		args = append([]string{"-c", strconv.Itoa(cpu), bin}, args...)
		bin = "taskset"
	}
	logPath := filepath.Join(l.logDir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("creating log of %s: %w", name, err)
	}
	defer logFile.Close()

	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// The children die with the harness, even if it is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}

	p := &process{name: name, role: r, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// stop ends the process: SIGTERM, then SIGKILL if it is still running
// after a few seconds.
func (p *process) stop() {
	if p == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// exited reports an error if the process is no longer running.
func (p *process) exited() error {
	select {
	case <-p.done:
		return fmt.Errorf("%s exited early (%v); see %s", p.name, p.err, p.log)
	default:
		return nil
	}
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitReady polls url until it answers 200, p exits, or readyTimeout
// passes.
func waitReady(ctx context.Context, p *process, url string) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()

	var last error
	for time.Now().Before(deadline) {
		if err := p.exited(); err != nil {
			return err
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return errors.Join(fmt.Errorf("%s was not ready after %s; see %s", p.name, readyTimeout, p.log), last)
}
