// Package testenv finds what the envtest suites of this repository need:
// the repository's root, the CRD manifests and the kube-apiserver and etcd
// binaries built from source by hack/build-kube-binaries.sh.
//
// It is imported by tests only.
package testenv
