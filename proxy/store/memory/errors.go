package memory

import "errors"

// ErrFull is returned by Claim when the store has no room for a new claim
// because everything it holds is an in-flight claim that may not be
// dropped. Raising Options.MaxBytes or Options.MaxEntries, or shortening
// leases, makes room.
var ErrFull = errors.New("memory store is full of in-flight claims")

// ErrClosed is returned by every method after Close.
var ErrClosed = errors.New("memory store is closed")
