#!/usr/bin/env bash
# Shows the idempotency proxy at work outside Kubernetes: the sample app
# behind the proxy with the sample policy and the embedded memory store,
# then a scripted client that retries mutations with the same key.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${root}"
export PATH="${PATH}:/usr/local/go/bin"

APP_ADDR="${APP_ADDR:-127.0.0.1:19090}"
PROXY_ADDR="${PROXY_ADDR:-127.0.0.1:18080}"
ADMIN_ADDR="${ADMIN_ADDR:-127.0.0.1:19901}"
POLICY="${POLICY:-config/samples/idempotency_v1alpha1_idempotencypolicy.yaml}"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\nerror: %s\n' "$*" >&2; exit 1; }

command -v curl >/dev/null || {
  step "Installing curl (apt-get)"
  apt-get update -qq && apt-get install -y -qq curl >/dev/null
}

step "Building idempotency-proxy and sample-app into bin/"
mkdir -p bin
go build -o bin/idempotency-proxy ./cmd/idempotency-proxy
go build -o bin/sample-app ./cmd/sample-app

logs="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "${pid}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

step "Starting the sample app on ${APP_ADDR} (log: ${logs}/app.log)"
bin/sample-app --listen "${APP_ADDR}" >"${logs}/app.log" 2>&1 &
pids+=($!)

step "Starting the proxy on ${PROXY_ADDR} in front of it, policy ${POLICY} (log: ${logs}/proxy.log)"
bin/idempotency-proxy --listen "${PROXY_ADDR}" --admin-listen "${ADMIN_ADDR}" \
  --upstream "http://${APP_ADDR}" --policy "${POLICY}" >"${logs}/proxy.log" 2>&1 &
pids+=($!)

printf 'Waiting for http://%s/readyz ' "${ADMIN_ADDR}"
for _ in $(seq 1 100); do
  if curl -fsS "http://${ADMIN_ADDR}/readyz" >/dev/null 2>&1 &&
    curl -fsS "http://${APP_ADDR}/healthz" >/dev/null 2>&1; then
    ready=1
    break
  fi
  printf '.'
  sleep 0.1
done
echo
[ -n "${ready:-}" ] || { cat "${logs}/proxy.log" >&2; fail "the proxy did not become ready; its log is above"; }
echo "Loaded config: $(curl -fsS "http://${ADMIN_ADDR}/config")"

post() { # key path [body]
  curl -sS -i -X POST "http://${PROXY_ADDR}$2" -H "Idempotency-Key: $1" \
    -H 'Content-Type: application/json' --data "${3:-{\}}" |
    grep -iE '^(HTTP/|idempotent-replayed|location|content-type)|^\{' || true
}

step "POST /api/pairs/create with Idempotency-Key: demo-1 (the first request runs)"
post demo-1 /api/pairs/create
step "The client retries the same request with the same key (replayed, the app is not called)"
post demo-1 /api/pairs/create

step "A double click on 'accept match' (without the proxy it would move the match on to paired)"
post demo-2 /api/match/accept '{"matchId":"m-42"}'
post demo-2 /api/match/accept '{"matchId":"m-42"}'

step "The same key reused for a different request is refused"
post demo-2 /api/match/accept '{"matchId":"m-43"}'

step "Side effects the app recorded"
effects="$(curl -fsS "http://${APP_ADDR}/_effects")"
echo "${effects}"
total="$(echo "${effects}" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')"
[ "${total}" = "2" ] || fail "the app recorded ${total} side effects, want 2 (one per key)"

step "Done: 5 requests, 2 side effects. Replays carry Idempotent-Replayed: true."
