#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Says whether the local cluster is running: each daemon with its PID and
# log, whether the API server is ready, the node's state and the
# kubeconfig path. Exits 0 when everything runs, 1 otherwise.
#
# Usage: hack/cluster/status.sh
# Environment: CLUSTER_DIR (default: bin/cluster in the repository)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "${here}/lib.sh"

main() {
  local c pid up=0
  if [ ! -d "${CLUSTER_DIR}" ]; then
    echo "cluster: not running (no state directory ${CLUSTER_DIR})"
    return 1
  fi

  for c in "${components[@]}"; do
    if pid="$(component_pid "${c}")"; then
      printf '  %-24s running  pid %-8s log %s\n' "${c}" "${pid}" "$(log_file "${c}")"
      up=$((up + 1))
    else
      printf '  %-24s stopped           log %s\n' "${c}" "$(log_file "${c}")"
    fi
  done

  if [ "${up}" -eq ${#components[@]} ] && apiserver_ready; then
    echo "cluster: running"
    echo "api server: https://${node_ip}:${apiserver_port} (ready)"
    echo "node: $(node_name) $(kc get node "$(node_name)" \
      -o jsonpath='{range .status.conditions[?(@.type=="Ready")]}Ready={.status}{end}' 2>/dev/null)"
    echo "kubeconfig: ${kubeconfig}"
    echo "kubectl: ${kubectl_bin}"
    echo "containerd socket: ${containerd_socket}"
    return 0
  fi
  if [ "${up}" -eq 0 ]; then
    echo "cluster: not running (state directory ${CLUSTER_DIR} is left over; down.sh removes it)"
  else
    echo "cluster: partly running (${up} of ${#components[@]} processes; API server $(apiserver_ready && echo ready || echo not ready))"
  fi
  return 1
}

main "$@"
