// Command loadbench measures the idempotency proxy under real HTTP load
// and compares it, in one run, with the sample app reached directly and
// with Go's httputil.ReverseProxy. It is what `make bench` runs:
//
//	go run ./test/bench/cmd/loadbench -duration 10s -concurrency 32 -out docs/benchmarks.md
//
// It builds the sample app, the proxy and the baseline proxy, then for
// every row starts fresh processes on loopback, each server with
// GOMAXPROCS=1, warms them up and loads them: first in a closed loop for
// throughput, then at a fixed rate for latency. It checks after each row
// that the app's side effects match the keys that got a 2xx, prints a
// Markdown report with every figure also as a ratio, and, with -out,
// writes the report into a Markdown file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// options are the command-line flags.
type options struct {
	duration, warmup time.Duration
	concurrency      int
	rate             float64
	maxInFlight      int
	maxRequests      int64
	rounds           int
	policy           string
	redisServer      string
	pin              bool
	keepLogs         bool
	out              string
	rows             map[string]bool
}

func main() {
	var o options
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured time of each row, after its warm-up")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each row's measurement")
	flag.IntVar(&o.concurrency, "concurrency", 32, "clients of the closed-loop rows, each with its own keep-alive connection")
	flag.Float64Var(&o.rate, "rate", 2000, "requests per second of the fixed-rate rows")
	flag.IntVar(&o.maxInFlight, "max-in-flight", 512, "bound on outstanding requests of the fixed-rate rows")
	flag.Int64Var(&o.maxRequests, "max-requests", 2_000_000, "cap on the requests of one warm-up or measurement")
	flag.IntVar(&o.rounds, "rounds", 1, "times the whole sequence of rows runs; the report shows medians")
	flag.StringVar(&o.policy, "policy", "config/samples/idempotency_v1alpha1_idempotencypolicy.yaml",
		"IdempotencyPolicy of the protected rows, relative to the repository root")
	flag.StringVar(&o.redisServer, "redis-server", "redis-server", "redis-server program for the Redis rows")
	flag.BoolVar(&o.pin, "pin", false, "pin the proxy to CPU 0 and the app and redis-server to CPU 1 with taskset")
	flag.BoolVar(&o.keepLogs, "keep-logs", false, "keep the processes' logs and binaries after the run")
	flag.StringVar(&o.out, "out", "", "Markdown file to write the report into, between the loadbench markers")
	rows := flag.String("rows", "", "comma-separated row ids to run instead of all: "+rowIDs())
	flag.Parse()
	o.rows = parseRows(*rows)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

// bench is one run of the harness: its options and the files it built.
type bench struct {
	opts              options
	bins              binaries
	launcher          *launcher
	protectedPolicy   string
	passthroughPolicy string
	// redisBin is empty when redis-server is missing; redisErr says so.
	redisBin string
	redisErr error
}

func run(ctx context.Context, o options) error {
	if o.duration <= 0 || o.warmup <= 0 || o.concurrency < 1 || o.rate <= 0 || o.rounds < 1 ||
		o.maxInFlight < 1 || o.maxRequests < 1 {
		return errors.New("-duration, -warmup, -concurrency, -rate, -rounds, -max-in-flight and " +
			"-max-requests must be positive")
	}
	for id := range o.rows {
		if !knownRow(id) {
			return fmt.Errorf("-rows: no row %q; the rows are %s", id, rowIDs())
		}
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "loadbench-")
	if err != nil {
		return err
	}
	if o.keepLogs {
		fmt.Fprintln(os.Stderr, "Logs and binaries are kept in", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	b := &bench{opts: o, launcher: &launcher{logDir: tmp}}
	if o.pin {
		if !tasksetAvailable() {
			return errors.New("-pin needs taskset (util-linux)")
		}
		b.launcher.cpus = map[role]int{roleFront: 0, roleApp: 1, roleStore: 1}
	}
	b.redisBin, b.redisErr = redisServer(o.redisServer)
	if b.redisErr != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", b.redisErr)
	}

	fmt.Fprintln(os.Stderr, "Building the sample app, idempotency-proxy and baselineproxy")
	if b.bins, err = build(root, tmp); err != nil {
		return err
	}
	b.protectedPolicy = filepath.Join(root, o.policy)
	if b.passthroughPolicy, err = passthroughPolicy(b.protectedPolicy, tmp); err != nil {
		return err
	}

	m := describeMachine()
	started := time.Now()
	results := b.measureAll(ctx)
	if ctx.Err() != nil {
		return errors.New("interrupted; no report")
	}

	rep := newReport(o, m, started, b.pinned(), results, b.redisErr)
	text := rep.markdown()
	fmt.Println(text)
	if o.out != "" {
		if err := writeReport(filepath.Join(root, o.out), text); err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "Wrote the report into", o.out)
	}
	if !rep.allChecksPassed() {
		return errors.New("a correctness check failed or a row could not be measured; see the report")
	}
	return nil
}

// measureAll runs every row of every round, closed-loop rows first, and
// returns the measurements in the order they were taken.
func (b *bench) measureAll(ctx context.Context) []measurement {
	var out []measurement
	for round := 1; round <= b.opts.rounds; round++ {
		for _, m := range []mode{closedLoop, openLoop} {
			targets := closedTargets
			if m == openLoop {
				targets = openTargets
			}
			for _, t := range targets {
				if ctx.Err() != nil {
					return out
				}
				if b.skip(t) {
					continue
				}
				res := b.measure(ctx, t, m, round)
				fmt.Fprintln(os.Stderr, progressLine(res))
				out = append(out, res)
			}
		}
	}
	return out
}

// skip reports whether row t is left out: it needs the missing
// redis-server, or -rows names other rows.
func (b *bench) skip(t target) bool {
	if t.usesRedis() && b.redisBin == "" {
		return true
	}
	return b.opts.rows != nil && !b.opts.rows[t.id]
}

// pinned describes the CPU placement of the processes.
func (b *bench) pinned() string {
	if b.launcher.cpus == nil {
		return "none: the scheduler places every process"
	}
	return "taskset: proxies on CPU 0, sample app and redis-server on CPU 1, load generator unpinned"
}
