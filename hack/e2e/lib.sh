# shellcheck shell=bash
# The variables below are used by the scripts that source this file.
# shellcheck disable=SC2034

# Shared by the end-to-end and demo scripts (hack/e2e/deploy.sh,
# hack/demo.sh, hack/demo-down.sh): progress output, the kubeconfig and
# kubectl to use, the images, and bounded waits. Source it; it sets no
# shell options of its own.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="${PATH}:/usr/local/go/bin"

# The local cluster of hack/cluster/up.sh keeps its kubeconfig here.
LOCAL_KUBECONFIG="${root}/bin/cluster/kubeconfig"
# Generated files (the install overlay, measurements) live here, ignored by
# git with the rest of bin/.
E2E_DIR="${root}/bin/e2e"
OVERLAY_DIR="${E2E_DIR}/overlay"

# The images built by hack/images/build.sh and imported into the local
# cluster. E2E_IMAGE_* name other images, for a cluster that pulls from a
# registry; the scripts then neither build nor import.
IMAGE_MANAGER="${E2E_IMAGE_MANAGER:-localhost/idempotency/manager:e2e}"
IMAGE_PROXY="${E2E_IMAGE_PROXY:-localhost/idempotency/proxy:e2e}"
IMAGE_SAMPLE_APP="${E2E_IMAGE_SAMPLE_APP:-localhost/idempotency/sample-app:e2e}"

OPERATOR_NAMESPACE="idempotency-system"
OPERATOR_DEPLOYMENT="idempotency-controller-manager"
WEBHOOK_CONFIG="idempotency-mutating-webhook-configuration"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
info() { printf '    %s\n' "$*"; }

# fail prints what went wrong, then each further argument as a line of
# what to check, and exits.
fail() {
  printf '\nerror: %s\n' "$1" >&2
  shift
  if [ $# -gt 0 ]; then
    printf 'check:\n' >&2
    printf '  %s\n' "$@" >&2
  fi
  exit 1
}

# use_kubeconfig exports KUBECONFIG: E2E_KUBECONFIG, else KUBECONFIG, else
# the local cluster's kubeconfig when it exists.
use_kubeconfig() {
  if [ -n "${E2E_KUBECONFIG:-}" ]; then
    export KUBECONFIG="${E2E_KUBECONFIG}"
  elif [ -z "${KUBECONFIG:-}" ] && [ -f "${LOCAL_KUBECONFIG}" ]; then
    export KUBECONFIG="${LOCAL_KUBECONFIG}"
  fi
}

# is_local_cluster reports whether KUBECONFIG is the local cluster's.
is_local_cluster() {
  [ -n "${KUBECONFIG:-}" ] && [ "$(readlink -f "${KUBECONFIG}")" = "$(readlink -f "${LOCAL_KUBECONFIG}")" ]
}

# ensure_kubectl sets KUBECTL: the one named by $KUBECTL, else the one
# built for the local cluster's Kubernetes version, else kubectl on PATH,
# else it builds kubectl from the Go module proxy.
ensure_kubectl() {
  local built
  built="$(newest_built_kubectl)"
  if [ -n "${KUBECTL:-}" ] && command -v "${KUBECTL}" >/dev/null 2>&1; then
    :
  elif [ -n "${built}" ] && [ -x "${built}" ]; then
    KUBECTL="${built}"
  elif command -v kubectl >/dev/null 2>&1; then
    KUBECTL="$(command -v kubectl)"
  else
    step "Building kubectl (no kubectl on PATH; first time only, a few minutes)"
    bash "${root}/hack/build-kube-binaries.sh" kubectl
    KUBECTL="$(newest_built_kubectl)"
  fi
  export KUBECTL
}

# newest_built_kubectl prints the kubectl of the newest Kubernetes version
# under bin/k8s, if any.
newest_built_kubectl() {
  find "${root}/bin/k8s" -mindepth 2 -maxdepth 2 -name kubectl -type f 2>/dev/null | sort -V | tail -n 1
}

kubectl() { "${KUBECTL}" "$@"; }

# cluster_reachable reports whether the API server of KUBECONFIG answers
# within a few seconds.
cluster_reachable() {
  timeout 10 "${KUBECTL}" cluster-info --request-timeout=5s >/dev/null 2>&1
}

# wait_for DESCRIPTION SECONDS COMMAND... runs COMMAND every 2 seconds until
# it succeeds or SECONDS have passed; prints a dot per try. Returns 1 on
# timeout.
wait_for() {
  local what="$1" seconds="$2"
  shift 2
  local deadline=$(( $(date +%s) + seconds ))
  printf '    waiting up to %ss for %s ' "${seconds}" "${what}"
  while true; do
    if "$@" >/dev/null 2>&1; then
      echo ' done'
      return 0
    fi
    if [ "$(date +%s)" -ge "${deadline}" ]; then
      echo ' timed out'
      return 1
    fi
    printf '.'
    sleep 2
  done
}
