// Command loadbench measures the idempotency proxy under real HTTP load
// and compares it, in one run, with the sample app reached directly and
// with Go's httputil.ReverseProxy. It is what `make bench` runs:
//
//	go run ./test/bench/cmd/loadbench -duration 10s -concurrency 32 -out docs/benchmarks.md
//
// It builds the sample app, the proxy and the baseline proxy and gives
// every row fresh processes on loopback, each server with GOMAXPROCS=1.
// The rows of a mode run side by side and take turns at the load in short
// slices, so that a burst of background work on the machine hits them
// alike: first in a closed loop for throughput, then at a fixed rate for
// latency. After the rows it checks that the app's side effects match the
// keys that got a 2xx, prints a Markdown report with every figure also as
// a ratio, and, with -out, writes the report into a Markdown file.
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

	"github.com/idempotency-operator/idempotency-operator/internal/testenv"
)

// options are the command-line flags.
type options struct {
	duration, warmup time.Duration
	concurrency      int
	rate             float64
	maxInFlight      int
	maxRequests      int64
	slice            time.Duration
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
	flag.DurationVar(&o.slice, "slice", time.Second,
		"rows take turns at the load in slices this long, so that background noise hits them alike")
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
	if o.duration <= 0 || o.warmup <= 0 || o.slice <= 0 || o.concurrency < 1 || o.rate <= 0 ||
		o.maxInFlight < 1 || o.maxRequests < 1 {
		return errors.New("-duration, -warmup, -slice, -concurrency, -rate, -max-in-flight and " +
			"-max-requests must be positive")
	}
	for id := range o.rows {
		if !knownRow(id) {
			return fmt.Errorf("-rows: no row %q; the rows are %s", id, rowIDs())
		}
	}
	root := testenv.RepoRoot()
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
	rows := b.measureAll(ctx)
	if ctx.Err() != nil {
		return errors.New("interrupted; no report")
	}

	rep := &report{opts: o, machine: m, started: started, pinning: b.pinned(), rows: rows,
		redisErr: b.redisErr}
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

// measureAll measures the closed-loop rows, then the fixed-rate rows.
func (b *bench) measureAll(ctx context.Context) []*row {
	var rows []*row
	for _, m := range []mode{closedLoop, openLoop} {
		targets := closedTargets
		if m == openLoop {
			targets = openTargets
		}
		var chosen []target
		for _, t := range targets {
			if !b.skip(t) {
				chosen = append(chosen, t)
			}
		}
		if len(chosen) == 0 || ctx.Err() != nil {
			continue
		}
		fmt.Fprintf(os.Stderr, "Measuring %d %s-loop rows in turns of %s\n", len(chosen), m, b.opts.slice)
		rows = append(rows, b.measureMode(ctx, m, chosen)...)
	}
	return rows
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
