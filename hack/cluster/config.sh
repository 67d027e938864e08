# shellcheck shell=bash
# Configuration files of the local cluster's daemons, written into the state
# directory on every start. Sourced by up.sh after lib.sh.

write_containerd_config() {
  mkdir -p "${etc_dir}" "${containerd_root}" "${containerd_state}" "${runc_root}" \
    "${data_dir}/containerd-opt"
  # An instance of its own: root, state, sockets and runc root all live in
  # the state directory, so a containerd the host already runs is untouched
  # and down.sh knows exactly which containers are ours.
  cat > "${etc_dir}/containerd.toml" <<TOML
version = 2
root = "${containerd_root}"
state = "${containerd_state}"
oom_score = 0
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
]

[grpc]
  address = "${containerd_socket}"

[ttrpc]
  address = "${containerd_socket}.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "${data_dir}/containerd-opt"

[plugins."io.containerd.grpc.v1.cri"]
  # Nothing can be pulled here: the sandbox image is imported locally.
  sandbox_image = "${pause_image}"
  # Without this, runc fails with "can't get final child's PID from pipe"
  # when a sandbox asks for a lower oom_score_adj than containerd has.
  restrict_oom_score_adj = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${runc_root}"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${cni_conf_dir}"
    max_conf_num = 1
TOML
}

write_cni_config() {
  mkdir -p "${cni_conf_dir}" "${data_dir}/cni-ipam"
  # No ipMasq: pods have no business outside this host, and the fence
  # chain drops what would leave the bridge anyway. The default route
  # sends Service ClusterIPs to the host, where kube-proxy rewrites them.
  cat > "${cni_conf_dir}/10-${cni_network_name}.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "${cni_network_name}",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "${bridge_name}",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "${data_dir}/cni-ipam",
        "ranges": [[{"subnet": "${pod_cidr}", "gateway": "${node_ip}"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {
      "type": "loopback"
    }
  ]
}
JSON
}

write_kubelet_config() {
  mkdir -p "${kubelet_root}" "${data_dir}/pod-logs"
  # There is no cluster DNS, and the host's resolver is beyond what pods may
  # reach. Pods get a name server on their own loopback, where lookups fail
  # at once. (An empty file would not do: containerd then copies the
  # host's resolv.conf into the pod.)
  printf 'nameserver 127.0.0.1\noptions ndots:1\n' > "${etc_dir}/resolv.conf"
  cat > "${etc_dir}/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix://${containerd_socket}
address: ${node_ip}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
tlsCertFile: ${pki_dir}/kubelet.crt
tlsPrivateKeyFile: ${pki_dir}/kubelet.key
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: ${pki_dir}/ca.crt
authorization:
  mode: Webhook
# This machine has cgroup v1 and no systemd; the kubelet manages no QoS
# cgroups and reserves nothing.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
evictionHard: {}
# Images are imported, not pulled: never let the kubelet delete them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
# A short sync period brings ConfigMap volume updates into pods quickly.
syncFrequency: 10s
resolvConf: ${etc_dir}/resolv.conf
podLogsDir: ${data_dir}/pod-logs
YAML
}

write_kube_proxy_config() {
  cat > "${etc_dir}/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: ${etc_dir}/kube-proxy.kubeconfig
hostnameOverride: $(node_name)
bindAddress: ${node_ip}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
mode: iptables
clusterCIDR: ${pod_cidr}
nodePortAddresses: ["${node_ip}/32"]
iptables:
  localhostNodePorts: false
  syncPeriod: 30s
  minSyncPeriod: 1s
# Zero leaves the host's conntrack settings as they are.
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
YAML
}

write_configs() {
  write_containerd_config
  write_cni_config
  write_kubelet_config
  write_kube_proxy_config
}
