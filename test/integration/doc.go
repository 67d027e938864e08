// Package integration holds the end-to-end tests of the idempotency proxy:
// the guarantees a user of the proxy relies on, checked over real loopback
// sockets against the sample application, which is deliberately not
// idempotent, and against real redis-server processes.
//
// The proxy package tests each rule of the HTTP contract on its own. These
// tests check what the rules add up to: every mutation of the sample app
// runs once however often it is retried, concurrent duplicates run once,
// proxies that share Redis behave as one, a Redis outage is handled by the
// policy's failure mode and recovered from without a restart, and the claim
// of a proxy that died expires with its lease.
//
// Run them with go test ./test/integration/...; they need redis-server
// installed and the go command on the PATH.
package integration
