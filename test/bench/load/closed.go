package load

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Closed is a closed-loop run: Concurrency clients each send a request,
// wait for the whole answer, and send the next one at once, until Duration
// has passed or MaxRequests have been sent.
type Closed struct {
	Client      *http.Client
	Target      Target
	Concurrency int
	Duration    time.Duration
	MaxRequests int64
}

// Run performs the run. It returns early, with what it measured so far,
// when ctx is done.
func (c Closed) Run(ctx context.Context) (Result, error) {
	if c.Client == nil || c.Target.NewRequest == nil {
		return Result{}, errors.New("a closed run needs a client and a request builder")
	}
	if c.Concurrency < 1 || c.Duration <= 0 || c.MaxRequests < 1 {
		return Result{}, errors.New("a closed run needs a concurrency, a duration and a request cap")
	}

	var (
		issued   atomic.Int64
		wg       sync.WaitGroup
		tallies  = make([]*tally, c.Concurrency)
		perTally = int(min(c.MaxRequests/int64(c.Concurrency)+1, 1<<16))
	)
	start := time.Now()
	deadline := start.Add(c.Duration)
	for i := range tallies {
		t := newTally(perTally)
		tallies[i] = t
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) && issued.Add(1) <= c.MaxRequests {
				t0 := time.Now()
				code, err := send(ctx, c.Client, c.Target)
				if err != nil {
					t.fail(err)
					continue
				}
				t.ok(code, time.Since(t0))
			}
		})
	}
	wg.Wait()
	return merge(time.Since(start), tallies), nil
}
