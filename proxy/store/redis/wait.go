package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Bounds of the pause between two looks at a key in Wait.
const (
	firstWaitPoll = 2 * time.Millisecond
	maxWaitPoll   = 50 * time.Millisecond
)

// Wait implements store.Store. It polls the key's state, starting at
// 2ms and doubling up to 50ms between looks. Polling costs a few cheap
// commands on the shared pool; being told instead, through keyspace
// notifications or Pub/Sub, would hold a connection per waiting request
// and need server configuration. Most claims end within a few
// milliseconds, which the short first pauses catch.
func (s *Store) Wait(ctx context.Context, key string) error {
	pause := firstWaitPoll
	timer := time.NewTimer(pause)
	defer timer.Stop()

	for {
		state, err := s.client.HGet(ctx, s.prefix+key, "state").Result()
		switch {
		case errors.Is(err, goredis.Nil):
			return nil
		case err != nil:
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			return fmt.Errorf("redis wait: %w", err)
		case state != stateInFlight:
			return nil
		}

		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		pause = min(2*pause, maxWaitPoll)
		timer.Reset(pause)
	}
}
