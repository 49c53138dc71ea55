#!/usr/bin/env bash
# Runs the console at http://127.0.0.1:3000 with live reload, on the SQLite database in data/.
# First run: installs the build tools (see setup.sh). Afterwards `cargo leptos watch` alone works.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec cargo leptos watch
