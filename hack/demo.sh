#!/usr/bin/env bash
# The operator at work on a cluster: installs it, protects the sample app
# with the sample policy, and shows a retried mutation replayed.
#
#   hack/demo.sh        (make demo)
#   hack/demo-down.sh   (make demo-down) removes what it made
#
# The cluster is the current kube context when it answers (KUBECONFIG, else
# ~/.kube/config); otherwise the local single-node cluster, started with
# hack/cluster/up.sh when it is not running (this needs root). Running the
# demo again reuses what is there.
#
# Environment:
#   DEMO_NAMESPACE   namespace of the sample app (default idempotency-demo)
#   E2E_IMAGE_*      registry images for a cluster that cannot load local
#                    ones (see hack/e2e/deploy.sh)
#   KUBECTL          the kubectl to use
set -euo pipefail

# shellcheck source=hack/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/e2e/lib.sh"
cd "${root}"

ns="${DEMO_NAMESPACE:-idempotency-demo}"
started_marker="${E2E_DIR}/demo-started-local-cluster"
mkdir -p "${E2E_DIR}"

ensure_kubectl

# --- 1. A cluster -----------------------------------------------------------

step "Looking for a cluster"
if [ -n "${E2E_KUBECONFIG:-}" ]; then
  export KUBECONFIG="${E2E_KUBECONFIG}"
fi
if [ -z "${KUBECONFIG:-}" ] && [ -f "${HOME}/.kube/config" ]; then
  export KUBECONFIG="${HOME}/.kube/config"
fi
if [ -n "${KUBECONFIG:-}" ] && cluster_reachable; then
  info "using the current context $(kubectl config current-context) (KUBECONFIG=${KUBECONFIG})"
else
  [ -z "${KUBECONFIG:-}" ] || info "KUBECONFIG=${KUBECONFIG} does not answer; using the local cluster instead"
  export KUBECONFIG="${LOCAL_KUBECONFIG}"
  if [ -f "${KUBECONFIG}" ] && cluster_reachable; then
    info "the local cluster is running (hack/cluster/status.sh)"
  else
    step "Starting the local single-node cluster (hack/cluster/up.sh; the first time builds Kubernetes, several minutes)"
    [ "$(id -u)" -eq 0 ] || fail "the local cluster needs root" "run the demo as root, or point KUBECONFIG at a cluster"
    bash hack/cluster/up.sh || fail "the local cluster did not start" \
      "hack/cluster/status.sh" "the logs under bin/cluster/logs/"
    touch "${started_marker}"
  fi
  ensure_kubectl
fi

# --- 2. The operator --------------------------------------------------------

bash hack/e2e/deploy.sh

# --- 3. The sample app, protected -----------------------------------------

step "Creating namespace ${ns} and enabling injection (idempotency.io/injection=enabled)"
kubectl create namespace "${ns}" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl label namespace "${ns}" idempotency.io/injection=enabled --overwrite

step "Applying the sample policy (config/samples/idempotency_v1alpha1_idempotencypolicy.yaml)"
kubectl apply --server-side -n "${ns}" -f config/samples/idempotency_v1alpha1_idempotencypolicy.yaml

step "Deploying the sample app (hack/e2e/sample-app.yaml, image ${IMAGE_SAMPLE_APP})"
sed "s|localhost/idempotency/sample-app:e2e|${IMAGE_SAMPLE_APP}|" hack/e2e/sample-app.yaml |
  kubectl apply --server-side -n "${ns}" -f -

pod_name() {
  kubectl get pods -n "${ns}" -l app.kubernetes.io/name=sample-app \
    --field-selector=status.phase=Running -o jsonpath='{.items[0].metadata.name}' 2>/dev/null
}
wait_rollout() {
  info "waiting for deployment/sample-app: the proxy starts first, then the app, both ready"
  kubectl -n "${ns}" rollout status deployment/sample-app --timeout=180s ||
    fail "the sample app did not become ready" \
      "${KUBECTL} -n ${ns} describe pods -l app.kubernetes.io/name=sample-app" \
      "${KUBECTL} -n ${ns} logs deployment/sample-app -c idempotency-proxy"
}
wait_rollout

pod="$(pod_name)"
if [ -z "$(kubectl get pod -n "${ns}" "${pod}" -o jsonpath='{.metadata.annotations.idempotency\.io/injected}')" ]; then
  # A pod created while the webhook was unavailable starts without the
  # proxy; the policy reports it, and a restart fixes it.
  step "Pod ${pod} has no proxy (created before the webhook answered); restarting the Deployment"
  kubectl -n "${ns}" rollout restart deployment/sample-app
  wait_rollout
  pod="$(pod_name)"
fi

