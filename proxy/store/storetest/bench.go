package storetest

import (
	"bytes"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
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

// BenchmarkClaimComplete measures the path of a new request on s: a claim
// on an absent key, then its completion.
func BenchmarkClaimComplete(b *testing.B, s store.Store) {
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

// BenchmarkClaimCompleted measures the replay path on s: a claim on one of
// 1,024 keys whose responses are stored.
func BenchmarkClaimCompleted(b *testing.B, s store.Store) {
	const keys = 1024
	for i := range keys {
		key := "done-" + strconv.Itoa(i)
		res, err := s.Claim(b.Context(), key, benchRecord.Fingerprint, time.Minute)
		if err != nil {
			b.Fatalf("Claim: %v", err)
		}
		if err := s.Complete(b.Context(), key, res.Token, benchRecord, time.Hour); err != nil {
			b.Fatalf("Complete: %v", err)
		}
	}

	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(1)) * 7919
		for pb.Next() {
			i++
			res, err := s.Claim(b.Context(), "done-"+strconv.Itoa(i%keys), "fp", time.Minute)
			if err != nil || res.State != store.Completed {
				b.Fatalf("Claim = %v, %v", res.State, err)
			}
		}
	})
}
