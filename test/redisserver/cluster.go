package redisserver

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lastSlot is the highest of a Redis Cluster's hash slots.
const lastSlot = "16383"

// cluster is a one-node Redis Cluster that owns every hash slot. It
// speaks the cluster protocol, redirects and all, so a cluster client
// and scripts that must name their keys are exercised for real.
var cluster = kind{
	args: func(port int, dir string) ([]string, error) {
		return append(baseArgs(port, dir),
			"--save", "", "--appendonly", "no",
			"--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, "nodes.conf"),
		), nil
	},
	ready: assignAllSlots,
	url:   func(addr string) string { return "redis-cluster://" + addr },
}

// StartCluster runs a one-node Redis Cluster that owns every hash slot,
// with persistence off, and waits until the cluster is up. Its URL is a
// redis-cluster:// URL. Restart brings the node back empty but still
// owning its slots.
func StartCluster(tb testing.TB) *Server {
	tb.Helper()
	return launch(tb, cluster)
}

// assignAllSlots gives the node at addr every slot unless it has them,
// and waits until it reports the cluster as up.
func assignAllSlots(addr string) error {
	info, err := Do(addr, "CLUSTER", "INFO")
	if err != nil {
		return fmt.Errorf("reading cluster info: %w", err)
	}
	if strings.Contains(info, "cluster_slots_assigned:0\r") {
		if _, err := Do(addr, "CLUSTER", "ADDSLOTSRANGE", "0", lastSlot); err != nil {
			return fmt.Errorf("assigning slots: %w", err)
		}
	}

	deadline := time.Now().Add(startTimeout)
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		info, err = Do(addr, "CLUSTER", "INFO")
		if err == nil && strings.Contains(info, "cluster_state:ok") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cluster not up within %s: %q, %v", startTimeout, info, err)
		}
		<-tick.C
	}
}