step "The webhook injected the proxy into pod ${pod}"
kubectl get pod -n "${ns}" "${pod}" -o jsonpath='{range .spec.initContainers[*]}  init container {.name}: {.image}, restartPolicy {.restartPolicy} (a native sidecar){"\n"}{end}{range .spec.containers[*]}  container      {.name}: {.image}{"\n"}{end}'
kubectl get pod -n "${ns}" "${pod}" -o jsonpath='  annotation idempotency.io/injected: {.metadata.annotations.idempotency\.io/injected}{"\n"}'

step "Waiting for the policy to be enforced by the pod"
info "waiting up to 180s for idp/sample-app condition Ready (the operator asks the proxy which configuration it loaded)"
kubectl -n "${ns}" wait --for=condition=Ready idp/sample-app --timeout=180s >/dev/null ||
  fail "the policy is not Ready" "${KUBECTL} -n ${ns} describe idp sample-app" \
    "${KUBECTL} -n ${OPERATOR_NAMESPACE} logs deployment/${OPERATOR_DEPLOYMENT}"
info "$(kubectl get idp -n "${ns}" sample-app -o jsonpath='enforced {.status.enforced}, configuration {.status.configHash}')"

# --- 4. A retried mutation --------------------------------------------------

pod_ip="$(kubectl get pod -n "${ns}" "${pod}" -o jsonpath='{.status.podIP}')"
service_ip="$(kubectl get service -n "${ns}" sample-app -o jsonpath='{.spec.clusterIP}')"
forward_pid=""
cleanup() { [ -z "${forward_pid}" ] || kill "${forward_pid}" 2>/dev/null || true; }
trap cleanup EXIT

# Where the demo sends its requests: the Service's ClusterIP (through the
# proxy) and the pod's app port (for the side-effect counts). Both are
# reachable from this machine on the local cluster; elsewhere, a
# port-forward on loopback stands in for them.
if curl -fsS --max-time 3 "http://${pod_ip}:9090/healthz" >/dev/null 2>&1; then
  app_url="http://${pod_ip}:9090"
  if curl -fsS --max-time 3 -o /dev/null "http://${service_ip}:80/healthz" 2>/dev/null; then
    api_url="http://${service_ip}:80"
    via="Service sample-app (ClusterIP ${service_ip}, target port idempotency)"
  else
    api_url="http://${pod_ip}:8080"
    via="pod ${pod} at ${pod_ip}:8080, the proxy's port"
  fi
else
  info "pod addresses do not answer from here; forwarding loopback ports 18080 and 19090 to pod ${pod}"
  kubectl port-forward -n "${ns}" "pod/${pod}" 18080:8080 19090:9090 >"${E2E_DIR}/demo-port-forward.log" 2>&1 &
  forward_pid=$!
  wait_for "kubectl port-forward to pod ${pod}" 30 curl -fsS --max-time 2 http://127.0.0.1:19090/healthz ||
    fail "kubectl port-forward did not start" "${E2E_DIR#"${root}/"}/demo-port-forward.log"
  app_url="http://127.0.0.1:19090"
  api_url="http://127.0.0.1:18080"
  via="kubectl port-forward to the proxy's port 8080 of pod ${pod}"
fi

curl -fsS -X POST "${app_url}/_effects/reset" >/dev/null ||
  fail "could not reset the sample app's counts at ${app_url}/_effects/reset" \
    "${KUBECTL} -n ${ns} logs ${pod} -c app"

key="demo-$(date +%s)"
post() {
  curl -sS -i --max-time 30 -X POST "${api_url}/api/pairs/create" \
    -H "Idempotency-Key: ${key}" -H 'Content-Type: application/json' -d '{}' |
    grep -v -i -E '^(date|content-length):' | sed 's/^/    /'
}

step "POST /api/pairs/create with Idempotency-Key: ${key}, through the ${via}"
post || fail "the request failed" "${KUBECTL} -n ${ns} logs ${pod} -c idempotency-proxy"
echo
step "The same request again, as a client retrying after a timeout would send it"
post || fail "the retry failed" "${KUBECTL} -n ${ns} logs ${pod} -c idempotency-proxy"
echo
info "the retry got the first answer back, marked Idempotent-Replayed: true"

step "What the app executed (GET /_effects on the app's own port 9090)"
effects="$(curl -fsS "${app_url}/_effects")"
echo "    ${effects}"
total="$(printf '%s' "${effects}" | sed -n 's/.*"total": *\([0-9]*\).*/\1/p')"
info "side effects: ${total:-?} (without the proxy, the retry would have created a second pair)"

step "The policy as kubectl shows it"
kubectl get idp -n "${ns}"

cat <<EOF

Done. Look around:
  ${KUBECTL} -n ${ns} describe idp sample-app
  ${KUBECTL} -n ${ns} logs deployment/sample-app -c idempotency-proxy
  ${KUBECTL} -n ${OPERATOR_NAMESPACE} logs deployment/${OPERATOR_DEPLOYMENT}
Remove the demo with hack/demo-down.sh (make demo-down).
EOF
