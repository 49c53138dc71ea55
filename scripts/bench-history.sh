#!/usr/bin/env bash
# Benchmarks opening a long conversation: a 10,000-message history against a 10-message one in
# the same run, on SQLite and on PostgreSQL (the visitor's first page, a page back, the
# console's page). Uses the release binary, built if missing, as scripts/bench-messages.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."

export LEPTOS_OUTPUT_NAME=switchboard
RUSTFLAGS="--cfg erase_components" cargo build --release -p switchboard-server --bin switchboard
binary=$PWD/target/release/switchboard

source scripts/bench/serve.sh

run() {
  local engine=$1 deployment
  start_switchboard "$binary" "$2"
  deployment=$(anonymous_messenger '["customer.example"]' false)
  printf '\n== %s\n' "$engine"
  python3 scripts/bench/history.py "$base" "$token" "$deployment"
  stop_switchboard
}

sqlite_dir=$(mktemp -d)
run "SQLite" "sqlite://${sqlite_dir}/switchboard.db?mode=rwc"
rm -rf "$sqlite_dir"

database=switchboard_history_$$
psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE ${database}"
run "PostgreSQL" "postgres://postgres@127.0.0.1:5432/${database}"
psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE ${database}"
