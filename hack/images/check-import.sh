#!/usr/bin/env bash
# Checks that containerd accepts the image tarballs build.sh writes: starts
# a private containerd (its own root, state and socket under a temporary
# directory, never the machine's), imports every tarball into the k8s.io
# namespace as a node would, lists the images, runs the pause image and
# stops it with SIGTERM. It removes everything it started on exit.
#
# Usage: hack/images/check-import.sh [image.tar ...]   (default: bin/images/*.tar)
#
# Needs containerd, ctr and runc (Debian: apt-get install containerd runc)
# and root.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "${root}"

IMAGE_REPO="${IMAGE_REPO:-localhost/idempotency}"
IMAGE_TAG="${IMAGE_TAG:-e2e}"
IMAGE_DIR="${IMAGE_DIR:-bin/images}"

tarballs=("$@")
[ ${#tarballs[@]} -gt 0 ] || tarballs=("${IMAGE_DIR}"/*.tar)
for tarball in "${tarballs[@]}"; do
  if [ ! -f "${tarball}" ]; then
    echo "no image tarball ${tarball}; run hack/images/build.sh" >&2
    exit 1
  fi
done
for tool in containerd ctr runc; do
  if ! command -v "${tool}" >/dev/null; then
    echo "${tool} is missing: apt-get install containerd runc" >&2
    exit 1
  fi
done

log() { printf '[check-import] %s\n' "$*" >&2; }

work="$(mktemp -d)"
sock="${work}/containerd.sock"
pid=""
cleanup() {
  if [ -n "${pid}" ]; then
    ctr -a "${sock}" -n k8s.io tasks kill -s SIGKILL pause-check >/dev/null 2>&1 || true
    ctr -a "${sock}" -n k8s.io tasks delete pause-check >/dev/null 2>&1 || true
    ctr -a "${sock}" -n k8s.io containers delete pause-check >/dev/null 2>&1 || true
    kill "${pid}" 2>/dev/null || true
    wait "${pid}" 2>/dev/null || true
  fi
  # Snapshots of a running container would still be mounted here.
  grep -o " ${work}/[^ ]*" /proc/mounts | xargs -r -n1 umount 2>/dev/null || true
  rm -rf "${work}"
}
trap cleanup EXIT

# The CRI plugin is off: importing and running through ctr does not need it,
# and without it this containerd touches no network or CNI state.
cat > "${work}/config.toml" <<TOML
version = 2
root = "${work}/root"
state = "${work}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "${sock}"
[ttrpc]
  address = "${sock}.ttrpc"
TOML
containerd --config "${work}/config.toml" >"${work}/containerd.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
  ctr -a "${sock}" version >/dev/null 2>&1 && break
  sleep 0.2
done
ctr -a "${sock}" version >/dev/null || { cat "${work}/containerd.log" >&2; exit 1; }
log "Started containerd (pid ${pid}) on ${sock}"

for tarball in "${tarballs[@]}"; do
  ctr -a "${sock}" -n k8s.io images import --all-platforms "${tarball}"
done
ctr -a "${sock}" -n k8s.io images ls

pause="${IMAGE_REPO}/pause:${IMAGE_TAG}"
if ctr -a "${sock}" -n k8s.io images ls -q | grep -qx "${pause}"; then
  log "Running ${pause} and stopping it with SIGTERM"
  ctr -a "${sock}" -n k8s.io run -d "${pause}" pause-check >/dev/null
  task="$(ctr -a "${sock}" -n k8s.io tasks ls | awk '$1 == "pause-check" { print $2 }')"
  uid="$(awk '/^Uid:/ { print $2 }' "/proc/${task}/status")"
  ctr -a "${sock}" -n k8s.io tasks kill -s SIGTERM pause-check
  for _ in $(seq 50); do
    ctr -a "${sock}" -n k8s.io tasks ls | grep -q '^pause-check .*STOPPED' && break
    sleep 0.1
  done
  # ctr reports a non-zero exit only as a warning, and says nothing for 0.
  status="$(ctr -a "${sock}" -n k8s.io tasks delete pause-check 2>&1 |
    sed -n 's/.*non-zero exit code \([0-9]*\).*/\1/p')"
  ctr -a "${sock}" -n k8s.io containers delete pause-check
  log "pause ran as uid ${uid} and exited with status ${status:-0}"
  [ "${uid}" = 65532 ] && [ "${status:-0}" = 0 ] || exit 1
fi
log "containerd accepted ${#tarballs[@]} image(s)"
