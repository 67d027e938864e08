//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// hostRedis is a redis-server on the test machine, bound to one address
// that pods reach, without persistence. It can be stopped and started
// again on the same port, which is how the suite takes the store away from
// running proxies and gives it back.
type hostRedis struct {
	host string
	port int
	dir  string
	log  *os.File
	cmd  *exec.Cmd
}

// startRedis starts redis-server on a free port of host.
func startRedis(host string) (*hostRedis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server is not on PATH: %w", err)
	}
	port, err := freePort(host)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "idempotency-e2e-redis-")
	if err != nil {
		return nil, err
	}
	log, err := os.Create(dir + "/redis.log")
	if err != nil {
		return nil, err
	}
	r := &hostRedis{host: host, port: port, dir: dir, log: log}
	return r, r.start(bin)
}

// url is the Redis URL the pods' proxies use.
func (r *hostRedis) url() string {
	return "redis://" + r.addr() + "/0"
}

func (r *hostRedis) addr() string {
	return net.JoinHostPort(r.host, strconv.Itoa(r.port))
}

func (r *hostRedis) start(bin string) error {
	r.cmd = exec.Command(bin,
		"--bind", r.host, "--port", strconv.Itoa(r.port),
		"--save", "", "--appendonly", "no", "--protected-mode", "no",
		"--dir", r.dir)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	// Its own process group: a Ctrl-C of the test run is handled by the
	// suite's cleanup, not delivered to Redis behind its back.
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := r.cmd.Start(); err != nil {
		return fmt.Errorf("starting redis-server: %w", err)
	}

	deadline := time.Now().Add(10 * time.Second)
	for {
		err := ping(r.addr())
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			_ = r.stop()
			log, _ := os.ReadFile(r.log.Name())
			return fmt.Errorf("redis-server on %s did not answer PING: %w; its log:\n%s", r.addr(), err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop ends redis-server and waits for it; its records are lost.
func (r *hostRedis) stop() error {
	if r.cmd == nil {
		return nil
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-done
	}
	r.cmd = nil
	return nil
}

// restart starts redis-server again on the same address and port.
func (r *hostRedis) restart() error {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return err
	}
	return r.start(bin)
}

// close stops redis-server and removes its directory.
func (r *hostRedis) close() {
	_ = r.stop()
	_ = r.log.Close()
	_ = os.RemoveAll(r.dir)
}

// ping sends one PING and expects PONG.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

// freePort returns a port of host that nothing listens on now.
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("cannot listen on %s (set E2E_REDIS_HOST to an address of this machine "+
			"that pods reach): %w", host, err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// discoverRedisHost finds the address of this machine that pods reach:
// the address on the network of the pods (the CNI bridge of a local
// cluster), else the address on the network of a node (the bridge a kind
// cluster's node containers sit on).
func discoverRedisHost(ctx context.Context) (string, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return "", fmt.Errorf("listing this machine's addresses: %w", err)
	}
	onNetworkOf := func(ip net.IP) string {
		for _, a := range addrs {
			n, ok := a.(*net.IPNet)
			if ok && n.IP.To4() != nil && !n.IP.IsLoopback() && n.Contains(ip) && !n.IP.Equal(ip) {
				return n.IP.String()
			}
		}
		return ""
	}

	var candidates []net.IP
	if ip, err := managerPodIP(ctx); err == nil {
		candidates = append(candidates, net.ParseIP(ip))
	}
	var nodes corev1.NodeList
	if err := k8sClient.List(ctx, &nodes); err != nil {
		return "", fmt.Errorf("listing nodes: %w", err)
	}
	for _, node := range nodes.Items {
		for _, a := range node.Status.Addresses {
			if a.Type == corev1.NodeInternalIP {
				candidates = append(candidates, net.ParseIP(a.Address))
			}
		}
	}
	for _, ip := range candidates {
		if ip == nil {
			continue
		}
		if host := onNetworkOf(ip); host != "" {
			return host, nil
		}
	}
	return "", errors.New("found no address of this machine on the network of the pods or nodes: " +
		"set E2E_REDIS_HOST to an address of this machine that pods can reach")
}
