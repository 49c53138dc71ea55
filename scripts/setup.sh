#!/usr/bin/env bash
# Installs what building Switchboard needs, skipping whatever is already in place:
# the wasm target, cargo-leptos, wasm-bindgen-cli (the exact version Cargo.toml pins), and the
# npm build tools (tailwindcss, wasm-opt). With `--test`, also the test tools: Debian's
# Chromium, nginx (the proxy in front of the multi-instance tests) and aiosmtpd (the SMTP server
# the email tests send to), and end2end/'s npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)

say() { printf '   %s\n' "$*"; }

# Runs `npm ci` in $1 unless its node_modules already matches its lock file.
npm_ci() {
  local dir=$1
  if [ -f "$dir/node_modules/.package-lock.json" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    say "npm packages in ${dir} are up to date"
  else
    (cd "$dir" && npm ci --no-audit --no-fund)
  fi
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target present"
else
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null)" = "cargo-leptos ${CARGO_LEPTOS_VERSION}" ]; then
  say "cargo-leptos ${CARGO_LEPTOS_VERSION} present"
else
  # --locked: newer dependency releases need a newer rustc than this toolchain.
  cargo install cargo-leptos --locked --version "${CARGO_LEPTOS_VERSION}"
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen ${WASM_BINDGEN_VERSION}" ]; then
  say "wasm-bindgen ${WASM_BINDGEN_VERSION} present"
else
  # Not --locked: its lock file pins a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}"
fi

# cargo-leptos finds tailwindcss and wasm-opt in node_modules/.bin. Never use Debian's binaryen:
# its old wasm-opt emits bundles that fail to hydrate.
npm_ci .

if [ "${1:-}" = "--test" ]; then
  missing=()
  [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
  # Debian's own Python, which the package installs for (another may come first on PATH).
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing+=(python3-aiosmtpd)
  if [ ${#missing[@]} -eq 0 ]; then
    say "chromium, nginx and aiosmtpd present"
  else
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  fi
  npm_ci end2end
fi
