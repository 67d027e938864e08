package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"time"
)

// redisServer finds redis-server, or says why the Redis rows are skipped.
func redisServer(path string) (string, error) {
	bin, err := exec.LookPath(path)
	if err != nil {
		return "", fmt.Errorf("%s not found (install the redis-server package): "+
			"the Redis rows are skipped", path)
	}
	return bin, nil
}

// startRedis starts a throwaway redis-server on a free loopback port, with
// persistence off, and waits until it answers PING.
func startRedis(ctx context.Context, l *launcher, bin, name string) (*process, string, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	_, port, _ := net.SplitHostPort(addr)
	p, err := l.start(name+"-redis", roleStore, bin,
		"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err != nil {
		return nil, "", err
	}

	deadline := time.Now().Add(readyTimeout)
	for {
		err := ping(addr)
		if err == nil {
			return p, addr, nil
		}
		if exitErr := p.exited(); exitErr != nil {
			return nil, "", exitErr
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			p.stop()
			return nil, "", fmt.Errorf("redis-server on %s did not answer PING: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ping sends an inline PING and expects +PONG.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}
