#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Imports OCI images into the local cluster's containerd (namespace k8s.io),
# where the kubelet finds them without pulling.
#
# Usage: hack/cluster/import-image.sh <oci-layout-dir-or-tar> ...
#
# Each argument is an OCI image layout, as a directory or a tar of one,
# whose index.json names the image with an io.containerd.image.name
# annotation (or org.opencontainers.image.ref.name holding a full name),
# for example localhost/idempotency/proxy:e2e. Pods should use these names
# with imagePullPolicy: Never or IfNotPresent.
# Environment: CLUSTER_DIR (default: bin/cluster in the repository)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "${here}/lib.sh"

[ $# -gt 0 ] || die "usage: hack/cluster/import-image.sh <oci-layout-dir-or-tar> ..."
component_pid containerd >/dev/null || die "the cluster's containerd is not running; start it with hack/cluster/up.sh"

ctr_cmd=(ctr --address "${containerd_socket}" --namespace k8s.io)

import_one() {
  local source="$1" output
  if [ -d "${source}" ]; then
    [ -f "${source}/index.json" ] || die "${source} is not an OCI layout (no index.json)"
    output="$(tar -C "${source}" -cf - . | "${ctr_cmd[@]}" images import -)" ||
      die "importing ${source} failed: ${output}"
  elif [ -f "${source}" ]; then
    output="$("${ctr_cmd[@]}" images import "${source}")" ||
      die "importing ${source} failed: ${output}"
  else
    die "no such file or directory: ${source}"
  fi
  # ctr prints "unpacking <name> (<digest>)...done" for each image.
  local names
  names="$(printf '%s\n' "${output}" | sed -n 's/^unpacking \([^ ]*\) .*/\1/p')"
  [ -n "${names}" ] || die "${source} held no named image; its index.json needs an io.containerd.image.name annotation"
  printf '%s\n' "${names}" | while read -r name; do log "imported ${name} from ${source}"; done
}

for source in "$@"; do
  import_one "${source}"
done
