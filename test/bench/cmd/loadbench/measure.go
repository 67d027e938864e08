package main

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/idempotency-operator/idempotency-operator/test/bench/load"
)

// mode is how a row is loaded.
type mode string

const (
	// closedLoop measures throughput with a fixed number of busy clients.
	closedLoop mode = "closed"
	// openLoop measures latency at a fixed request rate.
	openLoop mode = "open"
)

// measurement is one row measured once.
type measurement struct {
	target target
	mode   mode
	round  int
	result load.Result
	check  check
	// err says why the row has no figures.
	err error
}

// check is the correctness verdict of a row: did every key that got a 2xx
// cause exactly one side effect?
type check struct {
	passed bool
	detail string
}

// measure starts a fresh stack for t, warms it up, loads it for the
// configured duration and checks the app's side effects.
func (b *bench) measure(ctx context.Context, t target, m mode, round int) measurement {
	out := measurement{target: t, mode: m, round: round}
	name := fmt.Sprintf("round%d-%s-%s", round, m, t.id)

	st, err := b.startStack(ctx, t, name)
	if err != nil {
		out.err = err
		return out
	}
	defer st.stop()
	if err := resetEffects(st.appURL); err != nil {
		out.err = err
		return out
	}

	var replayed atomic.Int64
	reqs := &requests{url: st.frontURL + benchPath, prefix: name + "-", replay: t.replay}
	lt := load.Target{
		NewRequest: reqs.newRequest,
		Observe: func(resp *http.Response) {
			if resp.Header.Get(replayedHeader) == "true" {
				replayed.Add(1)
			}
		},
	}
	client := load.NewClient(b.connections(m))
	defer client.CloseIdleConnections()

	if t.replay {
		if err := prewarm(client, reqs); err != nil {
			out.err = err
			return out
		}
	}
	warm, err := b.run(ctx, m, client, lt, b.opts.warmup)
	if err != nil {
		out.err = fmt.Errorf("warming up: %w", err)
		return out
	}
	res, err := b.run(ctx, m, client, lt, b.opts.duration)
	if err != nil {
		out.err = err
		return out
	}
	if ctx.Err() != nil {
		out.err = ctx.Err()
		return out
	}
	out.result = res

	total, err := sideEffects(st.appURL)
	if err != nil {
		out.err = err
		return out
	}
	out.check = verify(t, []load.Result{warm, res}, replayed.Load(), total)
	return out
}

// connections is how many connections the load generator keeps open.
func (b *bench) connections(m mode) int {
	if m == openLoop {
		return b.opts.maxInFlight
	}
	return b.opts.concurrency
}

// run loads the target for d in mode m.
func (b *bench) run(ctx context.Context, m mode, client *http.Client, t load.Target,
	d time.Duration) (load.Result, error) {
	if m == openLoop {
		return load.Open{
			Client:      client,
			Target:      t,
			Rate:        b.opts.rate,
			Duration:    d,
			MaxRequests: b.opts.maxRequests,
			MaxInFlight: b.opts.maxInFlight,
		}.Run(ctx)
	}
	return load.Closed{
		Client:      client,
		Target:      t,
		Concurrency: b.opts.concurrency,
		Duration:    d,
		MaxRequests: b.opts.maxRequests,
	}.Run(ctx)
}

// prewarm sends the replay key once, so that every request of the run is
// a replay of a completed response.
func prewarm(client *http.Client, reqs *requests) error {
	req, err := reqs.newRequest()
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("sending the replay key the first time: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || resp.Header.Get(replayedHeader) != "" {
		return fmt.Errorf("the first request with the replay key answered %s, %s=%q; want 201 Created, not replayed",
			resp.Status, replayedHeader, resp.Header.Get(replayedHeader))
	}
	return nil
}

// verify compares the app's side-effect count with the keys that got a
// 2xx. A new-key row sends every key once, so the number of keys that got
// a 2xx is the number of 2xx responses, and each must have run the
// mutation exactly once; none may be a replay. A replay row sent its key
// once before the runs, so the app must have run exactly one mutation and
// every response must be a replay.
func verify(t target, runs []load.Result, replayed, total int64) check {
	var completed, succeeded, failed int64
	for _, r := range runs {
		completed += r.Completed
		succeeded += r.Successes()
		failed += r.Errors
	}

	if t.replay {
		// The prewarm request counts as one more key with a 2xx.
		if total == 1 && replayed == completed && succeeded == completed {
			return check{passed: true, detail: fmt.Sprintf("1 side effect for 1 key; %d of %d responses replayed",
				replayed, completed)}
		}
		return check{detail: fmt.Sprintf("%d side effects for 1 key; %d of %d responses replayed, %d 2xx",
			total, replayed, completed, succeeded)}
	}

	detail := fmt.Sprintf("%d side effects for %d keys with a 2xx", total, succeeded)
	if replayed != 0 {
		return check{detail: detail + fmt.Sprintf("; %d unexpected replays of new keys", replayed)}
	}
	if total != succeeded {
		if failed > 0 {
			detail += fmt.Sprintf(" (%d requests got no response; they may have run)", failed)
		}
		return check{detail: detail}
	}
	return check{passed: true, detail: detail}
}
