package redisserver

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// StartSentinel runs a Redis Sentinel that monitors primary under
// master, and waits until it answers PING. Its URL is a
// redis-sentinel:// URL naming master, so a store built from it finds
// primary through Sentinel.
func StartSentinel(tb testing.TB, primary *Server, master string) *Server {
	tb.Helper()
	return launch(tb, kind{
		args: func(port int, dir string) ([]string, error) {
			// Sentinel insists on a configuration file it can rewrite.
			conf := filepath.Join(dir, "sentinel.conf")
			text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\n"+
				"sentinel monitor %s 127.0.0.1 %d 1\n",
				port, dir, master, primary.port)
			if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
				return nil, fmt.Errorf("writing sentinel configuration: %w", err)
			}
			return []string{conf, "--sentinel", "--daemonize", "no", "--logfile", ""}, nil
		},
		ready: func(string) error { return nil },
		url: func(addr string) string {
			return "redis-sentinel://" + addr + "/" + master
		},
	})
}
