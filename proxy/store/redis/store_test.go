package redis_test

import (
	"strings"
	"testing"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/redis"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/storetest"
	"github.com/idempotency-operator/idempotency-operator/test/redisserver"
)

func TestConformance(t *testing.T) {
	server := redisserver.Start(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return newStore(t, server.URL(), t.Name())
	})
}

func TestConformanceOnCluster(t *testing.T) {
	server := redisserver.StartCluster(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return newStore(t, server.URL(), t.Name())
	})
}

func TestConformanceThroughSentinel(t *testing.T) {
	primary := redisserver.Start(t)
	sentinel := redisserver.StartSentinel(t, primary, "mymaster")
	storetest.Run(t, func(t *testing.T) store.Store {
		return newStore(t, sentinel.URL(), t.Name())
	})
}

// newStore returns a store on url whose keys live under a prefix made
// from name, so that the tests sharing a server do not see each other's
// keys.
func newStore(t *testing.T, url, name string) *redis.Store {
	t.Helper()
	prefix := "test:" + strings.ReplaceAll(name, "/", ":") + ":"
	s, err := redis.New(url, redis.Options{KeyPrefix: prefix})
	if err != nil {
		t.Fatalf("redis.New: %v", err)
	}
	return s
}
