#!/usr/bin/env bash
# Makes sure redis-server is on PATH, as the Redis store's tests start their
# own throw-away servers with it. When it is missing, Debian's redis-server
# package is installed with apt-get (as root, or through sudo).
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  echo "Using $(command -v redis-server): $(redis-server --version)"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo)
fi

echo "redis-server is not on PATH; installing Debian's redis-server package"
echo "+ ${sudo[*]:+${sudo[*]} }apt-get update"
"${sudo[@]}" apt-get update -q
echo "+ ${sudo[*]:+${sudo[*]} }apt-get install -y redis-server"
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends redis-server

if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-server is still not on PATH after installing the package" >&2
  exit 1
fi
echo "Installed $(command -v redis-server): $(redis-server --version)"
