#!/usr/bin/env bash
# Builds the project's container images without a container daemon: each a
# static binary in a one-layer, non-root OCI image, written as a tarball of
# an OCI image layout that `ctr -n k8s.io images import` loads into
# containerd.
#
#   image        entrypoint           name
#   pause        /pause               ${IMAGE_REPO}/pause:${IMAGE_TAG}
#   proxy        /idempotency-proxy   ${IMAGE_REPO}/proxy:${IMAGE_TAG}
#   manager      /manager             ${IMAGE_REPO}/manager:${IMAGE_TAG}
#   sample-app   /sample-app          ${IMAGE_REPO}/sample-app:${IMAGE_TAG}
#
# Usage: hack/images/build.sh [image ...]   (default: all four)
#
# Environment:
#   IMAGE_REPO  repository prefix of the names (default localhost/idempotency)
#   IMAGE_TAG   tag of every image (default e2e)
#   IMAGE_DIR   where the tarballs go (default bin/images)
#   IMAGE_ARCH  GOARCH of the binaries and the images (default amd64)
#   VERSION     compiled into the commands as main.version
#               (default: git describe, or dev outside a git checkout)
#   SOURCE_DATE_EPOCH  time stamped on the images (default 0, the Unix epoch)
#
# Images come out as ${IMAGE_DIR}/<image>.tar. The same binary gives the
# same digest; an image whose binary did not change is not rewritten.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "${root}"

IMAGE_REPO="${IMAGE_REPO:-localhost/idempotency}"
IMAGE_TAG="${IMAGE_TAG:-e2e}"
IMAGE_DIR="${IMAGE_DIR:-bin/images}"
IMAGE_ARCH="${IMAGE_ARCH:-amd64}"
VERSION="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-0}"

# image name -> package that builds its binary. The binary is named after
# the package's last element and sits at /<binary> in the image.
declare -A packages=(
  [pause]=./hack/images/pause
  [proxy]=./cmd/idempotency-proxy
  [manager]=./cmd/manager
  [sample-app]=./cmd/sample-app
)
all=(pause proxy manager sample-app)

images=("$@")
[ ${#images[@]} -gt 0 ] || images=("${all[@]}")
for image in "${images[@]}"; do
  if [ -z "${packages[${image}]:-}" ]; then
    echo "unknown image ${image}; known: ${all[*]}" >&2
    exit 2
  fi
done

log() { printf '[images] %s\n' "$*" >&2; }

bindir="${IMAGE_DIR}/linux_${IMAGE_ARCH}"
tool="${IMAGE_DIR}/.tools/ociimage"
mkdir -p "${bindir}" "$(dirname "${tool}")"

# Static binaries without local paths or symbol tables. -buildvcs=false
# keeps the commit out of them, so that a commit that changes no code
# changes no image. VERSION goes only into the commands that declare
# `var version`: the link flags feed the binary's build ID, so passing it
# to the others would change their images with every version.
pkgs=()
ldflags=(-ldflags "-s -w")
for image in "${images[@]}"; do
  pkg="${packages[${image}]}"
  pkgs+=("${pkg}")
  if grep -qs '^var version ' "${pkg}"/*.go; then
    ldflags+=(-ldflags "${pkg}=-s -w -X main.version=${VERSION}")
  fi
done

log "Building ${images[*]} (version ${VERSION}, linux/${IMAGE_ARCH})"
CGO_ENABLED=0 GOOS=linux GOARCH="${IMAGE_ARCH}" \
  go build -trimpath -buildvcs=false "${ldflags[@]}" -o "${bindir}/" "${pkgs[@]}"

# The image tool runs here, so it is built for this machine.
go build -o "${tool}" ./hack/images/ociimage

for image in "${images[@]}"; do
  binary="$(basename "${packages[${image}]}")"
  "${tool}" --binary "${bindir}/${binary}" --path "/${binary}" \
    --name "${IMAGE_REPO}/${image}:${IMAGE_TAG}" --out "${IMAGE_DIR}/${image}.tar" \
    --arch "${IMAGE_ARCH}" --epoch "${SOURCE_DATE_EPOCH}"
done
