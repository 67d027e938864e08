package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// Store is a store.Store on Redis. Create it with New or NewWithClient.
type Store struct {
	client goredis.UniversalClient
	prefix string
}

var _ store.Store = (*Store)(nil)

// New returns a Store for the Redis that rawURL names:
//
//	redis://[user:password@]host[:port][/db][?options]
//	rediss://...                                   (the same over TLS)
//	unix://[user:password@]/path/to/socket[?db=N&options]
//	redis-sentinel://[user:password@]host[:port][,host[:port]...]/master[/db][?options]
//	rediss-sentinel://...                          (the same over TLS)
//	redis-cluster://[user:password@]host[:port][,host[:port]...][?options]
//	rediss-cluster://...                           (the same over TLS)
//
// Options are go-redis' URL parameters, such as dial_timeout,
// read_timeout, pool_size or skip_verify. For Sentinel, the user info
// holds the primary's credentials and the sentinel_username and
// sentinel_password parameters those of Sentinel itself; ports default to
// 26379. New does not connect: call Ping to check that Redis answers. Its
// errors never contain the password.
func New(rawURL string, opts Options) (*Store, error) {
	cfg, err := parseURL(rawURL, opts)
	if err != nil {
		return nil, err
	}
	return NewWithClient(cfg.client(), opts), nil
}

// NewWithClient returns a Store that uses client, for callers that build
// their own. Only opts.KeyPrefix is used. Close closes the client.
func NewWithClient(client goredis.UniversalClient, opts Options) *Store {
	prefix := opts.KeyPrefix
	if prefix == "" {
		prefix = DefaultKeyPrefix
	}
	return &Store{client: client, prefix: prefix}
}

// Claim implements store.Store.
func (s *Store) Claim(
	ctx context.Context, key, fingerprint string, lease time.Duration,
) (store.ClaimResult, error) {
	if lease <= 0 {
		return store.ClaimResult{}, fmt.Errorf("redis claim: lease must be positive, got %s", lease)
	}

	token := store.NewToken()
	reply, err := claimScript.Run(ctx, s.client, []string{s.prefix + key},
		token, fingerprint, milliseconds(lease)).Slice()
	if err != nil {
		return store.ClaimResult{}, fmt.Errorf("redis claim: %w", err)
	}

	res, err := parseClaim(reply, token, fingerprint)
	if err != nil {
		return store.ClaimResult{}, fmt.Errorf("redis claim: %w", err)
	}
	return res, nil
}

// parseClaim reads the claim script's reply.
func parseClaim(reply []any, token, fingerprint string) (store.ClaimResult, error) {
	if len(reply) == 0 {
		return store.ClaimResult{}, errors.New("empty reply")
	}
	kind, _ := reply[0].(string)
	switch {
	case kind == replyClaimed:
		return store.ClaimResult{State: store.Claimed, Token: token, Fingerprint: fingerprint}, nil

	case kind == replyInFlight && len(reply) == 2:
		holder, _ := reply[1].(string)
		return store.ClaimResult{State: store.InFlight, Fingerprint: holder}, nil

	case kind == replyCompleted:
		rec, err := decodeRecord(reply[1:])
		if err != nil {
			return store.ClaimResult{}, err
		}
		return store.ClaimResult{State: store.Completed, Fingerprint: rec.Fingerprint, Record: rec}, nil
	}
	return store.ClaimResult{}, fmt.Errorf("unexpected reply %q with %d elements", kind, len(reply))
}

// Complete implements store.Store. A record with an empty fingerprint
// keeps the claim's, and one with a zero CompletedAt gets the current
// time. Completing again with the same token keeps the first record and
// returns nil, so that a retry after a lost reply succeeds.
func (s *Store) Complete(
	ctx context.Context, key, token string, rec store.Record, ttl time.Duration,
) error {
	if ttl <= 0 {
		return fmt.Errorf("redis complete: ttl must be positive, got %s", ttl)
	}
	if rec.CompletedAt.IsZero() {
		rec.CompletedAt = time.Now()
	}
	f, err := encodeRecord(rec)
	if err != nil {
		return fmt.Errorf("redis complete: %w", err)
	}

	ok, err := completeScript.Run(ctx, s.client, []string{s.prefix + key},
		token, f.fingerprint, f.status, f.header, f.body, f.omitted, f.completedAt,
		milliseconds(ttl)).Bool()
	return ownerResult("redis complete", ok, err)
}

// Release implements store.Store.
func (s *Store) Release(ctx context.Context, key, token string) error {
	ok, err := releaseScript.Run(ctx, s.client, []string{s.prefix + key}, token).Bool()
	return ownerResult("redis release", ok, err)
}

// Extend implements store.Store.
func (s *Store) Extend(ctx context.Context, key, token string, lease time.Duration) error {
	if lease <= 0 {
		return fmt.Errorf("redis extend: lease must be positive, got %s", lease)
	}
	ok, err := extendScript.Run(ctx, s.client, []string{s.prefix + key},
		token, milliseconds(lease)).Bool()
	return ownerResult("redis extend", ok, err)
}

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

// Close implements store.Store. It closes the client.
func (s *Store) Close() error {
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("closing redis client: %w", err)
	}
	return nil
}

// ownerResult turns the reply of a script that checks the owner token
// into an error.
func ownerResult(op string, ok bool, err error) error {
	switch {
	case err != nil:
		return fmt.Errorf("%s: %w", op, err)
	case !ok:
		return fmt.Errorf("%s: %w", op, store.ErrNotOwner)
	}
	return nil
}

// milliseconds returns d in whole milliseconds for PEXPIRE, rounded up
// so that a positive duration never becomes zero, which would delete the
// key.
func milliseconds(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}
