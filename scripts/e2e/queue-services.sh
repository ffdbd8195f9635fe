#!/usr/bin/env bash
# Postgres + Redis on loopback for n8n queue mode (test/e2e/queue.sh).
#
#   scripts/e2e/queue-services.sh install          # apt-get postgresql redis-server, skipped when present
#   scripts/e2e/queue-services.sh start <dir>      # install if needed, start both, print KEY=value (eval-able)
#   scripts/e2e/queue-services.sh stop <dir>       # stop both, remove <dir>
#
# `start` makes <dir> (a fresh throwaway directory: Postgres data, sockets, logs), initdb's a cluster
# owned by the postgres user (Postgres refuses to run as root), listens on 127.0.0.1 only, on free
# ports, with durability off (a test database: fsync, synchronous_commit and full_page_writes off),
# and creates database/user n8n (password auth). Redis: no persistence (--save '' --appendonly no).
# Output (stdout, eval-able):
#   QUEUE_SERVICES_DIR=… QUEUE_PG_BIN=… QUEUE_PG_PORT=… QUEUE_PG_DATABASE=n8n QUEUE_PG_USER=n8n
#   QUEUE_PG_PASSWORD=… QUEUE_REDIS_PORT=… QUEUE_REDIS_PID=…
# Diagnostics go to stderr. Never reads stdin. Installing needs root or passwordless sudo; as root,
# Postgres runs as the postgres user (runuser), otherwise as the calling user.
set -euo pipefail
exec </dev/null

log() { printf '[queue-services] %s\n' "$*" >&2; }

pg_bin() { # the newest installed server's bin dir
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  [[ -n "$d" && -x "$d/postgres" && -x "$d/initdb" && -x "$d/pg_ctl" ]] && echo "$d"
}
redis_bin() { command -v redis-server 2>/dev/null || { [[ -x /usr/bin/redis-server ]] && echo /usr/bin/redis-server; }; }

# as_pg <cmd…>: Postgres refuses to run as root: as root, run it as the postgres user; as anyone
# else, as that user.
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_own() { [[ $(id -u) -eq 0 ]] && chown postgres: "$@"; return 0; }

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

