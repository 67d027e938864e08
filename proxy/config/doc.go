// Package config defines the proxy's rendered configuration: one versioned
// document (apiVersion proxy.idempotency.io/v1, kind ProxyConfig) that holds
// every policy a proxy may enforce, with all defaults filled in.
//
// The document is the single contract between the control plane and the
// proxy. The controller renders IdempotencyPolicy objects into it with
// Render; the standalone proxy does the same with the manifests it is given
// on the command line. The proxy reads either form, validates it with the
// same rules the CRD enforces at kubectl apply, and identifies what it has
// loaded by the document's Hash.
package config
