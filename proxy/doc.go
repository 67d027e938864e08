// Package proxy is the idempotency proxy's engine: an http.Handler that
// sits in front of an application and makes the mutations on protected
// routes idempotent.
//
// For a protected route the handler reads the idempotency key, scopes it to
// the caller, fingerprints the request and claims the key in a store. The
// first request runs and its response is stored for the route's ttl; a
// retry gets the stored response back with Idempotent-Replayed: true and
// never reaches the application; a concurrent duplicate waits for the first
// or is turned away with 409; a key reused for a different request gets
// 422. Every other request is streamed through untouched.
//
// The engine knows nothing of Kubernetes: it is configured with the
// rendered document of package config and reaches its records through the
// store.Store interface.
package proxy
