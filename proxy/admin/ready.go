package admin

import (
	"context"
	"sync/atomic"
	"time"
)

// ReadyOnce returns a readiness check that passes once check has succeeded
// and stays passing after that. The proxy uses it with a ping of the stores
// its fail-closed policies need: a proxy is ready when those have answered
// once (a store that only fail-open or Audit policies use holds nothing
// back, as those policies forward requests without it), and a later
// store outage is handled by each policy's failureMode rather than by
// pulling the pod from its Service, which would turn a store outage into an
// outage of every route.
func ReadyOnce(check func(context.Context) error) func() (bool, string) {
	var ready atomic.Bool
	return func() (bool, string) {
		if ready.Load() {
			return true, ""
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := check(ctx); err != nil {
			return false, "store unreachable: " + err.Error()
		}
		ready.Store(true)
		return true, ""
	}
}
