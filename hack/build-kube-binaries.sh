#!/usr/bin/env bash
# Builds the Kubernetes server binaries that envtest and the local cluster
# need (etcd, kube-apiserver, and optionally the node components) from the
# Go module proxy into bin/k8s/<version>/, reusing what is already there.
#
# Usage: hack/build-kube-binaries.sh [component ...]
#   components: etcd kube-apiserver kube-controller-manager kube-scheduler
#               kubelet kube-proxy kubectl
#   default: etcd kube-apiserver (what envtest needs)
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.37.2}"
STAGING_VERSION="${STAGING_VERSION:-v0.37.2}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${root}/bin/k8s/${KUBE_VERSION#v}"
# Binaries are also kept in a per-user cache, so that a fresh clone on the
# same machine (a CI run, say) copies them instead of building for minutes.
cache="${KUBE_BINARY_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/idempotency-operator/k8s}/${KUBE_VERSION#v}"
work="${cache}/.build"
mkdir -p "${out}" "${work}"

# Two builds at once (a test run and the local cluster, say) would tidy and
# write the same module; the second waits for the first and then reuses it.
exec 9>"${cache}/.lock"
flock 9

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(etcd kube-apiserver)

log() { printf '[build-kube-binaries] %s\n' "$*" >&2; }

build_etcd() {
  local dir="${work}/etcd"
  mkdir -p "${dir}"
  if [ ! -f "${dir}/go.mod" ]; then
    (cd "${dir}" && go mod init local/etcd-build >/dev/null 2>&1 &&
      printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > tools.go &&
      go get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" >/dev/null &&
      go mod tidy >/dev/null)
  fi
  (cd "${dir}" && CGO_ENABLED=0 go build -o "${out}/etcd" go.etcd.io/etcd/server/v3)
}

prepare_kube_module() {
  local dir="${work}/kubernetes"
  mkdir -p "${dir}"
  # The module imports every command this script can build; when that list
  # grows, the module is tidied again instead of being trusted as ready.
  local tools
  tools="$(cat <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
GO
)"
  if [ -f "${dir}/.ready" ] && [ "$(cat "${dir}/tools.go" 2>/dev/null)" = "${tools}" ]; then
    return 0
  fi
  (
    cd "${dir}"
    rm -f go.mod go.sum .ready
    go mod init local/kube-build >/dev/null 2>&1
    go mod edit -require="k8s.io/kubernetes@${KUBE_VERSION}"
    # k8s.io/kubernetes pins its staging modules at v0.0.0 behind local
    # replaces, which a dependent module ignores: point each at its release.
    local gomod
    gomod="$(go mod download -json "k8s.io/kubernetes@${KUBE_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
    grep -E '^\s*k8s.io/[a-z0-9-]+ => ./staging/' "${gomod}" | awk '{print $1}' | sort -u |
      while read -r mod; do go mod edit -replace="${mod}=${mod}@${STAGING_VERSION}"; done
    printf '%s\n' "${tools}" > tools.go
    go mod tidy >/dev/null
    touch .ready
  )
}

build_kube() {
  local name="$1"
  prepare_kube_module
  local v="${KUBE_VERSION}" minor
  minor="$(echo "${v}" | cut -d. -f2)"
  local ldflags=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X ${pkg}.gitVersion=${v} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
    ldflags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "${work}/kubernetes" && CGO_ENABLED=0 go build -ldflags "${ldflags}" -o "${out}/${name}" "k8s.io/kubernetes/cmd/${name}")
}

for c in "${components[@]}"; do
  if [ -x "${out}/${c}" ]; then
    log "${c} ${KUBE_VERSION}: present"
    continue
  fi
  if [ -x "${cache}/${c}" ]; then
    log "${c} ${KUBE_VERSION}: copied from ${cache}"
    cp "${cache}/${c}" "${out}/${c}"
    continue
  fi
  log "${c}: building (first time only; kube-apiserver takes several minutes)"
  start=$(date +%s)
  case "${c}" in
    etcd) build_etcd ;;
    kube-apiserver | kube-controller-manager | kube-scheduler | kubelet | kube-proxy | kubectl)
      build_kube "${c}" ;;
    *) log "unknown component ${c}"; exit 2 ;;
  esac
  cp "${out}/${c}" "${cache}/${c}"
  log "${c}: built in $(( $(date +%s) - start ))s"
done
echo "${out}"
