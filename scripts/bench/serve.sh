# Shared by the messaging benchmarks (sourced, not run): start a release server on a fresh
# database and give it an anonymous messenger to talk to.

# release_binary: sets `binary` to SWITCHBOARD_BIN, or to the release server, built here (slow
# the first time).
release_binary() {
  if [ -n "${SWITCHBOARD_BIN:-}" ]; then
    binary=$SWITCHBOARD_BIN
  else
    # As cargo-leptos builds it: erased component types keep the console's view types shallow.
    LEPTOS_OUTPUT_NAME=switchboard RUSTFLAGS="--cfg erase_components" \
      cargo build --release -p switchboard-server --bin switchboard
    binary=$PWD/target/release/switchboard
  fi
  # The server would warn about a SWITCHBOARD_ variable it does not know.
  unset SWITCHBOARD_BIN
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_switchboard BINARY DATABASE_URL: serves on a free port; sets `work`, `base`, `pid` and
# an admin API `token`. Extra SWITCHBOARD_* settings come from the caller's environment.
start_switchboard() {
  local binary=$1 port
  work=$(mktemp -d)
  port=$(free_port)
  base="http://127.0.0.1:${port}"
  export SWITCHBOARD_DATABASE_URL="$2"
  export SWITCHBOARD_SECRET_KEY_FILE="${work}/secret.key"
  export SWITCHBOARD_ADDR="127.0.0.1:${port}"
  export SWITCHBOARD_BASE_URL="$base"
  export RUST_LOG=warn
  "$binary" serve >"${work}/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -fs "${base}/healthz" >/dev/null && break; sleep 0.1; done
  token=$("$binary" token create --name "bench-$RANDOM" --role admin | tail -n1 | tr -d '[:space:]')
}

stop_switchboard() {
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}

# anonymous_messenger DOMAINS_JSON ALLOW_ALL: a published configuration without sign-in,
# deployed; prints the deployment id.
anonymous_messenger() {
  local configuration
  api() { curl -fsS -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' "$@"; }
  configuration=$(api -X POST "${base}/api/v2/messenger/configurations" -d '{"name": "Benchmark",
    "draft": {"authentication": {"enabled": false, "integrationId": null, "allowSessionUpgrade": false},
    "appearance": {"primaryColor": "#0f766e", "launcherLabel": "Chat", "greeting": "Hi", "defaultLanguage": "en"},
    "sessionLifetimeSeconds": 3600}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  api -X POST "${base}/api/v2/messenger/configurations/${configuration}/versions/draft/publish" >/dev/null
  api -X POST "${base}/api/v2/messenger/deployments" -d "{\"name\": \"Site\",
    \"configuration\": {\"id\": \"${configuration}\", \"version\": null}, \"allowedDomains\": $1,
    \"allowAllDomains\": $2, \"status\": \"active\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
