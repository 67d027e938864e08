# shellcheck shell=bash
# The variables below are used by the scripts that source this file.
# shellcheck disable=SC2034
# Shared settings and helpers for the local single-node cluster scripts
# (up.sh, down.sh, status.sh, import-image.sh). Sourced, never run.
#
# Everything the cluster creates on the host is named here, so that down.sh
# removes exactly what up.sh made: the state directory, the bridge, the
# iptables chain that fences the pod network, and the processes whose PIDs
# are recorded under the state directory.

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The Go toolchain builds the binaries; sbin holds ip and iptables.
export PATH="${PATH}:/usr/local/go/bin:/usr/sbin:/sbin"

KUBE_VERSION="${KUBE_VERSION:-v1.37.2}"
CLUSTER_DIR="${CLUSTER_DIR:-${repo_root}/bin/cluster}"
# A relative CLUSTER_DIR would change meaning once a script changes directory.
case "${CLUSTER_DIR}" in /*) ;; *) CLUSTER_DIR="$(pwd)/${CLUSTER_DIR}" ;; esac

kube_bin="${repo_root}/bin/k8s/${KUBE_VERSION#v}"
kubectl_bin="${kube_bin}/kubectl"

# The pod network is one bridge with one /24. Its gateway address doubles as
# the node IP: it is local to the host, reachable from every pod, and not
# loopback, so pod-to-host traffic (a Service backed by the API server, say)
# works without any address outside the namespaces this cluster creates.
bridge_name="idemcni0"
pod_cidr="10.244.0.0/24"
node_ip="10.244.0.1"
service_cidr="10.96.0.0/16"
kubernetes_service_ip="10.96.0.1"
cni_network_name="idempotency-e2e"
apiserver_port=6443
etcd_client_port=12379
etcd_peer_port=12380
# The filter chain that keeps pod traffic inside the bridge.
fence_chain="IDEMPOTENCY-E2E-FENCE"

pause_image="localhost/idempotency/pause:e2e"

pki_dir="${CLUSTER_DIR}/pki"
etc_dir="${CLUSTER_DIR}/etc"
log_dir="${CLUSTER_DIR}/logs"
pid_dir="${CLUSTER_DIR}/pids"
data_dir="${CLUSTER_DIR}/data"
run_dir="${CLUSTER_DIR}/run"
kubeconfig="${CLUSTER_DIR}/kubeconfig"

containerd_root="${data_dir}/containerd"
containerd_state="${run_dir}/containerd"
containerd_socket="${run_dir}/containerd/containerd.sock"
runc_root="${run_dir}/runc"
kubelet_root="${data_dir}/kubelet"
cni_conf_dir="${etc_dir}/cni"

# Host directories the daemons create outside the state directory (shim
# sockets, network namespaces, CNI result cache, an empty kubelet default
# root, container log links). up.sh records which ones it found missing;
# down.sh removes those again once they are empty.
host_dirs=(/run/containerd /run/netns /var/lib/cni /var/lib/kubelet /var/log/containers)
created_host_dirs_file="${CLUSTER_DIR}/created-host-dirs"

# The daemons in start order; down.sh stops them in reverse.
components=(containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }

# node_name is the name the kubelet registers: the host name, in the
# lower case that Kubernetes object names require.
node_name() { hostname | tr '[:upper:]' '[:lower:]'; }

pid_file() { echo "${pid_dir}/$1.pid"; }
log_file() { echo "${log_dir}/$1.log"; }

# component_pid prints the recorded PID of a component when that process is
# still alive and is still the program that was started (PIDs get reused).
component_pid() {
  local file pid exe
  file="$(pid_file "$1")"
  [ -f "${file}" ] || return 1
  pid="$(cat "${file}")"
  [ -n "${pid}" ] && [ -d "/proc/${pid}" ] || return 1
  exe="$(readlink "/proc/${pid}/exe" 2>/dev/null)" || return 1
  exe="${exe% (deleted)}"
  [ "${exe##*/}" = "$1" ] || return 1
  echo "${pid}"
}

# apiserver_ready reports whether the API server answers /readyz.
apiserver_ready() {
  curl -fsS --max-time 3 --cacert "${pki_dir}/ca.crt" \
    "https://${node_ip}:${apiserver_port}/readyz" >/dev/null 2>&1
}

# kc runs the cluster's own kubectl against the admin kubeconfig.
kc() { "${kubectl_bin}" --kubeconfig "${kubeconfig}" "$@"; }
