#!/usr/bin/env bash
# The console bundle on the wire: the release site's wasm, JavaScript and CSS raw, with gzip
# and with brotli (the precompressed siblings the server makes and serves), beside the budget
# (admin wasm <= 250 KB brotli), then the first visit to /admin/integrations measured in
# Chromium (end2end/bench/first_visit.spec.ts; budget 400 KB in all).
#
# Builds the release site and server first (`cargo leptos build --release`, overwriting
# target/site), unless SWITCHBOARD_BIN and LEPTOS_SITE_ROOT name a release binary and its site.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${SWITCHBOARD_BIN:-}" ] && [ -n "${LEPTOS_SITE_ROOT:-}" ]; then
  binary=$SWITCHBOARD_BIN
  site=$LEPTOS_SITE_ROOT
else
  ./scripts/setup.sh --test
  export LEPTOS_OUTPUT_NAME=switchboard
  start=$SECONDS
  RUSTFLAGS="--cfg erase_components" cargo leptos build --release
  echo "release build: $((SECONDS - start))s"
  binary=$PWD/target/release/switchboard
  site=$PWD/target/site
fi
unset SWITCHBOARD_BIN
export LEPTOS_SITE_ROOT=$site
pkg=$site/pkg

# The server precompresses its site when it starts: wait for the wasm's siblings.
source scripts/bench/serve.sh
sqlite_dir=$(mktemp -d)
start_switchboard "$binary" "sqlite://${sqlite_dir}/switchboard.db?mode=rwc"
for _ in $(seq 600); do
  [ -s "$pkg/switchboard.wasm.br" ] && [ -s "$pkg/switchboard.wasm.gz" ] && break
  sleep 0.5
done
stop_switchboard
rm -rf "$sqlite_dir"

printf '\n%-22s %10s %10s %10s\n' file raw gzip brotli
for name in switchboard.wasm switchboard.js switchboard.css; do
  size() { if [ -f "$1" ]; then stat -c %s "$1"; else echo -; fi; }
  printf '%-22s %10s %10s %10s\n' "$name" "$(size "$pkg/$name")" "$(size "$pkg/$name.gz")" "$(size "$pkg/$name.br")"
done
wasm_br=$(stat -c %s "$pkg/switchboard.wasm.br")
printf 'admin wasm on the wire (brotli): %d B; budget 250000 B: %s\n' "$wasm_br" \
  "$([ "$wasm_br" -le 250000 ] && echo met || echo 'not met')"

printf '\n'
(cd end2end && SWITCHBOARD_BIN="$binary" RUST_LOG=warn npx playwright test -c bench.config.ts --reporter=line)
