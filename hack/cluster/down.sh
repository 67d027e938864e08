#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Tears down the local cluster that up.sh started, and only that: the pods
# and their containers, the recorded daemons, the containerd shims of our
# containerd, the mounts under the state directory, the pod network
# namespaces attached to our bridge, the bridge, the iptables chains of our
# cluster, and the kernel settings it changed. Safe to run more than once.
#
# Usage: hack/cluster/down.sh
#
# Environment:
#   CLUSTER_DIR  state directory (default: bin/cluster in the repository)
#   KEEP_STATE   1 keeps the state directory (certificates, etcd data,
#                imported images, logs) for the next up.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "${here}/lib.sh"
source "${here}/network.sh"

[ "$(id -u)" -eq 0 ] || die "run as root: the cluster manages a bridge, iptables and mounts"

# stop_component sends SIGTERM to a recorded daemon, waits up to ten
# seconds, then sends SIGKILL.
stop_component() {
  local name="$1" pid i
  pid="$(component_pid "${name}")" || { rm -f "$(pid_file "${name}")"; return 0; }
  log "stopping ${name} (pid ${pid})"
  kill -TERM "${pid}" 2>/dev/null || true
  for i in $(seq 1 50); do
    [ -d "/proc/${pid}" ] || break
    sleep 0.2
  done
  if [ -d "/proc/${pid}" ]; then
    log "${name} did not stop in 10s; killing it"
    kill -KILL "${pid}" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$(pid_file "${name}")"
}

# drain_pods deletes every pod through the API while the kubelet still
# runs, so that the kubelet stops the containers and the CNI plugin
# releases each pod's network namespace the regular way. The controllers
# are stopped first so that nothing replaces the deleted pods.
drain_pods() {
  component_pid kubelet >/dev/null && apiserver_ready || return 0
  [ -x "${kubectl_bin}" ] || return 0
  stop_component kube-controller-manager
  stop_component kube-scheduler
  log "deleting all pods so that the kubelet stops them (up to 60s)"
  kc delete pods --all --all-namespaces --grace-period=1 --wait=true --timeout=60s \
    >/dev/null 2>&1 || log "some pods were still terminating; their containers are killed below"
}

# our_netns lists the pod network namespaces whose veth peer sits on our
# bridge: the ones our containerd created and nobody else's.
our_netns() {
  local ns peer
  [ -d /var/run/netns ] || return 0
  ip link show "${bridge_name}" >/dev/null 2>&1 || return 0
  for ns in /var/run/netns/cni-*; do
    [ -e "${ns}" ] || continue
    ns="${ns##*/}"
    peer="$(ip -n "${ns}" -o link show eth0 2>/dev/null | sed -n 's/.*eth0@if\([0-9]*\).*/\1/p')"
    [ -n "${peer}" ] || continue
    if ip -o link show 2>/dev/null | grep -E "^${peer}: " | grep -q "master ${bridge_name} "; then
      echo "${ns}"
    fi
  done
}

# Network namespaces recorded in the bundles of our containers; read before
# the containers are deleted, since the bundles go with them.
bundle_netns() {
  local dir="${containerd_state}/io.containerd.runtime.v2.task"
  [ -d "${dir}" ] || return 0
  grep -ohE '/var/run/netns/cni-[0-9a-f-]+' "${dir}"/*/*/config.json 2>/dev/null | sed 's|.*/||' || true
}

# kill_containers stops whatever containers are left in our runc root, and
# the shims that our containerd started for them.
kill_containers() {
  local ns id pid
  if [ -d "${runc_root}" ]; then
    for ns in "${runc_root}"/*/; do
      [ -d "${ns}" ] || continue
      for id in $(runc --root "${ns}" list -q 2>/dev/null); do
        runc --root "${ns}" kill "${id}" KILL 2>/dev/null || true
        runc --root "${ns}" delete --force "${id}" 2>/dev/null || true
      done
    done
  fi
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address ${containerd_socket}( |$)" || true); do
    log "killing containerd shim ${pid}"
    kill -KILL "${pid}" 2>/dev/null || true
  done
}

# unmount_state unmounts everything mounted under the state directory, the
# deepest first: kubelet volumes, container root filesystems, sandbox shm.
unmount_state() {
  local mnt
  [ -d "${CLUSTER_DIR}" ] || return 0
  awk -v root="${CLUSTER_DIR}/" 'index($5, root) == 1 { print $5 }' /proc/self/mountinfo |
    awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2- |
    while read -r mnt; do
      mnt="$(printf '%b' "${mnt}")"
      umount "${mnt}" 2>/dev/null || umount -l "${mnt}" 2>/dev/null || log "could not unmount ${mnt}"
    done
}

# remove_cgroups removes the k8s.io cgroups that our containers left, when
# up.sh found none before it started: empty directories only, the deepest
# first, so a cgroup that still holds a process is never touched.
remove_cgroups() {
  [ -f "${CLUSTER_DIR}/owns-k8s-cgroups" ] || return 0
  local dir
  find /sys/fs/cgroup -maxdepth 2 -type d -name k8s.io 2>/dev/null |
    while read -r dir; do
      find "${dir}" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
}

remove_netns() {
  local ns
  for ns in "$@"; do
    [ -e "/var/run/netns/${ns}" ] || continue
    log "removing network namespace ${ns}"
    ip netns delete "${ns}" 2>/dev/null || true
  done
}

# our_sandbox_ids lists the pod sandboxes our containerd knows of, running
# or not, from its own root and state directories.
our_sandbox_ids() {
  local dir
  for dir in "${containerd_root}/io.containerd.grpc.v1.cri/sandboxes"/* \
    "${containerd_state}/io.containerd.runtime.v2.task/k8s.io"/*; do
    [ -d "${dir}" ] && echo "${dir##*/}"
  done | sort -u
}

