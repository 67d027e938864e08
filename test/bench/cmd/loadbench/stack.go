package main

import (
	"context"
	"errors"
	"fmt"
)

// stack is the set of processes behind one row: the sample app, the front
// in front of it if any, and redis-server for the Redis rows. Every row
// gets a fresh stack, so no row inherits another's connections, heap or
// stored keys.
type stack struct {
	procs []*process
	// appURL reaches the app directly, for its side-effect counts.
	appURL string
	// frontURL is where the load goes.
	frontURL string
}

// stop ends the processes, front first.
func (s *stack) stop() {
	for i := len(s.procs) - 1; i >= 0; i-- {
		s.procs[i].stop()
	}
}

// startStack starts the processes of t and waits until each is ready.
func (b *bench) startStack(ctx context.Context, t target, name string) (_ *stack, err error) {
	s := &stack{}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()

	appAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	app, err := b.launcher.start(name+"-app", roleApp, b.bins.app, "--listen", appAddr)
	if err != nil {
		return nil, err
	}
	s.procs = append(s.procs, app)
	s.appURL = "http://" + appAddr
	if err := waitReady(ctx, app, s.appURL+"/healthz"); err != nil {
		return nil, err
	}

	switch t.front {
	case frontNone:
		s.frontURL = s.appURL
	case frontReverseProxy, frontReverseProxyTuned:
		err = b.startBaseline(ctx, s, t, name)
	case frontPassthrough, frontProtected:
		err = b.startProxy(ctx, s, t, name)
	default:
		err = errors.New("unknown front")
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (b *bench) startBaseline(ctx context.Context, s *stack, t target, name string) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	args := []string{"--listen", addr, "--upstream", s.appURL}
	if t.front == frontReverseProxyTuned {
		args = append(args, "--max-idle-conns-per-host", "1024")
	}
	p, err := b.launcher.start(name+"-reverseproxy", roleFront, b.bins.baseline, args...)
	if err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	s.frontURL = "http://" + addr
	// The app's health check, answered through the proxy.
	return waitReady(ctx, p, s.frontURL+"/healthz")
}

func (b *bench) startProxy(ctx context.Context, s *stack, t target, name string) error {
	storeArg := "memory"
	if t.usesRedis() {
		if b.redisBin == "" {
			return fmt.Errorf("no redis-server: %w", b.redisErr)
		}
		redis, addr, err := startRedis(ctx, b.launcher, b.redisBin, name)
		if err != nil {
			return err
		}
		s.procs = append(s.procs, redis)
		storeArg = "redis://" + addr + "/0"
	}
	policy := b.protectedPolicy
	if t.front == frontPassthrough {
		policy = b.passthroughPolicy
	}

	addr, err := freeAddr()
	if err != nil {
		return err
	}
	adminAddr, err := freeAddr()
	if err != nil {
		return err
	}
	p, err := b.launcher.start(name+"-proxy", roleFront, b.bins.proxy,
		"--listen", addr, "--upstream", s.appURL, "--policy", policy,
		"--store", storeArg, "--admin-listen", adminAddr)
	if err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	s.frontURL = "http://" + addr
	if err := waitReady(ctx, p, "http://"+adminAddr+"/readyz"); err != nil {
		return err
	}
	// The app's health check, passed through the proxy.
	return waitReady(ctx, p, s.frontURL+"/healthz")
}