do_install() {
  local want=()
  pg_bin >/dev/null || want+=(postgresql)
  redis_bin >/dev/null || want+=(redis-server)
  if [[ ${#want[@]} -eq 0 ]]; then log "postgres ($(pg_bin)) and redis ($(redis_bin)) present"; return 0; fi
  command -v apt-get >/dev/null || { log "missing ${want[*]} and no apt-get"; return 1; }
  local SUDO=""
  if [[ $(id -u) -ne 0 ]]; then sudo -n true 2>/dev/null || { log "missing ${want[*]}: need root"; return 1; }; SUDO="sudo -n"; fi
  local t0=$SECONDS aptlog; aptlog="$(mktemp "${TMPDIR:-/tmp}/queue-services-apt.XXXXXX")"
  log "apt-get install ${want[*]}"
  # policy-rc.d 101: do not start the distribution's own services (we run private instances).
  local rc=0 policy=/usr/sbin/policy-rc.d made_policy=0
  if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null; $SUDO chmod +x "$policy"; made_policy=1; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$aptlog" 2>&1 &&
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${want[@]}" >>"$aptlog" 2>&1 || rc=$?
  [[ $made_policy -eq 1 ]] && $SUDO rm -f "$policy"
  if [[ $rc -ne 0 ]]; then log "apt-get failed:"; tail -n 15 "$aptlog" >&2; rm -f "$aptlog"; return 1; fi
  rm -f "$aptlog"
  pg_bin >/dev/null && redis_bin >/dev/null || { log "installed but binaries not found"; return 1; }
  log "installed ${want[*]} in $((SECONDS - t0))s"
}

do_start() {
  local dir="${1:?usage: queue-services.sh start <dir>}"
  do_install
  local bin redis pg_port redis_port pw
  bin="$(pg_bin)"; redis="$(redis_bin)"
  [[ -e "$dir" && -n "$(ls -A "$dir" 2>/dev/null)" ]] && { log "$dir exists and is not empty"; return 1; }
  mkdir -p "$dir"; chmod 755 "$dir"
  # postgres must reach its data dir: every parent needs o+x (mktemp -d makes 700 dirs).
  if ! as_pg test -x "$dir"; then log "user postgres cannot enter $dir (parent dir permissions)"; return 1; fi
  mkdir -p "$dir/pg" "$dir/pgsock"; pg_own "$dir/pg" "$dir/pgsock"; chmod 700 "$dir/pg"
  pw="e2e-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s\n' "$pw" >"$dir/pgpass"; pg_own "$dir/pgpass"; chmod 600 "$dir/pgpass"
  as_pg "$bin/initdb" -D "$dir/pg/data" -U n8n --pwfile="$dir/pgpass" \
    --auth-host=scram-sha-256 --auth-local=peer -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    as_pg "$bin/initdb" -D "$dir/pg/data" -U n8n --pwfile="$dir/pgpass" \
      --auth-host=scram-sha-256 --auth-local=peer -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
    { log "initdb failed:"; tail -n 20 "$dir/initdb.log" >&2; return 1; }
  rm -f "$dir/pgpass"
  pg_port="$(free_port)"
  if ! as_pg "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$dir/pgsock -c max_connections=60 -c shared_buffers=32MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >"$dir/pg_ctl.log" 2>&1; then
    log "postgres did not start:"; tail -n 20 "$dir/pg/postgres.log" >&2 2>/dev/null; return 1
  fi
  if ! PGPASSWORD="$pw" "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U n8n -d postgres -qAt \
      -c 'CREATE DATABASE n8n' >"$dir/createdb.log" 2>&1; then
    log "CREATE DATABASE failed:"; cat "$dir/createdb.log" >&2; return 1
  fi
  redis_port="$(free_port)"
  if ! "$redis" --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize yes \
      --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >"$dir/redis-start.log" 2>&1; then
    log "redis did not start:"; cat "$dir/redis-start.log" "$dir/redis.log" >&2 2>/dev/null; return 1
  fi
  local i
  for i in $(seq 1 50); do
    [[ -s "$dir/redis.pid" ]] && node -e "const s=require('net').connect($redis_port,'127.0.0.1');s.on('connect',()=>{s.write('PING\r\n')});s.on('data',d=>process.exit(String(d).startsWith('+PONG')?0:1));s.on('error',()=>process.exit(1))" 2>/dev/null && break
    sleep 0.2
  done
  [[ $i -lt 50 ]] || { log "redis not answering PING on $redis_port"; return 1; }
  printf '%s\n' "$pg_port" >"$dir/pg.port"; printf '%s\n' "$redis_port" >"$dir/redis.port"
  log "postgres $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port, redis $("$redis" --version | awk '{print $3}' | sed 's/v=//') on 127.0.0.1:$redis_port ($dir)"
  echo "QUEUE_SERVICES_DIR=$dir"
  echo "QUEUE_PG_BIN=$bin"
  echo "QUEUE_PG_PORT=$pg_port"
  echo "QUEUE_PG_DATABASE=n8n"
  echo "QUEUE_PG_USER=n8n"
  echo "QUEUE_PG_PASSWORD=$pw"
  echo "QUEUE_REDIS_PORT=$redis_port"
  echo "QUEUE_REDIS_PID=$(cat "$dir/redis.pid")"
}

do_stop() {
  local dir="${1:?usage: queue-services.sh stop <dir>}" bin pid i
  [[ -d "$dir" ]] || return 0
  if [[ -f "$dir/pg/data/postmaster.pid" ]] && bin="$(pg_bin)"; then
    as_pg "$bin/pg_ctl" -D "$dir/pg/data" -m immediate -w -t 20 stop >/dev/null 2>&1 || {
      pid="$(head -n1 "$dir/pg/data/postmaster.pid" 2>/dev/null)"; [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null; }
  fi
  if [[ -s "$dir/redis.pid" ]]; then
    pid="$(cat "$dir/redis.pid")"
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
  log "stopped and removed $dir"
}

case "${1:-}" in
  install) do_install ;;
  start) do_start "${2:-}" ;;
  stop) do_stop "${2:-}" ;;
  *) echo "usage: $0 install | start <dir> | stop <dir>" >&2; exit 2 ;;
esac
