package standalone

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Time limits for waiting on the processes under test. They bound a wait
// that normally ends in milliseconds, so they are generous: a slow or busy
// machine makes a test slower, not flaky.
const (
	startTimeout = 15 * time.Second
	exitTimeout  = 10 * time.Second
	pollInterval = 10 * time.Millisecond
)

// process is a command under test running as its own process. Its
// standard output and error are captured, and printed when the test fails.
type process struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	log  *logBuffer

	// exited is closed once the process has ended; state is set before.
	exited chan struct{}
	state  *os.ProcessState
}

// start runs the binary at path with args. The process is killed when the
// test ends, if it still runs.
func start(t *testing.T, name, path string, args ...string) *process {
	t.Helper()
	p := &process{
		t:      t,
		name:   name,
		cmd:    exec.Command(path, args...),
		log:    &logBuffer{},
		exited: make(chan struct{}),
	}
	p.cmd.Stdout = p.log
	p.cmd.Stderr = p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		p.state = p.cmd.ProcessState
		close(p.exited)
	}()

	t.Cleanup(func() {
		if !p.hasExited() {
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if strings.Contains(p.log.String(), "WARNING: DATA RACE") {
			t.Errorf("%s reported a data race", name)
		}
		if t.Failed() {
			t.Logf("%s %s\n%s", name, strings.Join(args, " "), p.log)
		}
	})
	return p
}

// hasExited reports whether the process has ended.
func (p *process) hasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// signal sends sig to the process.
func (p *process) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signalling %s: %v", p.name, err)
	}
}

// waitExit waits up to timeout for the process to end and returns its
// exit code.
func (p *process) waitExit(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.state.ExitCode()
	case <-time.After(timeout):
		p.t.Fatalf("%s still runs %s after it was expected to exit", p.name, timeout)
		return -1
	}
}

// waitForLog waits until the process has logged a line containing text.
func (p *process) waitForLog(text string) {
	p.t.Helper()
	eventually(p.t, startTimeout, p.name+" logs "+text, func() (bool, string) {
		return strings.Contains(p.log.String(), text), "not logged yet"
	})
}

// failIfExited fails the test when the process has already ended, as a
// process that was meant to serve has nothing more to wait for.
func (p *process) failIfExited() {
	p.t.Helper()
	if p.hasExited() {
		p.t.Fatalf("%s exited with status %d before it was ready", p.name, p.state.ExitCode())
	}
}

// eventually polls check until it reports true or timeout passes, then
// fails the test with what check last reported. Tests wait for other
// processes this way, never by sleeping a fixed time.
func eventually(t *testing.T, timeout time.Duration, what string, check func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		ok, last := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for: %s; last seen: %s", timeout, what, last)
		}
		<-tick.C
	}
}

// logBuffer collects a process's output; it may be read while the
// process still writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
