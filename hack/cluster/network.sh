# shellcheck shell=bash
# The host side of the pod network: the bridge that carries the node IP,
# the route that keeps Service ClusterIPs on that bridge, the iptables fence
# that keeps pod traffic on this host, and the kernel settings the node
# needs. setup_host_network records what it changes; teardown_host_network
# undoes exactly that. Sourced after lib.sh.

# Kernel settings that up.sh or the kubelet change. Their values before the
# cluster started are saved and put back by down.sh.
saved_sysctls_file="${CLUSTER_DIR}/host-sysctls.saved"
tracked_sysctls=(
  net.ipv4.ip_forward
  net.bridge.bridge-nf-call-iptables
  net.bridge.bridge-nf-call-ip6tables
  vm.overcommit_memory
  vm.panic_on_oom
  kernel.panic
  kernel.panic_on_oops
  kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes
)

sysctl_path() { echo "/proc/sys/${1//.//}"; }

save_sysctls() {
  local key path
  # A run that was never torn down already saved the values from before it.
  [ -f "${saved_sysctls_file}" ] && return 0
  : > "${saved_sysctls_file}"
  for key in "${tracked_sysctls[@]}"; do
    path="$(sysctl_path "${key}")"
    [ -f "${path}" ] && printf '%s=%s\n' "${key}" "$(cat "${path}")" >> "${saved_sysctls_file}"
  done
}

restore_sysctls() {
  local key value
  [ -f "${saved_sysctls_file}" ] || return 0
  while IFS='=' read -r key value; do
    [ -n "${key}" ] || continue
    echo "${value}" 2>/dev/null > "$(sysctl_path "${key}")" || log "could not restore ${key}=${value}"
  done < "${saved_sysctls_file}"
}

setup_host_network() {
  save_sysctls
  # Pod -> Service -> pod is routed through the host and back onto the bridge.
  echo 1 > /proc/sys/net/ipv4/ip_forward
  # The reply of such a pod bypasses routing (same bridge); it must still
  # see conntrack so that kube-proxy's DNAT is undone.
  echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables

  # The bridge exists before any pod so that the node IP does: the API
  # server and the kubelet bind to it. The CNI plugin adopts it later.
  if ! ip link show "${bridge_name}" >/dev/null 2>&1; then
    ip link add "${bridge_name}" type bridge
  fi
  ip addr replace "${node_ip}/${pod_cidr#*/}" dev "${bridge_name}"
  ip link set "${bridge_name}" up
  # ClusterIPs are rewritten by kube-proxy before a packet leaves; should one
  # not be (no endpoints yet, kube-proxy still starting), this route keeps
  # it on the bridge instead of the host's default route.
  ip route replace "${service_cidr}" dev "${bridge_name}" src "${node_ip}"

  # Forwarded traffic may only go from the bridge to the bridge: pods never
  # reach beyond this host, and nothing from outside is forwarded to them.
  # The fence sits in the mangle table, which the kernel walks before the
  # filter table, so no ACCEPT that kube-proxy adds there can bypass it.
  if ! iptables -w -t mangle -S "${fence_chain}" >/dev/null 2>&1; then
    iptables -w -t mangle -N "${fence_chain}"
  fi
  iptables -w -t mangle -F "${fence_chain}"
  iptables -w -t mangle -A "${fence_chain}" -i "${bridge_name}" -o "${bridge_name}" -j RETURN
  iptables -w -t mangle -A "${fence_chain}" -i "${bridge_name}" -j DROP
  iptables -w -t mangle -A "${fence_chain}" -o "${bridge_name}" -j DROP
  if ! iptables -w -t mangle -C FORWARD -j "${fence_chain}" 2>/dev/null; then
    iptables -w -t mangle -I FORWARD 1 -j "${fence_chain}"
  fi
}

# remove_chain <iptables-command> <table> <chain>: drops every rule that
# jumps to the chain, then the chain itself.
remove_chain() {
  local ipt="$1" table="$2" chain="$3" rule
  "${ipt}" -w -t "${table}" -S "${chain}" >/dev/null 2>&1 || return 0
  local jumps
  jumps="$("${ipt}" -w -t "${table}" -S 2>/dev/null | grep -E -- "-j ${chain}( |$)" || true)"
  while read -r rule; do
    [ -n "${rule}" ] || continue
    # The rule is printed as iptables words, quoted where a comment has spaces.
    eval "${ipt} -w -t ${table} ${rule/-A /-D }" 2>/dev/null || true
  done <<< "${jumps}"
  "${ipt}" -w -t "${table}" -F "${chain}" 2>/dev/null || true
  "${ipt}" -w -t "${table}" -X "${chain}" 2>/dev/null || true
}

# remove_kube_chains removes what kube-proxy and the kubelet put into
# iptables: kube-proxy's own cleanup first, then the canary and hint chains
# that only the kubelet owns.
remove_kube_chains() {
  local ipt table chain
  if [ -x "${kube_bin}/kube-proxy" ]; then
    "${kube_bin}/kube-proxy" --cleanup >"${log_dir}/kube-proxy-cleanup.log" 2>&1 || true
  fi
  for ipt in iptables ip6tables; do
    command -v "${ipt}" >/dev/null || continue
    for table in mangle nat filter; do
      for chain in $("${ipt}" -w -t "${table}" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ { print $2 }'); do
        remove_chain "${ipt}" "${table}" "${chain}"
      done
    done
  done
}

# remove_cni_chains removes chains the CNI plugins made for our network,
# recognised by the network name the plugins write into rule comments.
remove_cni_chains() {
  local table chain
  for table in nat filter; do
    for chain in $(iptables -w -t "${table}" -S 2>/dev/null |
      awk -v net="${cni_network_name}" '$1 == "-A" && $2 ~ /^CNI-/ && index($0, net) { print $2 }' | sort -u); do
      remove_chain iptables "${table}" "${chain}"
    done
  done
}

teardown_host_network() {
  if command -v iptables >/dev/null; then
    remove_chain iptables mangle "${fence_chain}"
    remove_cni_chains
  fi
  ip link show "${bridge_name}" >/dev/null 2>&1 && ip link delete "${bridge_name}"
  restore_sysctls
}
