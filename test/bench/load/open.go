package load

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Open is an open-loop run: it sends Rate requests per second on a fixed
// schedule for Duration, however slowly the target answers. A request is
// timed from the moment the schedule says it is due, so time it spends
// waiting for a free sender counts as latency. At most MaxInFlight
// requests are outstanding; past that the schedule falls behind, and the
// lateness shows in the latencies.
type Open struct {
	Client      *http.Client
	Target      Target
	Rate        float64
	Duration    time.Duration
	MaxRequests int64
	MaxInFlight int
}

// outcome is what happened to one scheduled request.
type outcome struct {
	code    int
	latency time.Duration
	err     error
}

var errNotSent = errors.New("not sent: the run was stopped")

// Run performs the run. When ctx is done it stops sending, waits for the
// requests in flight, and counts the ones never sent as errors.
func (o Open) Run(ctx context.Context) (Result, error) {
	if o.Client == nil || o.Target.NewRequest == nil {
		return Result{}, errors.New("an open run needs a client and a request builder")
	}
	if o.Rate <= 0 || o.Duration <= 0 || o.MaxRequests < 1 || o.MaxInFlight < 1 {
		return Result{}, errors.New("an open run needs a rate, a duration, a request cap and an in-flight bound")
	}
	total := min(int64(o.Rate*o.Duration.Seconds()), o.MaxRequests)
	if total < 1 {
		return Result{}, fmt.Errorf("a rate of %.0f/s for %s schedules no request", o.Rate, o.Duration)
	}
	interval := time.Duration(float64(time.Second) / o.Rate)

	outcomes := make([]outcome, total)
	slots := make(chan struct{}, o.MaxInFlight)
	var wg sync.WaitGroup
	timer := time.NewTimer(0)
	defer timer.Stop()

	start := time.Now()
	sent := int64(0)
schedule:
	for ; sent < total && ctx.Err() == nil; sent++ {
		due := start.Add(time.Duration(sent) * interval)
		if wait := time.Until(due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
				break schedule
			}
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			break schedule
		}
		i := sent
		wg.Go(func() {
			defer func() { <-slots }()
			code, err := send(ctx, o.Client, o.Target)
			outcomes[i] = outcome{code: code, latency: time.Since(due), err: err}
		})
	}
	for i := sent; i < total; i++ {
		outcomes[i].err = errNotSent
	}
	wg.Wait()
	elapsed := time.Since(start)

	t := newTally(int(total))
	for _, oc := range outcomes {
		if oc.err != nil {
			t.fail(oc.err)
			continue
		}
		t.ok(oc.code, oc.latency)
	}
	return merge(elapsed, []*tally{t}), nil
}
