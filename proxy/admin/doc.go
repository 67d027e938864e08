// Package admin serves the proxy's admin endpoints: liveness, readiness,
// Prometheus metrics and the loaded configuration's hash, on a listener
// separate from the traffic it proxies.
package admin
