// Package controllers holds the IdempotencyPolicy reconciler, the control
// plane half of the operator.
//
// The reconciler is keyed by policy but works on a whole namespace at a
// time, because the proxies of a namespace share one configuration: it
// validates every policy of the namespace (Secrets, route conflicts, the
// rules of the rendered format), renders the accepted ones into the
// namespace's ConfigMap with proxy/config, and then reports on the policy
// it was asked about: whether it is accepted, rendered, and enforced by
// every pod it selects. What a sidecar has loaded is read through the
// LoadedConfigReader interface; the default asks each proxy's admin port.
package controllers
