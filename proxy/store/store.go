package store

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// ErrNotOwner is returned by Complete, Release and Extend when the token no
// longer holds the claim: its lease expired and the key was released or
// claimed again.
var ErrNotOwner = errors.New("claim is no longer held by this owner")

// State is the state of a key as seen by Claim.
type State int

const (
	// Claimed means the caller now holds the key and must forward the
	// request, then Complete or Release it.
	Claimed State = iota + 1
	// InFlight means another owner holds an unexpired claim on the key.
	InFlight
	// Completed means a response is stored for the key.
	Completed
)

// String returns the state's name, for logs and test failures.
func (s State) String() string {
	switch s {
	case Claimed:
		return "Claimed"
	case InFlight:
		return "InFlight"
	case Completed:
		return "Completed"
	}
	return "Unknown"
}

// Record is a completed response kept for replay.
type Record struct {
	// Fingerprint identifies the request that produced the response.
	Fingerprint string
	// Status is the HTTP status code of the response.
	Status int
	// Header holds the response headers that may be replayed.
	Header http.Header
	// Body is the response body. It is empty when BodyOmitted is set.
	Body []byte
	// BodyOmitted is set when the body was larger than the storage limit:
	// the request ran, but its response cannot be replayed.
	BodyOmitted bool
	// CompletedAt is when the response was stored.
	CompletedAt time.Time
}

// ClaimResult is the outcome of Claim.
type ClaimResult struct {
	// State says what Claim found or did.
	State State
	// Token identifies the new owner when State is Claimed.
	Token string
	// Fingerprint is the fingerprint of the request that holds or held the
	// key; for Claimed it is the caller's own.
	Fingerprint string
	// Record is the stored response when State is Completed.
	Record *Record
}

// Store keeps idempotency records. Keys are opaque strings built by the
// proxy; they never contain a caller's key in clear text. Every method is
// safe for concurrent use and, for shared stores, atomic across processes.
type Store interface {
	// Claim takes the key for a request with the given fingerprint unless
	// it is already claimed or completed. A new claim lasts for lease
	// unless it is extended, completed or released.
	Claim(ctx context.Context, key, fingerprint string, lease time.Duration) (ClaimResult, error)

	// Complete stores rec under key for ttl, if token still holds the
	// claim.
	Complete(ctx context.Context, key, token string, rec Record, ttl time.Duration) error

	// Release deletes the claim, if token still holds it, so that the key
	// can be claimed again at once.
	Release(ctx context.Context, key, token string) error

	// Extend renews the lease of a claim that token still holds.
	Extend(ctx context.Context, key, token string, lease time.Duration) error

	// Wait blocks until the key is no longer in flight (completed,
	// released, expired or its lease ran out) or ctx is done. It returns
	// nil at once when the key is not in flight. The caller then calls
	// Claim again to learn which it is.
	Wait(ctx context.Context, key string) error

	// Ping reports whether the store can be reached.
	Ping(ctx context.Context) error

	// Close releases the store's resources.
	Close() error
}
