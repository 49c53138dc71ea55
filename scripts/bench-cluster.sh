#!/usr/bin/env bash
# What more instances cost and give: 1, 2 and 3 instances on one PostgreSQL database behind
# nginx (scripts/cluster.sh), each run printing messages per second stored by agents and
# delivered to 100 visitors' event streams (scripts/bench/messages.py; posts and streams go
# through the proxy, so most deliveries cross instances by NOTIFY), the post-to-event latency
# p50/p99, and public-config requests per second through the proxy under wrk (with the
# `Origin` header customer pages send). All on this one machine: more instances share its
# cores, so the figures show the fan-out's cost, not a scale-out gain.
#
# Uses the release binary (built here unless SWITCHBOARD_BIN names one). Settings: DURATION
# (wrk, default 10s), CONNECTIONS (default 64), THREADS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light wrk
fi

if [ -z "${SWITCHBOARD_BIN:-}" ]; then
  export LEPTOS_OUTPUT_NAME=switchboard
  RUSTFLAGS="--cfg erase_components" cargo build --release -p switchboard-server --bin switchboard
  export SWITCHBOARD_BIN=$PWD/target/release/switchboard
fi

venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet aiohttp
fi

source scripts/bench/serve.sh
export CLUSTER_DIR=target/bench-cluster
# The load comes from one address: lift the per-address stream cap.
export SWITCHBOARD_STREAMS_PER_ADDRESS=20000
export RUST_LOG=warn
trap 'scripts/cluster.sh down || true' EXIT

printf 'wrk: %s thread(s), %s connections, %s; 100 visitors, 50 agents posting for 10 s\n' \
  "$THREADS" "$CONNECTIONS" "$DURATION"
for count in 1 2 3; do
  scripts/cluster.sh up "$count" >/dev/null
  source "$CLUSTER_DIR/cluster.env"
  base=$BASE_URL
  token=$(SWITCHBOARD_DATABASE_URL=$DATABASE_URL SWITCHBOARD_SECRET_KEY_FILE="$CLUSTER_DIR/secret.key" \
    env -u SWITCHBOARD_BIN "$SWITCHBOARD_BIN" token create --name bench --role admin | tail -n1 | tr -d '[:space:]')
  deployment=$(anonymous_messenger '[]' true)
  printf '\n== %s instance(s) behind nginx\n' "$count"
  "$venv/bin/python" scripts/bench/messages.py "$base" "$token" "$deployment"
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
    -H 'Origin: https://customer.example' -H 'Accept-Encoding: gzip, br' \
    "${base}/messenger/v1/deployments/${deployment}/config")
  printf 'public config through the proxy: %s requests/s, p99 %s\n' \
    "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")"
  scripts/cluster.sh down
done
