// Command sample-app serves the sample application of package
// test/sampleapp: an HTTP API whose mutations are deliberately not
// idempotent, to put behind the idempotency proxy in demos, end-to-end tests
// and benchmarks.
//
// Usage:
//
//	sample-app [--listen 127.0.0.1:9090] [--shutdown-timeout 10s]
//
// On SIGTERM or SIGINT it stops accepting connections and waits up to the
// shutdown timeout for requests in flight, then exits. State lives in
// memory only and is lost on exit.
package main
