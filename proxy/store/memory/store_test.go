package memory_test

import (
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/memory"
	"github.com/idempotency-operator/idempotency-operator/proxy/store/storetest"
)

func TestConformance(t *testing.T) {
	clock := storetest.NewClock()
	storetest.Run(t, func(*testing.T) store.Store {
		return memory.New(memory.Options{Now: clock.Now})
	}, storetest.WithAdvance(clock.Advance))
}

// TestConformanceOnRealClock runs the suite once more on the real clock,
// so that the timers that wake waiters at the end of a lease are
// exercised too.
func TestConformanceOnRealClock(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store {
		return memory.New(memory.Options{})
	}, storetest.WithShortLease(50*time.Millisecond))
}
