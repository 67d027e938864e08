package redis_test

import (
	"testing"

	"github.com/idempotency-operator/idempotency-operator/proxy/store/redis"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/storetest"
	"github.com/idempotency-operator/idempotency-operator/test/redisserver"
)

// On a local redis-server a new request costs two round trips, a claim and
// its completion; a replay costs one.
func BenchmarkClaimComplete(b *testing.B) {
	storetest.BenchmarkClaimComplete(b, benchStore(b))
}

func BenchmarkClaimCompleted(b *testing.B) {
	storetest.BenchmarkClaimCompleted(b, benchStore(b))
}

// benchStore returns a store on a fresh local redis-server.
func benchStore(b *testing.B) *redis.Store {
	b.Helper()
	server := redisserver.Start(b)
	s, err := redis.New(server.URL(), redis.Options{})
	if err != nil {
		b.Fatalf("redis.New: %v", err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}
