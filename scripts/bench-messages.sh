#!/usr/bin/env bash
# Benchmarks messaging end to end on SQLite and on PostgreSQL: agents' replies stored and
# delivered to 100 visitors' event streams (messages per second, p50/p99 post-to-event latency),
# then the server's RSS with 100 and with 10,100 open event streams. Uses the release binary
# (built if missing, as scripts/bench-messenger.sh does) and aiohttp in a private virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."

export LEPTOS_OUTPUT_NAME=switchboard
RUSTFLAGS="--cfg erase_components" cargo build --release -p switchboard-server --bin switchboard
binary=$PWD/target/release/switchboard

venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet aiohttp
fi
# 10,000 streams need as many sockets on each side.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

run() {
  local engine=$1 database_url=$2 work port base pid token configuration deployment
  work=$(mktemp -d)
  port=$(free_port)
  base="http://127.0.0.1:${port}"
  export SWITCHBOARD_DATABASE_URL="$database_url"
  export SWITCHBOARD_SECRET_KEY_FILE="${work}/secret.key"
  export SWITCHBOARD_ADDR="127.0.0.1:${port}"
  export SWITCHBOARD_BASE_URL="$base"
  # Every simulated visitor connects from loopback: lift the per-address stream cap.
  export SWITCHBOARD_STREAMS_PER_ADDRESS=20000
  export RUST_LOG=warn
  "$binary" serve >"${work}/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -fs "${base}/healthz" >/dev/null && break; sleep 0.1; done
  token=$("$binary" token create --name "bench-$RANDOM" --role admin | tail -n1 | tr -d '[:space:]')
  api() { curl -fsS -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' "$@"; }
  configuration=$(api -X POST "${base}/api/v2/messenger/configurations" -d '{"name": "Benchmark",
    "draft": {"authentication": {"enabled": false, "integrationId": null, "allowSessionUpgrade": false},
    "appearance": {"primaryColor": "#0f766e", "launcherLabel": "Chat", "greeting": "Hi", "defaultLanguage": "en"},
    "sessionLifetimeSeconds": 3600}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  api -X POST "${base}/api/v2/messenger/configurations/${configuration}/versions/draft/publish" >/dev/null
  deployment=$(api -X POST "${base}/api/v2/messenger/deployments" -d "{\"name\": \"Site\",
    \"configuration\": {\"id\": \"${configuration}\", \"version\": null}, \"allowedDomains\": [],
    \"allowAllDomains\": true, \"status\": \"active\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  printf '\n== %s\n' "$engine"
  printf 'server RSS idle: %.1f MiB\n' "$(awk '/VmRSS/ {print $2/1024}' "/proc/${pid}/status")"
  "$venv/bin/python" scripts/bench/messages.py "$base" "$token" "$deployment" "$pid"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}

sqlite_dir=$(mktemp -d)
run "SQLite" "sqlite://${sqlite_dir}/switchboard.db?mode=rwc"
rm -rf "$sqlite_dir"

database=switchboard_bench_$$
psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE ${database}"
run "PostgreSQL" "postgres://postgres@127.0.0.1:5432/${database}"
psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE ${database} WITH (FORCE)"
