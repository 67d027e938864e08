package memory_test

import (
	"testing"

	"github.com/idempotency-operator/idempotency-operator/proxy/store/memory"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/storetest"
)

// Once the default budget fills, each claim of a new key also evicts an
// old record.
func BenchmarkClaimComplete(b *testing.B) {
	storetest.BenchmarkClaimComplete(b, memory.New(memory.Options{}))
}

func BenchmarkClaimCompleted(b *testing.B) {
	storetest.BenchmarkClaimCompleted(b, memory.New(memory.Options{}))
}
