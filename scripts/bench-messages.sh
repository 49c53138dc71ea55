#!/usr/bin/env bash
# Benchmarks messaging end to end on SQLite and on PostgreSQL: agents' replies stored and
# delivered to 100 visitors' event streams (messages per second, p50/p99 post-to-event latency),
# then the server's RSS with 100 and with 10,100 open event streams. Uses the release binary
# (built if missing, unless SWITCHBOARD_BIN names one, as scripts/bench-messenger.sh does) and aiohttp in a private virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/bench/serve.sh
release_binary

venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet aiohttp
fi
# 10,000 streams need as many sockets on each side.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

run() {
  local engine=$1 deployment
  # Every simulated visitor connects from loopback, and the 10,000 extra streams share the
  # 100 visitors' sessions: lift both stream caps.
  export SWITCHBOARD_STREAMS_PER_ADDRESS=20000
  export SWITCHBOARD_STREAMS_PER_SESSION=20000
  start_switchboard "$binary" "$2"
  deployment=$(anonymous_messenger '[]' true)
  printf '\n== %s\n' "$engine"
  printf 'server RSS idle: %.1f MiB\n' "$(awk '/VmRSS/ {print $2/1024}' "/proc/${pid}/status")"
  "$venv/bin/python" scripts/bench/messages.py "$base" "$token" "$deployment" "$pid"
  stop_switchboard
}

sqlite_dir=$(mktemp -d)
run "SQLite" "sqlite://${sqlite_dir}/switchboard.db?mode=rwc"
rm -rf "$sqlite_dir"

database=switchboard_bench_$$
psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE ${database}"
run "PostgreSQL" "postgres://postgres@127.0.0.1:5432/${database}"
psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE ${database} WITH (FORCE)"
