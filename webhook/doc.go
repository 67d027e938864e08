// Package webhook is the mutating admission webhook that adds the
// idempotency proxy to pods.
//
// When a pod is created in a namespace labelled
// idempotency.io/injection=enabled, the Injector adds the proxy as a sidecar
// (a native sidecar when the cluster supports it), mounts the namespace's
// rendered proxy configuration, the pod's own labels and the Secrets that
// hold Redis URLs, and records the proxy version and configuration hash in
// the pod's annotations.
//
// The webhook never stands between a user and a running pod: when it cannot
// inject, it admits the pod unchanged and says why, in an admission warning
// and in an Event on the namespace's policies. The controller then reports
// the pod as not enforced in the policies' status.
package webhook
