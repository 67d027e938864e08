# shellcheck shell=bash
# Starting the cluster's daemons one by one, each with its own log file and
# recorded PID, and waiting for each to answer before the next one starts.
# Sourced by up.sh after lib.sh and pki.sh.

# start_component <name> <command...>: runs the command in a session of its
# own (so it outlives up.sh), logging to logs/<name>.log.
start_component() {
  local name="$1"
  shift
  log "starting ${name} (log: $(log_file "${name}"))"
  setsid "$@" >"$(log_file "${name}")" 2>&1 </dev/null &
  echo $! > "$(pid_file "${name}")"
}

# wait_for <component> <what> <command...>: polls the command once a second
# until it succeeds; gives up after UP_TIMEOUT seconds or when the component
# exits, naming the log to read.
wait_for() {
  local name="$1" what="$2" deadline
  shift 2
  deadline=$(( $(date +%s) + UP_TIMEOUT ))
  log "waiting for ${what}"
  until "$@" >/dev/null 2>&1; do
    if ! component_pid "${name}" >/dev/null; then
      fail "${name} exited while waiting for ${what}" "${name}"
    fi
    if [ "$(date +%s)" -ge "${deadline}" ]; then
      fail "gave up after ${UP_TIMEOUT}s waiting for ${what}" "${name}"
    fi
    sleep 1
  done
}

fail() {
  local message="$1" name="$2"
  log "error: ${message}"
  log "last lines of $(log_file "${name}"):"
  tail -n 15 "$(log_file "${name}")" 2>/dev/null | sed 's/^/    /' >&2 || true
  log "read $(log_file "${name}") for the rest; hack/cluster/down.sh cleans up"
  exit 1
}

ctr_images() {
  ctr --address "${containerd_socket}" --namespace k8s.io images list --quiet 2>/dev/null
}

start_containerd() {
  # containerd never needs anything beyond this host: a pull of an image
  # that was not imported goes to a closed local port and fails at once.
  start_component containerd env HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
    NO_PROXY=localhost,127.0.0.1,::1 "$(command -v containerd)" --config "${etc_dir}/containerd.toml"
  wait_for containerd "containerd on ${containerd_socket}" \
    ctr --address "${containerd_socket}" version
}

start_etcd() {
  start_component etcd "${kube_bin}/etcd" \
    --name node --data-dir "${data_dir}/etcd" \
    --listen-client-urls "http://127.0.0.1:${etcd_client_port}" \
    --advertise-client-urls "http://127.0.0.1:${etcd_client_port}" \
    --listen-peer-urls "http://127.0.0.1:${etcd_peer_port}" \
    --initial-advertise-peer-urls "http://127.0.0.1:${etcd_peer_port}" \
    --initial-cluster "node=http://127.0.0.1:${etcd_peer_port}" \
    --listen-metrics-urls "" \
    --unsafe-no-fsync
  wait_for etcd "etcd /health on 127.0.0.1:${etcd_client_port}" \
    curl -fsS --max-time 2 "http://127.0.0.1:${etcd_client_port}/health"
}

start_apiserver() {
  # The node IP is not loopback, so the default lease reconciler keeps the
  # kubernetes Service's endpoints pointed at it, which is what pods reach.
  start_component kube-apiserver "${kube_bin}/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:${etcd_client_port}" \
    --bind-address "${node_ip}" --advertise-address "${node_ip}" \
    --secure-port "${apiserver_port}" \
    --tls-cert-file "${pki_dir}/apiserver.crt" --tls-private-key-file "${pki_dir}/apiserver.key" \
    --client-ca-file "${pki_dir}/ca.crt" \
    --token-auth-file "${pki_dir}/tokens.csv" \
    --authorization-mode Node,RBAC \
    --service-cluster-ip-range "${service_cidr}" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "${pki_dir}/sa.pub" \
    --service-account-signing-key-file "${pki_dir}/sa.key" \
    --kubelet-client-certificate "${pki_dir}/apiserver-kubelet-client.crt" \
    --kubelet-client-key "${pki_dir}/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "${pki_dir}/ca.crt" \
    --kubelet-preferred-address-types InternalIP \
    --enable-aggregator-routing=true \
    --allow-privileged=true \
    --profiling=false
  wait_for kube-apiserver "kube-apiserver /readyz on ${node_ip}:${apiserver_port}" apiserver_ready
}

start_controller_manager() {
  start_component kube-controller-manager "${kube_bin}/kube-controller-manager" \
    --kubeconfig "${etc_dir}/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig "${etc_dir}/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig "${etc_dir}/kube-controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 \
    --controllers '*' \
    --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file "${pki_dir}/sa.key" \
    --root-ca-file "${pki_dir}/ca.crt" \
    --cluster-signing-cert-file "${pki_dir}/ca.crt" \
    --cluster-signing-key-file "${pki_dir}/ca.key" \
    --service-cluster-ip-range "${service_cidr}" \
    --allocate-node-cidrs=false \
    --profiling=false
  wait_for kube-controller-manager "kube-controller-manager /healthz on 127.0.0.1:10257" \
    curl -fsSk --max-time 2 https://127.0.0.1:10257/healthz
}

start_scheduler() {
  start_component kube-scheduler "${kube_bin}/kube-scheduler" \
    --kubeconfig "${etc_dir}/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig "${etc_dir}/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig "${etc_dir}/kube-scheduler.kubeconfig" \
    --bind-address 127.0.0.1 \
    --leader-elect=false \
    --profiling=false
  wait_for kube-scheduler "kube-scheduler /healthz on 127.0.0.1:10259" \
    curl -fsSk --max-time 2 https://127.0.0.1:10259/healthz
}

node_registered() { kc get node "$(node_name)" >/dev/null; }

start_kubelet() {
  start_component kubelet "${kube_bin}/kubelet" \
    --config "${etc_dir}/kubelet.yaml" \
    --kubeconfig "${etc_dir}/kubelet.kubeconfig" \
    --root-dir "${kubelet_root}" \
    --cert-dir "${pki_dir}" \
    --hostname-override "$(node_name)" \
    --node-ip "${node_ip}"
  wait_for kubelet "kubelet /healthz on 127.0.0.1:10248" \
    curl -fsS --max-time 2 http://127.0.0.1:10248/healthz
  wait_for kubelet "node $(node_name) to register" node_registered
}

start_kube_proxy() {
  start_component kube-proxy "${kube_bin}/kube-proxy" --config "${etc_dir}/kube-proxy.yaml"
  wait_for kube-proxy "kube-proxy /healthz on 127.0.0.1:10256" \
    curl -fsS --max-time 2 http://127.0.0.1:10256/healthz
}

node_ready() {
  [ "$(kc get node "$(node_name)" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

default_service_account() { kc -n default get serviceaccount default; }

kubernetes_service_routed() {
  [ "$(kc -n default get endpointslices -l kubernetes.io/service-name=kubernetes \
    -o jsonpath='{.items[*].endpoints[*].addresses[*]}')" = "${node_ip}" ] &&
    iptables -w -t nat -S KUBE-SERVICES | grep -q -- "-d ${kubernetes_service_ip}/32"
}

wait_cluster_usable() {
  wait_for kubelet "node $(node_name) to be Ready" node_ready
  wait_for kube-controller-manager "the default ServiceAccount" default_service_account
  wait_for kube-proxy "the kubernetes Service (${kubernetes_service_ip}) to route to ${node_ip}" \
    kubernetes_service_routed
}
