//go:build unix

// Command pause is the sandbox container of the local test cluster's pods:
// the runtime starts it first in every pod to hold the pod's namespaces
// open. It does nothing until SIGTERM or SIGINT, then exits 0.
//
// When the pod shares one process namespace, pause is its process 1 and
// inherits every orphaned process; it reaps them so that they do not stay
// behind as zombies.
package main

import (
	"errors"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)

	for sig := range signals {
		if sig == syscall.SIGCHLD {
			reapChildren()
			continue
		}
		os.Exit(0)
	}
}

// reapChildren collects every child that has exited. One SIGCHLD may stand
// for several exits, so it waits until none is left.
func reapChildren() {
	for {
		var status syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || pid <= 0 {
			return
		}
	}
}
