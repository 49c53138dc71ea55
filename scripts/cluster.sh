#!/usr/bin/env bash
# Several Switchboard instances on one PostgreSQL database behind nginx doing round-robin: the
# set-up DESIGN.md promises, for a person to try and for the multi-instance tests and benchmark.
#
#   scripts/cluster.sh up [N]     start N instances (default 3) and the proxy; prints the address
#   scripts/cluster.sh down       stop everything and drop the cluster's database
#   scripts/cluster.sh kill I     kill -9 instance I (1..N), as a crash would
#   scripts/cluster.sh start I    start instance I again (a restart, or an upgraded binary)
#   scripts/cluster.sh status     which instances run
#
# Settings (environment): SWITCHBOARD_BIN (default target/debug/switchboard), CLUSTER_DIR (state,
# logs and the nginx configuration; default target/cluster), CLUSTER_SERVER_URL (the PostgreSQL
# server where the cluster's own database is made; default the local `test` database), and any
# SWITCHBOARD_* setting, passed to every instance. `up` writes CLUSTER_DIR/cluster.env: the
# proxy's BASE_URL, the DATABASE_URL and each instance's INSTANCE_<I>_URL.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Paths given relative to where the script was run from, before moving.
binary=$(realpath -m "${SWITCHBOARD_BIN:-$root/target/debug/switchboard}")
dir=$(realpath -m "${CLUSTER_DIR:-$root/target/cluster}")
# Instances find the site (target/site) relative to the repository, as `cargo leptos` leaves it.
cd "$root"
server_url=${CLUSTER_SERVER_URL:-postgres://postgres@127.0.0.1:5432/test}
nginx=$(command -v nginx || echo /usr/sbin/nginx)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
say() { printf '%s\n' "$*" >&2; }

# Waits for $1/healthz; fails after 30 s showing the log $2.
wait_healthy() {
  for _ in $(seq 300); do
    curl -fs "$1/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  say "no answer from $1; its log:"
  tail -n 20 "$2" >&2
  return 1
}

start_instance() {
  local i=$1 port_var="INSTANCE_${1}_PORT"
  local port=${!port_var}
  # Every instance has the same settings but its own address; they share the database, the
  # secret key and the public base URL (the proxy's).
  SWITCHBOARD_DATABASE_URL=$DATABASE_URL \
    SWITCHBOARD_SECRET_KEY_FILE="$dir/secret.key" \
    SWITCHBOARD_ADDR="127.0.0.1:${port}" \
    SWITCHBOARD_BASE_URL=$BASE_URL \
    SWITCHBOARD_TRUSTED_PROXIES=${SWITCHBOARD_TRUSTED_PROXIES:-127.0.0.1/32} \
    SWITCHBOARD_ALLOW_INSECURE_LOCALHOST=${SWITCHBOARD_ALLOW_INSECURE_LOCALHOST:-true} \
    RUST_LOG=${RUST_LOG:-warn} \
    setsid env -u SWITCHBOARD_BIN "$binary" serve >>"$dir/instance-$i.log" 2>&1 </dev/null &
  echo $! >"$dir/instance-$i.pid"
}

write_nginx_conf() {
  local servers="" i port_var
  for i in $(seq "$INSTANCES"); do
    port_var="INSTANCE_${i}_PORT"
    # A dead instance is skipped for 2 s after one failed connection, then tried again.
    servers+="    server 127.0.0.1:${!port_var} max_fails=1 fail_timeout=2s;"$'\n'
  done
  cat >"$dir/nginx.conf" <<NGINX
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $dir/nginx-body;
  proxy_temp_path $dir/nginx-proxy;
  upstream switchboard {
$servers    keepalive 64;
  }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / {
      proxy_pass http://switchboard;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      # Event streams go out as they are written and may stay idle for long.
      proxy_buffering off;
      proxy_read_timeout 1h;
      # Only requests that never reached an instance move to the next one; a request an
      # instance died answering fails rather than running twice.
      proxy_next_upstream error;
    }
  }
}
NGINX
}

load_env() {
  [ -f "$dir/cluster.env" ] || { say "no cluster in $dir (run: $0 up)"; exit 1; }
  # shellcheck disable=SC1091
  source "$dir/cluster.env"
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

up() {
  local count=${1:-3} i database
  [ -x "$binary" ] || { say "no binary at $binary (build it: cargo leptos build)"; exit 1; }
  if [ -f "$dir/cluster.env" ]; then
    say "a cluster is already up in $dir (run: $0 down)"
    exit 1
  fi
  mkdir -p "$dir"
  database="switchboard_cluster_$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  psql "$server_url" -qc "CREATE DATABASE ${database}" >/dev/null
  {
    echo "INSTANCES=$count"
    echo "DATABASE=$database"
    echo "DATABASE_URL=${server_url%/*}/${database}"
    PROXY_PORT=$(free_port)
    echo "PROXY_PORT=$PROXY_PORT"
    echo "BASE_URL=http://127.0.0.1:${PROXY_PORT}"
    for i in $(seq "$count"); do
      port=$(free_port)
      echo "INSTANCE_${i}_PORT=$port"
      echo "INSTANCE_${i}_URL=http://127.0.0.1:${port}"
    done
  } >"$dir/cluster.env"
  load_env
  # All at once, as an orchestrator would start them: they take turns migrating.
  for i in $(seq "$count"); do start_instance "$i"; done
  for i in $(seq "$count"); do
    local url_var="INSTANCE_${i}_URL"
    wait_healthy "${!url_var}" "$dir/instance-$i.log"
  done
  write_nginx_conf
  mkdir -p "$dir/nginx-body" "$dir/nginx-proxy"
  "$nginx" -e "$dir/nginx-error.log" -c "$dir/nginx.conf" -p "$dir"
  wait_healthy "$BASE_URL" "$dir/nginx-error.log"
  say "$count instances behind $BASE_URL (database $database; logs in $dir)"
  echo "$BASE_URL"
}

down() {
  local i
  [ -f "$dir/cluster.env" ] || return 0
  load_env
  running "$dir/nginx.pid" && kill "$(cat "$dir/nginx.pid")"
  for i in $(seq "$INSTANCES"); do
    running "$dir/instance-$i.pid" && kill "$(cat "$dir/instance-$i.pid")"
  done
  for i in $(seq "$INSTANCES"); do
    for _ in $(seq 50); do running "$dir/instance-$i.pid" || break; sleep 0.1; done
  done
  psql "$server_url" -qc "DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)" >/dev/null
  rm -f "$dir/cluster.env"
}

case "${1:-}" in
  up) up "${2:-3}" ;;
  down) down ;;
  kill)
    load_env
    kill -9 "$(cat "$dir/instance-$2.pid")"
    ;;
  start)
    load_env
    if running "$dir/instance-$2.pid"; then say "instance $2 is running"; exit 1; fi
    start_instance "$2"
    url_var="INSTANCE_${2}_URL"
    wait_healthy "${!url_var}" "$dir/instance-$2.log"
    ;;
  status)
    load_env
    for i in $(seq "$INSTANCES"); do
      state=down
      running "$dir/instance-$i.pid" && state=up
      url_var="INSTANCE_${i}_URL"
      echo "instance $i ${!url_var} $state"
    done
    running "$dir/nginx.pid" && echo "proxy $BASE_URL up" || echo "proxy $BASE_URL down"
    ;;
  *)
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
