// Command ociimage wraps one static binary into a single-layer OCI image and
// writes it as a tarball of an OCI image layout, without a container daemon.
// containerd imports the result with `ctr images import`, which is how the
// project's images reach a node that cannot pull from a registry.
//
// Usage:
//
//	ociimage --binary bin/images/linux_amd64/idempotency-proxy \
//	    --path /idempotency-proxy --name localhost/idempotency/proxy:e2e \
//	    --out bin/images/proxy.tar
//
// The image holds the binary (owned by root, mode 0755) at --path, which is
// also its entrypoint; /etc/passwd and /etc/group naming the nonroot user
// 65532, that user's home directory, and a world-writable /tmp. It runs as
// 65532:65532, so it satisfies the restricted Pod Security profile.
//
// The output is reproducible: every timestamp is --epoch (default 0, the
// Unix epoch) and every tar lists its entries in a fixed order, so the same
// binary and flags always give the same manifest digest. The inputs of the
// last build are recorded next to the tarball (<out>.inputs); when they have
// not changed, ociimage leaves the tarball alone unless --force is given.
//
// On success it prints the manifest digest, the image name and whether it
// built the image or found it unchanged:
//
//	sha256:4a86...478e localhost/idempotency/proxy:e2e (built)
package main
