#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Brings up a local single-node Kubernetes cluster on this host: its own
# containerd, etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
# kubelet and kube-proxy, all built from source or installed with apt-get.
#
# Usage: hack/cluster/up.sh
#
# Environment:
#   CLUSTER_DIR   state directory (default: bin/cluster in the repository)
#   KUBE_VERSION  Kubernetes release to build (default: v1.37.2)
#   UP_TIMEOUT    seconds to wait for each step (default: 120)
#
# The admin kubeconfig is written to $CLUSTER_DIR/kubeconfig. Pods start
# only once the pause image localhost/idempotency/pause:e2e is imported
# with hack/cluster/import-image.sh. Stop everything with down.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "${here}/lib.sh"
source "${here}/pki.sh"
source "${here}/config.sh"
source "${here}/network.sh"
source "${here}/start.sh"

UP_TIMEOUT="${UP_TIMEOUT:-120}"

[ "$(id -u)" -eq 0 ] || die "run as root: the cluster manages a bridge, iptables and mounts"

# Debian packages the node needs, keyed by a file each one installs.
declare -A packages=(
  [/usr/bin/containerd]=containerd
  [/usr/sbin/runc]=runc
  [/usr/lib/cni/bridge]=containernetworking-plugins
  [/usr/sbin/iptables]=iptables
  [/usr/bin/openssl]=openssl
  [/usr/bin/curl]=curl
)

ensure_packages() {
  local missing=() file
  for file in "${!packages[@]}"; do
    [ -e "${file}" ] || missing+=("${packages[${file}]}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# report_running exits when the cluster is already up, and refuses to start
# over a half-running one. A cluster whose processes were all killed without
# down.sh (a reboot, the end of a session) is cleaned up first, keeping its
# state: its containers, mounts and network are still there otherwise.
report_running() {
  local alive=() dead=() c
  for c in "${components[@]}"; do
    if component_pid "${c}" >/dev/null; then alive+=("${c}"); else dead+=("${c}"); fi
  done
  if [ ${#alive[@]} -eq 0 ]; then
    if compgen -G "${pid_dir}/*.pid" >/dev/null; then
      log "found a previous run that was not stopped with down.sh; cleaning up after it"
      KEEP_STATE=1 "${here}/down.sh"
    fi
    return 0
  fi
  if [ ${#dead[@]} -eq 0 ] && apiserver_ready; then
    log "the cluster is already running (state in ${CLUSTER_DIR})"
    log "kubeconfig: ${kubeconfig}"
    exit 0
  fi
  die "the cluster is partly running (up: ${alive[*]}; down: ${dead[*]}); run hack/cluster/down.sh, then up.sh"
}

# refuse_foreign_kube_proxy stops before a second kube-proxy would fight
# another cluster's over the same iptables rules.
refuse_foreign_kube_proxy() {
  [ -f "${CLUSTER_DIR}/owns-kube-iptables" ] && return 0
  if iptables -w -t nat -S KUBE-SERVICES >/dev/null 2>&1; then
    die "iptables already holds kube-proxy rules from another cluster; stop that cluster first"
  fi
}

# record_host_state notes what the cluster is about to create outside the
# state directory, so that down.sh removes that and nothing else.
record_host_state() {
  local dir
  touch "${CLUSTER_DIR}/owns-kube-iptables"
  for dir in "${host_dirs[@]}"; do
    [ -e "${dir}" ] || echo "${dir}" >> "${created_host_dirs_file}"
  done
  # containerd puts every container's cgroup under k8s.io in each hierarchy;
  # when that parent is new, down.sh removes it again.
  if [ -z "$(find /sys/fs/cgroup -maxdepth 2 -type d -name k8s.io -print -quit)" ]; then
    touch "${CLUSTER_DIR}/owns-k8s-cgroups"
  fi
}

main() {
  local started
  started=$(date +%s)

  report_running
  ensure_packages
  command -v iptables >/dev/null || die "iptables is missing after installation"
  refuse_foreign_kube_proxy

  log "building or reusing Kubernetes ${KUBE_VERSION} binaries"
  KUBE_VERSION="${KUBE_VERSION}" "${repo_root}/hack/build-kube-binaries.sh" \
    etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl >/dev/null

  mkdir -p "${CLUSTER_DIR}" "${log_dir}" "${pid_dir}" "${data_dir}" "${run_dir}" "${etc_dir}"
  log "state directory: ${CLUSTER_DIR}"

  log "setting up the host network: bridge ${bridge_name} with node IP ${node_ip}"
  setup_host_network
  record_host_state

  log "writing certificates, tokens, kubeconfigs and configs"
  generate_pki
  write_kubeconfigs
  write_configs

  start_containerd
  start_etcd
  start_apiserver
  start_controller_manager
  start_scheduler
  start_kubelet
  start_kube_proxy
  wait_cluster_usable

  log "cluster up in $(( $(date +%s) - started ))s"
  log "kubeconfig: ${kubeconfig}"
  log "kubectl:    ${kubectl_bin}"
  if ! ctr_images | grep -x "${pause_image}" >/dev/null; then
    log "no pods can start until ${pause_image} is imported:"
    log "  hack/cluster/import-image.sh bin/images/pause.tar"
  fi
}

main "$@"
