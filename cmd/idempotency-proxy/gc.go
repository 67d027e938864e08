package main

import (
	"log/slog"
	"math"
	"os"
	"runtime/debug"
)

// tuneGC sets the garbage collector for a process whose live heap is
// mostly the memory store's records. Each collection marks every record,
// so with Go's default GOGC of 100 a store of a few tens of megabytes
// costs a collection of tens of milliseconds every second or so, on the
// one CPU a sidecar has: that is what a client sees as tail latency. A
// higher GOGC collects several times less often; a memory limit keeps the
// heap bounded all the same. Both are left alone when set in the
// environment (the injected sidecar gets GOMEMLIMIT from its container's
// memory limit).
func tuneGC(storeBytes int64, log *slog.Logger) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
		log.Debug("Raised GOGC to 400; set GOGC to choose another value")
	}
	if os.Getenv("GOMEMLIMIT") == "" && storeBytes > 0 && storeBytes < math.MaxInt64/4 {
		// Room for the store, the garbage between collections and the
		// rest of the process.
		debug.SetMemoryLimit(2*storeBytes + 64<<20)
	}
}
