#!/usr/bin/env bash
# Benchmarks what every customer page requests: `GET /messenger.js` and
# `GET /messenger/v1/deployments/{id}/config`, under wrk on loopback, side by side with nginx
# serving the same bytes as static files in the same run, tuned as its users tune it (sendfile,
# long keep-alive, gzip_static). Every request carries what customer pages send: `Origin` and
# `Accept-Encoding`. Prints requests per second, p99 latency and the bytes each answer puts on
# the wire, the ratios (Switchboard / nginx), and the loader's size per encoding.
#
# Uses a release build of the server (built here if missing, unless SWITCHBOARD_BIN names one;
# slow the first time). Settings: DURATION (default 10s), CONNECTIONS (default 64), THREADS
# (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
ORIGIN='https://customer.example'
ACCEPT='gzip, deflate, br'

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light wrk
fi

# free_port and release_binary, shared with the other benchmarks.
source scripts/bench/serve.sh
release_binary

work=$(mktemp -d)
port=$(free_port)
nginx_port=$(free_port)
base="http://127.0.0.1:${port}"
export SWITCHBOARD_DATABASE_URL="sqlite://${work}/switchboard.db?mode=rwc"
export SWITCHBOARD_SECRET_KEY_FILE="${work}/secret.key"
export SWITCHBOARD_ADDR="127.0.0.1:${port}"
export SWITCHBOARD_BASE_URL="$base"
export LEPTOS_SITE_ROOT="${work}/site"
export RUST_LOG=warn

server_pid=""
nginx_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$binary" serve >"${work}/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do curl -fs "${base}/healthz" >/dev/null && break; sleep 0.1; done

token=$("$binary" token create --name bench --role admin | tail -n1 | tr -d '[:space:]')
api() { curl -fsS -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' "$@"; }
configuration=$(api -X POST "${base}/api/v2/messenger/configurations" -d '{
  "name": "Benchmark",
  "draft": {
    "authentication": {"enabled": false, "integrationId": null, "allowSessionUpgrade": false},
    "appearance": {"primaryColor": "#0f766e", "launcherLabel": "Chat with us", "greeting": "Hello! How can we help?", "defaultLanguage": "en"},
    "sessionLifetimeSeconds": 3600
  }}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
api -X POST "${base}/api/v2/messenger/configurations/${configuration}/versions/draft/publish" >/dev/null
deployment=$(api -X POST "${base}/api/v2/messenger/deployments" -d "{
  \"name\": \"Benchmark site\", \"configuration\": {\"id\": \"${configuration}\", \"version\": null},
  \"allowedDomains\": [], \"allowAllDomains\": true, \"status\": \"active\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# nginx serves the very same bytes.
mkdir -p "${work}/static/config"
curl -fsS "${base}/messenger.js" -o "${work}/static/messenger.js"
curl -fsS "${base}/messenger/v1/deployments/${deployment}/config" -o "${work}/static/config/${deployment}.json"
# nginx-light has no brotli: it gets gzip -9 copies, served with gzip_static.
gzip -9 -k "${work}/static/messenger.js" "${work}/static/config/${deployment}.json"
# nginx's workers run as an unprivileged user: they must be able to read the files.
chmod -R a+rX "$work"
cat >"${work}/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid ${work}/nginx.pid;
error_log ${work}/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 100000;
  gzip_static on;
  gzip_vary on;
  types { text/javascript js; application/json json; }
  server {
    listen 127.0.0.1:${nginx_port};
    root ${work}/static;
    location / { add_header Cache-Control "public, max-age=60"; etag on; }
  }
}
NGINX
nginx -c "${work}/nginx.conf" -p "$work" &
nginx_pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:${nginx_port}/messenger.js" >/dev/null && break; sleep 0.1; done

# Prints "requests/s p99-ms" for one URL.
measure() {
  local out rps p99
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Origin: $ORIGIN" -H "Accept-Encoding: $ACCEPT" "$1")
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "error answers while measuring $1:" >&2
    echo "$out" >&2
    exit 1
  fi
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  # wrk prints units (us, ms, s); normalise to milliseconds.
  p99=$(python3 -c "import re, sys; n, u = re.fullmatch(r'([0-9.]+)(us|ms|s)', sys.argv[1]).groups(); print(round(float(n) * {'us': 0.001, 'ms': 1, 's': 1000}[u], 3))" "$p99")
  echo "$rps $p99"
}

printf '\nwrk: %s thread(s), %s connections, %s per run, loopback, 2-core machine\n\n' "$THREADS" "$CONNECTIONS" "$DURATION"
# Bytes of one answer's body on the wire.
wire() { curl -fsS -o /dev/null -w '%{size_download}' -H "Origin: $ORIGIN" -H "Accept-Encoding: $ACCEPT" "$1"; }

printf '%-22s %14s %10s %8s %14s %10s %8s %10s %10s\n' "endpoint" "switchboard/s" "p99 ms" "bytes" "nginx/s" "p99 ms" "bytes" "rps ratio" "p99 ratio"
for pair in "messenger.js|/messenger.js|/messenger.js" \
  "deployment config|/messenger/v1/deployments/${deployment}/config|/config/${deployment}.json"; do
  IFS='|' read -r name ours theirs <<<"$pair"
  read -r s_rps s_p99 <<<"$(measure "${base}${ours}")"
  read -r n_rps n_p99 <<<"$(measure "http://127.0.0.1:${nginx_port}${theirs}")"
  ratio() { python3 -c "print(f'{float($1)/float($2):.2f}')"; }
  printf '%-22s %14s %10s %8s %14s %10s %8s %10s %10s\n' "$name" "$s_rps" "$s_p99" "$(wire "${base}${ours}")" "$n_rps" "$n_p99" "$(wire "http://127.0.0.1:${nginx_port}${theirs}")" "$(ratio "$s_rps" "$n_rps")" "$(ratio "$s_p99" "$n_p99")"
done
on_wire() { curl -fsS -o /dev/null -w '%{size_download}' -H "Accept-Encoding: $1" "${base}/messenger.js"; }
printf '\nloader /messenger.js on the wire: %s bytes identity, %s gzip, %s brotli (budget 2048)\n' \
  "$(on_wire identity)" "$(on_wire gzip)" "$(on_wire br)"
