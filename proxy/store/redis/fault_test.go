package redis_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/redis"
	"github.com/idempotency-operator/idempotency-operator/test/redisserver"
)

// failFast bounds how long a call may take to fail when Redis cannot be
// reached, so that the proxy's failure mode takes over quickly.
const failFast = 2 * time.Second

func TestUnreachableRedisFailsFast(t *testing.T) {
	for name, addr := range map[string]string{
		"closed port":     closedAddr(t),
		"silent listener": silentAddr(t),
	} {
		t.Run(name, func(t *testing.T) {
			wantCallsFailFast(t, addr)
		})
	}
}

// wantCallsFailFast fails unless every call of a store on addr fails
// within failFast.
func wantCallsFailFast(t *testing.T, addr string) {
	s, err := redis.New("redis://"+addr, redis.Options{})
	if err != nil {
		t.Fatalf("redis.New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })

	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Ping", s.Ping},
		{"Claim", func(ctx context.Context) error {
			_, err := s.Claim(ctx, "k", "fp", time.Minute)
			return err
		}},
		{"Complete", func(ctx context.Context) error {
			return s.Complete(ctx, "k", "token", store.Record{Status: 200}, time.Minute)
		}},
		{"Release", func(ctx context.Context) error { return s.Release(ctx, "k", "token") }},
		{"Extend", func(ctx context.Context) error { return s.Extend(ctx, "k", "token", time.Minute) }},
		{"Wait", func(ctx context.Context) error { return s.Wait(ctx, "k") }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			// The context outlives failFast, so that only the store's own
			// timeouts can make the call return in time.
			ctx, cancel := context.WithTimeout(t.Context(), 10*failFast)
			defer cancel()

			start := time.Now()
			err := c.call(ctx)
			took := time.Since(start)

			if err == nil {
				t.Fatal("call succeeded against a closed port, want an error")
			}
			if errors.Is(err, store.ErrNotOwner) || errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error = %v, want a connection error", err)
			}
			if took > failFast {
				t.Fatalf("call took %s to fail, want under %s", took, failFast)
			}
		})
	}
}

func TestStoreRecoversWhenRedisRestarts(t *testing.T) {
	server := redisserver.Start(t)
	s := newStore(t, server.URL(), t.Name())
	t.Cleanup(func() { _ = s.Close() })
	ctx := t.Context()

	if _, err := s.Claim(ctx, "before", "fp", time.Minute); err != nil {
		t.Fatalf("Claim before the restart: %v", err)
	}

	server.Stop()
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping succeeded while Redis was down")
	}
	server.Restart()

	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping after the restart: %v", err)
	}
	res, err := s.Claim(ctx, "before", "fp", time.Minute)
	if err != nil {
		t.Fatalf("Claim after the restart: %v", err)
	}
	if res.State != store.Claimed {
		t.Fatalf("Claim after the restart = %v, want Claimed: the new server starts empty", res.State)
	}
}

// silentAddr returns a loopback address that accepts connections and
// never answers, as a hung server would.
func silentAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		_ = l.Close()
		<-done
	})
	go func() {
		defer close(done)
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				_ = c.Close()
			}
		}()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, conn)
		}
	}()
	return l.Addr().String()
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	addr := l.Addr().(*net.TCPAddr)
	if err := l.Close(); err != nil {
		t.Fatalf("closing listener: %v", err)
	}
	return net.JoinHostPort(addr.IP.String(), strconv.Itoa(addr.Port))
}