# remove_host_files removes what the kubelet, the CNI plugins and the
# containerd shims write outside the state directory: container log links,
# cached CNI results, and the sockets of shims that were killed. A shim's
# socket is named by the hash of our containerd's address, the namespace
# and the sandbox ID, so no other containerd's socket can match.
remove_host_files() {
  local link dir id
  for link in /var/log/containers/*.log; do
    [ -L "${link}" ] || continue
    case "$(readlink "${link}")" in "${data_dir}/pod-logs/"*) rm -f "${link}" ;; esac
  done
  for id in $(our_sandbox_ids); do
    rm -f "/run/containerd/s/$(printf '%s' "${containerd_socket}/k8s.io/${id}" | sha256sum | cut -d' ' -f1)"
    rm -f "/var/lib/cni/results/cni-loopback-${id}-lo"
  done
  rm -f /var/lib/cni/results/"${cni_network_name}"-* 2>/dev/null || true
  if [ -f "${created_host_dirs_file}" ]; then
    # The kubelet keeps its device-plugin socket at a fixed path, whatever
    # its root directory; when that directory is ours, so is the socket.
    if grep -qx /var/lib/kubelet "${created_host_dirs_file}"; then
      rm -f /var/lib/kubelet/device-plugins/kubelet.sock
    fi
    local left=()
    while read -r dir; do
      [ -d "${dir}" ] || continue
      find "${dir}" -depth -type d -empty -delete 2>/dev/null || true
      # One that is not empty yet stays on record for the next down.sh.
      if [ -d "${dir}" ]; then left+=("${dir}"); fi
    done < <(sort -u "${created_host_dirs_file}")
    if [ ${#left[@]} -eq 0 ]; then
      rm -f "${created_host_dirs_file}"
    else
      printf '%s\n' "${left[@]}" > "${created_host_dirs_file}"
      log "left in place, not empty: ${left[*]}"
    fi
  fi
}

main() {
  local c netns=() running=0
  for c in "${components[@]}"; do
    if component_pid "${c}" >/dev/null; then running=1; fi
  done
  if [ ! -d "${CLUSTER_DIR}" ] && ! ip link show "${bridge_name}" >/dev/null 2>&1; then
    log "nothing to tear down (no ${CLUSTER_DIR}, no bridge ${bridge_name})"
    return 0
  fi
  [ "${running}" -eq 1 ] || log "no cluster process is running; cleaning up what is left"

  drain_pods
  mapfile -t netns < <({ our_netns; bundle_netns; } | sort -u)

  local i
  for (( i=${#components[@]}-1; i>0; i-- )); do
    stop_component "${components[i]}"
  done
  kill_containers
  stop_component containerd

  unmount_state
  # Namespaces found now as well: a pod that was still starting during the
  # drain may have attached one since.
  mapfile -t -O "${#netns[@]}" netns < <(our_netns)
  remove_netns "${netns[@]}"
  remove_cgroups

  if [ -f "${CLUSTER_DIR}/owns-kube-iptables" ] && command -v iptables >/dev/null; then
    log "removing kube-proxy and kubelet iptables chains"
    mkdir -p "${log_dir}"
    remove_kube_chains
  fi
  log "removing bridge ${bridge_name}, the ${fence_chain} chain and restoring kernel settings"
  teardown_host_network
  rm -f "${CLUSTER_DIR}/owns-kube-iptables" "${CLUSTER_DIR}/owns-k8s-cgroups" "${saved_sysctls_file}"
  remove_host_files

  if [ "${KEEP_STATE:-0}" = 1 ]; then
    log "kept the state directory ${CLUSTER_DIR}"
  elif [ -d "${CLUSTER_DIR}" ]; then
    if awk -v root="${CLUSTER_DIR}/" 'index($5, root) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
      die "mounts remain under ${CLUSTER_DIR}; not removing it"
    fi
    rm -rf "${CLUSTER_DIR}"
    log "removed ${CLUSTER_DIR}"
  fi
  log "cluster is down"
}

main "$@"
