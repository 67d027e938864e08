#!/usr/bin/env bash
# Removes what hack/demo.sh made: the demo namespace, then the operator
# (kubectl delete -k of the install overlay), and the local cluster when the
# demo started it.
#
#   hack/demo-down.sh   (make demo-down)
#
# Environment: DEMO_NAMESPACE (default idempotency-demo), KUBECTL.
set -euo pipefail

# shellcheck source=hack/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/e2e/lib.sh"
cd "${root}"

ns="${DEMO_NAMESPACE:-idempotency-demo}"
started_marker="${E2E_DIR}/demo-started-local-cluster"

ensure_kubectl

# The same cluster the demo chose: the local one if the demo started it,
# else the current context, else the local one.
if [ -f "${started_marker}" ]; then
  export KUBECONFIG="${LOCAL_KUBECONFIG}"
else
  [ -z "${E2E_KUBECONFIG:-}" ] || export KUBECONFIG="${E2E_KUBECONFIG}"
  if [ -z "${KUBECONFIG:-}" ] && [ -f "${HOME}/.kube/config" ]; then
    export KUBECONFIG="${HOME}/.kube/config"
  fi
  if [ -z "${KUBECONFIG:-}" ] || ! cluster_reachable; then
    export KUBECONFIG="${LOCAL_KUBECONFIG}"
  fi
fi

if cluster_reachable; then
  step "Deleting namespace ${ns} (KUBECONFIG=${KUBECONFIG})"
  kubectl delete namespace "${ns}" --ignore-not-found --timeout=120s ||
    info "namespace ${ns} is still terminating; check ${KUBECTL} get namespace ${ns} -o yaml"

  step "Uninstalling the operator"
  # The overlay deploy.sh wrote names the same objects as config/default;
  # it only changes images.
  install="config/default"
  [ -f "${OVERLAY_DIR}/kustomization.yaml" ] && install="${OVERLAY_DIR#"${root}/"}"
  info "kubectl delete -k ${install}"
  kubectl delete -k "${install}" --ignore-not-found --timeout=120s ||
    fail "uninstalling the operator failed" "${KUBECTL} get all -n ${OPERATOR_NAMESPACE}"
else
  info "no cluster answers at KUBECONFIG=${KUBECONFIG}: nothing to delete there"
fi

if [ -f "${started_marker}" ]; then
  step "Stopping the local cluster the demo started (hack/cluster/down.sh)"
  bash hack/cluster/down.sh
  rm -f "${started_marker}"
fi

step "The demo is removed"
