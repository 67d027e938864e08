package redisserver

import (
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// binary is the program Start runs.
const binary = "redis-server"

// Time limits for starting and stopping a server.
const (
	startTimeout = 10 * time.Second
	stopTimeout  = 5 * time.Second
	pollInterval = 10 * time.Millisecond
)

// startAttempts bounds how often a server is given a new port when it
// cannot bind the one it got, which happens when another process takes
// the port between the moment it is found free and the start.
const startAttempts = 3

// Server is a redis-server process run for one test.
type Server struct {
	tb   testing.TB
	path string
	dir  string
	port int
	kind kind

	mu   sync.Mutex
	proc *process
}

// kind says how a server runs and how it is reached.
type kind struct {
	// args returns the arguments for a run on port, in dir.
	args func(port int, dir string) ([]string, error)
	// ready checks that a server that answers PING is ready for use.
	ready func(addr string) error
	// url returns the store URL for a server at addr.
	url func(addr string) string
}

// standalone is a plain server with persistence off.
var standalone = kind{
	args: func(port int, dir string) ([]string, error) {
		return append(baseArgs(port, dir), "--save", "", "--appendonly", "no"), nil
	},
	ready: func(string) error { return nil },
	url:   func(addr string) string { return "redis://" + addr + "/0" },
}

// Start runs a redis-server on a free loopback port, with persistence
// off, and waits until it answers PING. The server is stopped when the
// test ends. Start fails the test if redis-server is not installed.
func Start(tb testing.TB) *Server {
	tb.Helper()
	return launch(tb, standalone)
}

// launch starts a server of kind k on a free port.
func launch(tb testing.TB, k kind) *Server {
	tb.Helper()
	path, err := exec.LookPath(binary)
	if err != nil {
		tb.Fatalf("redis-server is not installed, and tests of the redis store need it: "+
			"install it with apt-get install redis-server (%v)", err)
	}

	s := &Server{tb: tb, path: path, dir: tb.TempDir(), kind: k}
	tb.Cleanup(s.Stop)

	var lastErr error
	for range startAttempts {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("finding a free port: %v", err)
		}
		s.port = port
		if lastErr = s.start(); lastErr == nil {
			return s
		}
	}
	tb.Fatalf("starting redis-server: %v", lastErr)
	return nil
}

// Addr returns the server's host:port.
func (s *Server) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// URL returns the store URL for the server: redis://host:port/0 for a
// server from Start, and the cluster or Sentinel form for the others.
func (s *Server) URL() string {
	return s.kind.url(s.Addr())
}

// Stop ends the server, if it runs. The data of a server from Start is
// lost, since persistence is off. Stop may be called more than once.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc == nil {
		return
	}
	if err := s.proc.stop(); err != nil {
		s.tb.Errorf("stopping redis-server on %s: %v", s.Addr(), err)
	}
	s.proc = nil
}

// Restart stops the server and starts it again on the same port, as a
// fault test needs to see a Redis go away and come back. A server from
// Start comes back empty.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()

	// The port was ours a moment ago; retry briefly in case the kernel
	// has not released it yet.
	deadline := time.Now().Add(startTimeout)
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		err := s.start()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("restarting redis-server on %s: %v", s.Addr(), err)
		}
		<-tick.C
	}
}

// start runs the server on s.port and waits until it is ready.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()

	args, err := s.kind.args(s.port, s.dir)
	if err != nil {
		return err
	}
	p, err := run(s.path, args)
	if err != nil {
		return err
	}

	err = waitForPing(s.Addr(), p.exited)
	if err == nil {
		err = s.kind.ready(s.Addr())
	}
	if err != nil {
		_ = p.stop()
		return fmt.Errorf("%w; server output:\n%s", err, p.output.String())
	}
	s.proc = p
	return nil
}

// baseArgs are the arguments every server gets: a loopback port, a
// working directory of its own, and its log on standard output.
func baseArgs(port int, dir string) []string {
	return []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--dir", dir,
		"--daemonize", "no",
		"--logfile", "",
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
