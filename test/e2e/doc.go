// Package e2e tests the operator end to end on a running cluster: the
// manager installed from config/default, its webhook injecting the proxy
// into real pods, the proxy enforcing policies against the sample app, and
// the policy status telling users what happened.
//
// The tests build with the tag e2e and expect the operator to be installed
// already:
//
//	hack/e2e/deploy.sh
//	go test -tags e2e -count=1 -v ./test/e2e/... -ginkgo.v -timeout 30m
//
// -count=1 matters: go test would otherwise replay a cached pass without
// looking at the cluster, and -v shows each step and the measurements
// (the time from a policy edit to its enforcement is also written to
// bin/e2e/apply-to-enforced.txt).
//
// They use the cluster of E2E_KUBECONFIG, else KUBECONFIG, else the local
// cluster's bin/cluster/kubeconfig, so the same suite runs on the local
// cluster, on kind or on a real cluster. Other settings:
//
//	E2E_IMAGE_SAMPLE_APP   the sample app's image (default
//	                       localhost/idempotency/sample-app:e2e)
//	E2E_REDIS_HOST         the address, on the machine running the tests,
//	                       that pods reach and Redis binds to (default: the
//	                       host address on the pods' bridge, else on the
//	                       node's network)
//	E2E_POD_ACCESS         direct (dial pod IPs) or apiserver (the API
//	                       server's pod proxy); default: direct when pod
//	                       IPs answer from here
//	E2E_KEEP_NAMESPACES=1  leave the test namespaces behind for debugging
//
// The tests start their own redis-server on the test machine, bound to
// that one address, and send traffic only to pods of their own namespaces,
// on the pods' addresses.
package e2e
