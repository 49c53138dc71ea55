#!/usr/bin/env bash
# Benchmarks the sign-in callback with cached provider metadata and keys: how long the
# browser waits for it, how much of that is the provider's token and userinfo answers (the
# server's `Server-Timing`), and what is left, Switchboard's own cost (goal: <= 3 ms at p50).
# The provider is the end-to-end tests' oidc-provider on loopback; the database SQLite, then
# the local PostgreSQL server.
#
# Uses the release binary (built if missing, unless SWITCHBOARD_BIN names one). Settings:
# SIGN_INS (default 200).
set -euo pipefail
cd "$(dirname "$0")/.."

SIGN_INS=${SIGN_INS:-200}
source scripts/bench/serve.sh
release_binary
if [ ! -x end2end/node_modules/.bin/tsx ]; then
  (cd end2end && npm ci --no-audit --no-fund)
fi

export SWITCHBOARD_ALLOW_INSECURE_LOCALHOST=true
# The client says which visitor each sign-in is for (X-Forwarded-For), as a proxy would.
export SWITCHBOARD_TRUSTED_PROXIES=127.0.0.1

run() {
  start_switchboard "$binary" "$2"
  printf '\n== %s\n' "$1"
  python3 scripts/bench/callback.py "$base" "$token" "$SIGN_INS"
  stop_switchboard
}

sqlite_dir=$(mktemp -d)
run SQLite "sqlite://${sqlite_dir}/switchboard.db?mode=rwc"
rm -rf "$sqlite_dir"

database=switchboard_bench_$$
psql -h 127.0.0.1 -U postgres -d test -qc "CREATE DATABASE ${database}"
run PostgreSQL "postgres://postgres@127.0.0.1:5432/${database}"
psql -h 127.0.0.1 -U postgres -d test -qc "DROP DATABASE ${database} WITH (FORCE)"
