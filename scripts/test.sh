#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests on SQLite and on PostgreSQL, then the
# Playwright suite against a debug build and a real OpenID provider, all on loopback.
# Installs what is missing first (see setup.sh) and prints the time each phase took.
set -euo pipefail
cd "$(dirname "$0")/.."

export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# cargo-leptos sets this while building; keeping it for `cargo test` avoids rebuilding leptos.
export LEPTOS_OUTPUT_NAME=switchboard

started=$SECONDS
phase_start=$SECONDS
phase() {
  if [ -n "${phase_name:-}" ]; then
    printf '== %s: done in %ss\n' "$phase_name" "$((SECONDS - phase_start))"
  fi
  phase_name=$1
  phase_start=$SECONDS
  [ "$phase_name" = end ] || printf '\n== %s\n' "$phase_name"
}

phase "set-up (toolchain, npm packages, chromium)"
./scripts/setup.sh --test

phase "postgresql"
if pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "   PostgreSQL answers on 127.0.0.1:5432"
else
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
fi

phase "build (cargo leptos build: server, wasm bundle, stylesheet)"
cargo leptos build

phase "rust tests (SQLite and PostgreSQL)"
# The frontend crate is the wasm entry point; its code is exercised by the browser tests.
# cargo-leptos builds debug code with `--cfg erase_components`; the same flags here let the
# tests reuse everything that build compiled.
# `timeout` turns a hung test into a failure CI reports, instead of a silent stall.
RUSTFLAGS="--cfg erase_components" timeout 20m cargo test --workspace --exclude switchboard-frontend

phase "javascript unit tests (node --test)"
node --test end2end/unit/

phase "browser tests (Playwright, Chromium, oidc-provider)"
(
  cd end2end
  SWITCHBOARD_BIN="$PWD/../target/debug/switchboard" LEPTOS_SITE_ROOT="$PWD/../target/site" timeout 20m npx playwright test
)

phase end
printf '\nAll tests passed in %ss\n' "$((SECONDS - started))"
