package memory

import (
	"context"
	"fmt"
	"time"
)

// Wait implements store.Store. It blocks on the claim's done channel,
// which Complete and Release close, and on a timer for the end of the
// claim's lease, since nothing else marks that moment. When the timer
// fires it looks again, because the lease may have been extended.
func (s *Store) Wait(ctx context.Context, key string) error {
	sh := s.shardFor(key)
	for {
		if err := s.usable(); err != nil {
			return fmt.Errorf("memory wait: %w", err)
		}

		sh.mu.Lock()
		now := s.now().UnixNano()
		e := sh.lookup(key, now)
		if e == nil || e.completed {
			sh.mu.Unlock()
			return nil
		}
		if e.done == nil {
			e.done = make(chan struct{})
		}
		done, remaining := e.done, time.Duration(e.expires-now)
		sh.mu.Unlock()

		if stop := wait(ctx, done, remaining); stop != nil {
			return stop
		}
	}
}

// wait blocks until done is closed, d has passed or ctx is done, and
// returns ctx's error in the last case only.
func wait(ctx context.Context, done <-chan struct{}, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
		return nil
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
