#!/usr/bin/env bash
# Builds the release site (size-optimised wasm, wasm-opt) and prints the bundle sizes that the
# budget is about (admin wasm <= 250 KB on the wire). Overwrites target/site.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export LEPTOS_OUTPUT_NAME=switchboard
start=$SECONDS
cargo leptos build --release
echo "release build: $((SECONDS - start))s"
for file in target/site/pkg/switchboard.wasm target/site/pkg/switchboard.js target/site/pkg/switchboard.css; do
  raw=$(stat -c %s "$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  printf '%-40s %8d bytes raw %8d bytes gzip\n' "$file" "$raw" "$gz"
done
