package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"slices"
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

// row is one target loaded in one mode: its processes, its requests and
// what was measured.
type row struct {
	target target
	mode   mode

	stack    *stack
	reqs     *requests
	client   *http.Client
	load     load.Target
	replayed atomic.Int64

	warm   load.Result
	slices []load.Result
	// cpuBefore is the CPU time of the stack's processes after warm-up.
	cpuBefore map[role]time.Duration
	usage     usage
	// result joins the slices: the row's figures.
	result load.Result
	// all joins the warm-up and the slices, to count every response.
	all   load.Result
	check check
	// err says why the row has no figures.
	err error
}

// ok reports whether the row has figures.
func (r *row) ok() bool { return r != nil && r.err == nil }

// check is the correctness verdict of a row: did every key that got a 2xx
// cause exactly one side effect?
type check struct {
	passed bool
	detail string
}

// measureMode measures targets in mode m. It starts a fresh stack for
// every target first, warms each up, then loads the rows in turns of one
// slice each until every row has had its measured duration. Taking turns
// spreads the machine's background noise over all rows alike, so that the
// ratios between rows stay fair on a busy machine.
func (b *bench) measureMode(ctx context.Context, m mode, targets []target) []*row {
	var rows, live []*row
	defer func() {
		for _, r := range rows {
			if r.stack != nil {
				r.stack.stop()
			}
			if r.client != nil {
				r.client.CloseIdleConnections()
			}
		}
	}()
	for _, t := range targets {
		r := &row{target: t, mode: m}
		rows = append(rows, r)
		if r.err = b.prepare(ctx, r); r.err == nil {
			live = append(live, r)
		}
	}

	for _, r := range live {
		r.warm, r.err = b.run(ctx, r, b.opts.warmup)
		if r.err == nil {
			r.cpuBefore, r.err = r.stack.cpuTimes()
		}
	}

	slices := max(1, int(math.Ceil(float64(b.opts.duration)/float64(b.opts.slice))))
	slice := b.opts.duration / time.Duration(slices)
	for i := range slices {
		for j := range live {
			r := live[(i+j)%len(live)]
			if r.err != nil || ctx.Err() != nil {
				continue
			}
			res, err := b.run(ctx, r, slice)
			r.slices = append(r.slices, res)
			r.err = err
		}
	}

	for _, r := range live {
		b.finish(ctx, r)
		fmt.Fprintln(os.Stderr, progressLine(r))
	}
	return rows
}

// prepare starts the stack of r and readies its requests: the app's side
// effects are reset, and a replay row sends its key once.
func (b *bench) prepare(ctx context.Context, r *row) error {
	name := fmt.Sprintf("%s-%s", r.mode, r.target.id)
	st, err := b.startStack(ctx, r.target, name)
	if err != nil {
		return err
	}
	r.stack = st
	if err := resetEffects(st.appURL); err != nil {
		return err
	}

	r.reqs = &requests{url: st.frontURL + benchPath, prefix: name + "-", replay: r.target.replay}
	r.load = load.Target{
		NewRequest: r.reqs.newRequest,
		Observe: func(resp *http.Response) {
			if resp.Header.Get(replayedHeader) == "true" {
				r.replayed.Add(1)
			}
		},
	}
	r.client = load.NewClient(b.connections(r.mode))
	if r.target.replay {
		return prewarm(r.client, r.reqs)
	}
	return nil
}

// finish joins the slices of r and checks the app's side effects.
func (b *bench) finish(ctx context.Context, r *row) {
	if r.err == nil && ctx.Err() != nil {
		r.err = ctx.Err()
	}
	if r.err != nil {
		return
	}
	r.result = load.Combine(r.slices...)
	r.all = load.Combine(append([]load.Result{r.warm}, r.slices...)...)
	if r.err = r.measureUsage(); r.err != nil {
		return
	}
	total, err := sideEffects(r.stack.appURL)
	if err != nil {
		r.err = err
		return
	}
	r.check = verify(r.target, append([]load.Result{r.warm}, r.slices...), r.replayed.Load(), total)
}

// measureUsage records the CPU time the row's processes used since the
// warm-up, and the front's memory.
func (r *row) measureUsage() error {
	after, err := r.stack.cpuTimes()
	if err != nil {
		return err
	}
	r.usage.cpu = map[role]time.Duration{}
	for role, d := range after {
		r.usage.cpu[role] = d - r.cpuBefore[role]
	}
	if f := r.stack.front(); f != nil {
		if r.usage.frontRSS, err = f.residentBytes(); err != nil {
			return err
		}
	}
	return nil
}

// cpuPerRequest is the CPU time of role per measured request, or 0.
func (r *row) cpuPerRequest(ro role) time.Duration {
	if !r.ok() || r.result.Completed == 0 {
		return 0
	}
	return r.usage.cpu[ro] / time.Duration(r.result.Completed)
}

// slicePercentile is the median over the row's slices of each slice's
// q-th latency percentile. A stall of the machine that spoils one slice
// moves it little, where it can set the p99 of the whole row.
func (r *row) slicePercentile(q float64) time.Duration {
	if !r.ok() || len(r.slices) == 0 {
		return 0
	}
	v := make([]time.Duration, 0, len(r.slices))
	for _, s := range r.slices {
		v = append(v, s.Latencies.Percentile(q))
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// connections is how many connections the load generator keeps open.
func (b *bench) connections(m mode) int {
	if m == openLoop {
		return b.opts.maxInFlight
	}
	return b.opts.concurrency
}

// run loads row r for d.
func (b *bench) run(ctx context.Context, r *row, d time.Duration) (load.Result, error) {
	if r.mode == openLoop {
		return load.Open{
			Client:      r.client,
			Target:      r.load,
			Rate:        b.opts.rate,
			Duration:    d,
			MaxRequests: b.opts.maxRequests,
			MaxInFlight: b.opts.maxInFlight,
		}.Run(ctx)
	}
	return load.Closed{
		Client:      r.client,
		Target:      r.load,
		Concurrency: b.opts.concurrency,
		Duration:    d,
		MaxRequests: b.opts.maxRequests,
	}.Run(ctx)
}

// prewarm sends the replay key once, so that every request of the row is
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
