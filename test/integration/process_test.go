package integration

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// processTimeout bounds building, starting and stopping a proxy process;
// those normally take well under it.
const processTimeout = 60 * time.Second

// buildProxy builds the idempotency-proxy command into a temporary
// directory and returns the binary's path.
func buildProxy(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build idempotency-proxy: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "idempotency-proxy")
	build := exec.Command(goTool, "build", "-o", bin,
		"github.com/idempotency-operator/idempotency-operator/cmd/idempotency-proxy")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building idempotency-proxy: %v\n%s", err, out)
	}
	return bin
}

// proxyProcess is idempotency-proxy running as a process of its own, so
// that a test can kill it as a node kills a pod: at once, with no chance to
// release its claims or to renew their leases again.
type proxyProcess struct {
	cmd    *exec.Cmd
	log    *lockedBuffer
	exited chan struct{}
	// url and admin are the base URLs of the traffic and admin listeners.
	url, admin string
}

// startProxyProcess runs the binary at bin with args, both listeners on
// free loopback ports, and waits until it is ready. The process is killed
// when the test ends, if it still runs; its log is shown if the test fails.
func startProxyProcess(t *testing.T, bin string, args ...string) *proxyProcess {
	t.Helper()
	args = append([]string{"--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"}, args...)
	p := &proxyProcess{
		cmd:    exec.Command(bin, args...),
		log:    &lockedBuffer{},
		exited: make(chan struct{}),
	}
	p.cmd.Stdout = p.log
	p.cmd.Stderr = p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting idempotency-proxy: %v", err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.kill(t)
		if t.Failed() {
			t.Logf("idempotency-proxy %s\n%s", strings.Join(args, " "), p.log)
		}
	})

	// The proxy opens its traffic listener first, then the admin one, and
	// logs each address.
	deadline := time.Now().Add(processTimeout)
	for {
		if addrs := servingAddresses(p.log.String()); len(addrs) >= 2 {
			p.url, p.admin = "http://"+addrs[0], "http://"+addrs[1]
			break
		}
		p.failIfExited(t)
		if time.Now().After(deadline) {
			t.Fatalf("idempotency-proxy did not listen within %v", processTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for {
		r, err := send(request{method: http.MethodGet, url: p.admin + "/readyz"})
		if err == nil && r.status == http.StatusOK {
			return p
		}
		p.failIfExited(t)
		if time.Now().After(deadline) {
			t.Fatalf("idempotency-proxy was not ready within %v: %d %s %v",
				processTimeout, r.status, r.body, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL and waits until it is gone.
func (p *proxyProcess) kill(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
		return
	default:
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Errorf("killing idempotency-proxy: %v", err)
	}
	select {
	case <-p.exited:
	case <-time.After(processTimeout):
		t.Fatalf("idempotency-proxy still runs %v after SIGKILL", processTimeout)
	}
}

func (p *proxyProcess) failIfExited(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
		t.Fatalf("idempotency-proxy exited: %v", p.cmd.ProcessState)
	default:
	}
}

// servingAddresses returns the addresses of the proxy's "Serving" log
// lines, in order.
func servingAddresses(log string) []string {
	var addrs []string
	lines := bufio.NewScanner(strings.NewReader(log))
	for lines.Scan() {
		var line struct {
			Msg     string `json:"msg"`
			Address string `json:"address"`
		}
		if json.Unmarshal(lines.Bytes(), &line) == nil && line.Msg == "Serving" {
			addrs = append(addrs, line.Address)
		}
	}
	return addrs
}

// lockedBuffer is a bytes.Buffer that a process writes to while a test
// reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
