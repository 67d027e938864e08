package redis_test

import (
	"bytes"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/redis"
	"github.com/idempotency-operator/idempotency-operator/test/redisserver"
)

// benchRecord is a typical small JSON response.
var benchRecord = store.Record{
	Fingerprint: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	Status:      http.StatusCreated,
	Header: http.Header{
		"Content-Type": {"application/json"},
		"Location":     {"/orders/42"},
	},
	Body: bytes.Repeat([]byte("x"), 256),
}

// BenchmarkClaimComplete measures the path of a new request on a local
// redis-server: two round trips, a claim and its completion.
func BenchmarkClaimComplete(b *testing.B) {
	s := benchStore(b)
	var next atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := "key-" + strconv.FormatInt(next.Add(1), 10)
			res, err := s.Claim(b.Context(), key, benchRecord.Fingerprint, time.Minute)
			if err != nil || res.State != store.Claimed {
				b.Fatalf("Claim = %v, %v", res.State, err)
			}
			if err := s.Complete(b.Context(), key, res.Token, benchRecord, time.Minute); err != nil {
				b.Fatalf("Complete: %v", err)
			}
		}
	})
}

// BenchmarkClaimCompleted measures the replay path: one round trip that
// returns the stored response.
func BenchmarkClaimCompleted(b *testing.B) {
	s := benchStore(b)
	res, err := s.Claim(b.Context(), "done", benchRecord.Fingerprint, time.Minute)
	if err != nil {
		b.Fatalf("Claim: %v", err)
	}
	if err := s.Complete(b.Context(), "done", res.Token, benchRecord, time.Hour); err != nil {
		b.Fatalf("Complete: %v", err)
	}

	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := s.Claim(b.Context(), "done", "fp", time.Minute)
			if err != nil || res.State != store.Completed {
				b.Fatalf("Claim = %v, %v", res.State, err)
			}
		}
	})
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
