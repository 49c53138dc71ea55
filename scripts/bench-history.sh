#!/usr/bin/env bash
# Benchmarks opening a long conversation: a 10,000-message history against a 10-message one in
# the same run, on SQLite and on PostgreSQL (the visitor's first page, a page back, the
# console's page). Uses the release binary, built if missing, as scripts/bench-messages.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."

export LEPTOS_OUTPUT_NAME=switchboard
RUSTFLAGS="--cfg erase_components" cargo build --release -p switchboard-server --bin switchboard
binary=$PWD/target/release/switchboard

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
    \"configuration\": {\"id\": \"${configuration}\", \"version\": null}, \"allowedDomains\": [\"customer.example\"],
    \"allowAllDomains\": false, \"status\": \"active\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  printf '\n== %s\n' "$engine"
  python3 scripts/bench/history.py "$base" "$token" "$deployment"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}

sqlite_dir=$(mktemp -d)
run "SQLite" "sqlite://${sqlite_dir}/switchboard.db?mode=rwc"
rm -rf "$sqlite_dir"

database=switchboard_history_$$
psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE ${database}"
run "PostgreSQL" "postgres://postgres@127.0.0.1:5432/${database}"
psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE ${database}"
