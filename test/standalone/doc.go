// Package standalone tests the idempotency proxy the way a user runs it
// outside Kubernetes: the real idempotency-proxy and sample-app commands,
// built once per test binary, run as processes on loopback ports and driven
// over HTTP and with signals.
//
// Each test states one behaviour a user relies on and checks it by what a
// user sees: status codes, bodies, the Idempotent-Replayed header, the
// admin endpoints, exit codes, log lines, and the side effects the sample
// app counts at GET /_effects. Tests wait for the other processes by
// polling with a deadline, never by sleeping.
//
// The package holds tests only; this file carries its documentation.
package standalone
