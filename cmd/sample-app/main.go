package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/idempotency-operator/idempotency-operator/test/sampleapp"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:9090", "address to serve on, host:port")
	shutdownTimeout := flag.Duration("shutdown-timeout", 10*time.Second,
		"how long to wait for requests in flight after SIGTERM")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	if err := run(ctx, *listen, *shutdownTimeout, logger); err != nil {
		logger.Error("Sample app stopped", "err", err)
		os.Exit(1)
	}
}

// run listens on addr and serves until ctx is done.
func run(ctx context.Context, addr string, shutdownTimeout time.Duration,
	logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	return serve(ctx, ln, shutdownTimeout, logger)
}

// serve serves a new sample app on ln until ctx is done, then shuts down
// gracefully, waiting at most shutdownTimeout for requests in flight.
func serve(ctx context.Context, ln net.Listener, shutdownTimeout time.Duration,
	logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           sampleapp.New(),
		ReadHeaderTimeout: 10 * time.Second,
	}

	logger.Info("Serving sample app", "address", ln.Addr().String())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}

	logger.Info("Shutting down", "timeout", shutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Requests still in flight are cut off rather than left running.
		return errors.Join(fmt.Errorf("shutting down: %w", err), srv.Close())
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	return nil
}
