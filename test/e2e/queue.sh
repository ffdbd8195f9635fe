#!/usr/bin/env bash
# npm run e2e:queue — the built package in REAL n8n 1.x in queue mode: many executions, one account.
#
# Postgres + Redis on loopback (scripts/e2e/queue-services.sh), the simulator with a scaled rate
# limit (10 starts per 6 s window instead of per 60 s; the node learns the window from the
# X-RateLimit-* headers), `n8n start` (main: webhooks, enqueues) + 2 × `n8n worker --concurrency 5`
# sharing one user folder with the packed package where Community Nodes installs it.
# Workflow (queue-workflow.mjs): Webhook (respond when the last node finishes) → Split Out →
# WebRun Run Task (Parallel Tasks 4) → Set (execution id, worker name).
#
#  1. throughput: 6 webhook calls at once × 4 items (1.5 s tasks). Every call answers its 4
#     completed items; the simulator started exactly 24 tasks, each call/item once; prints wall
#     time vs the rate-limit bound, and the 429s per worker.
#  2. SIGTERM: 4 calls × 2 items of 20 s tasks; ~3 s after they run, SIGTERM both workers: w1
#     with n8n's default graceful shutdown timeout (30 s, longer than the tasks), w2 with
#     N8N_GRACEFUL_SHUTDOWN_TIMEOUT=5 (shorter); a third worker w3 is started to take over. Prints
#     what happened to the WebRun sessions, the executions and the webhook calls.
#
#   bash test/e2e/queue.sh          (QUEUE_E2E_BUILD=head: build HEAD in a clean copy instead of
#                                    the working tree; QUEUE_E2E_KEEP=1: keep the work dir)
set -uo pipefail
exec </dev/null
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/test/e2e"
# shellcheck source=../../scripts/e2e/lib.sh
source "$ROOT/scripts/e2e/lib.sh"

# `npm run` exports the repo's .npmrc settings as npm_config_*: keep them out of the nested npm
# commands (npm pack here; install-n8n.sh does the same for its installs).
while IFS='=' read -r name _; do
	case "$name" in npm_config_* | NPM_CONFIG_* | npm_package_* | npm_lifecycle_*) unset "$name" ;; esac
done < <(env)

RATE_LIMIT=10 RATE_WINDOW_MS=6000             # the simulator's window, scaled from 10 per 60 s
CALLS=6 ITEMS=4 TASK_MS=1500                  # scenario 1
LONG_CALLS=4 LONG_ITEMS=2 LONG_TASK_MS=20000  # scenario 2
SHORT_GRACE_S=5                               # w2's N8N_GRACEFUL_SHUTDOWN_TIMEOUT
SIGTERM_WAIT_S="${QUEUE_E2E_SIGTERM_WAIT:-150}" # how long scenario 2 waits for the calls after SIGTERM
WH_PATH="webrun-queue-e2e"
CRED_ID="e2eQueueCred0001"
E2E_KEY="wr_e2e_not_a_real_key_0123456789"

PASS=0; FAIL=0; SIM_PID=""; FIRE_PID=""; WORKER_PIDS=()
ok() { PASS=$((PASS + 1)); echo "  ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "  FAIL $*"; }
info() { echo "       $*"; }
now_ms() { date +%s%3N; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/webrun-e2e-queue.XXXXXX")"
chmod 755 "$WORK" # the postgres user must reach its data dir under it
cleanup() {
	local p i
	[[ -n "$FIRE_PID" ]] && kill "$FIRE_PID" 2>/dev/null
	for p in "${WORKER_PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done
	for i in $(seq 1 20); do
		local alive=0; for p in "${WORKER_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[[ $alive -eq 0 ]] && break; sleep 0.5
	done
	for p in "${WORKER_PIDS[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done
	n8n_cleanup
	if [[ -n "$SIM_PID" ]]; then
		kill -TERM -- "-$SIM_PID" 2>/dev/null || kill -TERM "$SIM_PID" 2>/dev/null
		for i in $(seq 1 10); do kill -0 -- "-$SIM_PID" 2>/dev/null || break; sleep 0.3; done
		kill -KILL -- "-$SIM_PID" 2>/dev/null
	fi
	bash "$ROOT/scripts/e2e/queue-services.sh" stop "$WORK/services" 2>/dev/null
	if [[ "${QUEUE_E2E_KEEP:-0}" == 1 ]]; then echo "(kept $WORK)"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
T_ALL=$SECONDS

# report <file>: the ok/bad/info lines of queue-check.mjs into this script's counters.
report() {
	local line
	while IFS= read -r line; do
		case "$line" in
			"ok "*) ok "${line#ok }" ;;
			"bad "*) bad "${line#bad }" ;;
			"info "*) info "${line#info }" ;;
			"figures "* | "sigterm "*) ;;
			*) [[ -n "$line" ]] && info "$line" ;;
		esac
	done <"$1"
}

echo "==> real n8n $N8N_E2E_N8N1_VERSION (cached in $N8N_E2E_CACHE)"
if [[ ! -f "$N8N_E2E_CACHE/n8n-$N8N_E2E_N8N1_VERSION/.e2e-install-complete" ]]; then
	bash "$ROOT/scripts/e2e/install-n8n.sh" line1 >"$WORK/install.log" 2>&1 || {
		tail -n 40 "$WORK/install.log"; echo "n8n install failed"; exit 1; }
fi

echo "==> build the package"
PKG="$ROOT"
build_head() {
	mkdir -p "$WORK/src" && git -C "$ROOT" archive HEAD | tar -x -C "$WORK/src" &&
		ln -s "$ROOT/node_modules" "$WORK/src/node_modules" &&
		(cd "$WORK/src" && npm run build --silent >"$WORK/build-head.log" 2>&1) || {
		cat "$WORK/build-head.log" 2>/dev/null; echo "build of HEAD failed"; exit 1; }
	PKG="$WORK/src"
}
if [[ "${QUEUE_E2E_BUILD:-}" == head ]]; then
	build_head; echo "  built HEAD ($(git -C "$ROOT" rev-parse --short HEAD)) in a clean copy"
elif ! (cd "$ROOT" && npm run build --silent >"$WORK/build.log" 2>&1); then
	tail -n 5 "$WORK/build.log"
	echo "  the working tree does not build (an edit in progress?): building HEAD in a clean copy"
	build_head
fi

echo "==> Postgres + Redis on loopback"
SVC_ENV="$(bash "$ROOT/scripts/e2e/queue-services.sh" start "$WORK/services")" || { echo "queue services did not start"; exit 1; }
eval "$SVC_ENV"
info "postgres 127.0.0.1:$QUEUE_PG_PORT, redis 127.0.0.1:$QUEUE_REDIS_PORT"
psql_q() { PGPASSWORD="$QUEUE_PG_PASSWORD" "$QUEUE_PG_BIN/psql" -h 127.0.0.1 -p "$QUEUE_PG_PORT" -U "$QUEUE_PG_USER" -d "$QUEUE_PG_DATABASE" -qAt -F ' ' -c "$1"; }

echo "==> start the simulator (rate limit $RATE_LIMIT per $((RATE_WINDOW_MS / 1000)) s, inline window 1 s)"
# In its own process group: npx runs ts-node as a child, which a kill of npx alone leaves behind.
(cd "$ROOT" && exec setsid npx ts-node --transpile-only test/simulator/cli.ts --port 0 --inline-window-ms 1000 \
	--rate-limit "$RATE_LIMIT" --rate-window-ms "$RATE_WINDOW_MS") >"$WORK/sim.out" 2>"$WORK/sim.err" &
SIM_PID=$!
for _ in $(seq 1 120); do grep -q '"url"' "$WORK/sim.out" 2>/dev/null && break; kill -0 "$SIM_PID" 2>/dev/null || break; sleep 0.5; done
SIM_URL="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8").split("\n")[0]).url)' "$WORK/sim.out" 2>/dev/null)" || {
	cat "$WORK/sim.err"; echo "simulator did not start"; exit 1; }
info "simulator at $SIM_URL"

echo "==> n8n in queue mode: import, main + 2 workers"
n8n_env 1 || { echo "n8n line 1 not installed"; exit 1; }
dest="$N8N_USER_FOLDER/.n8n/nodes/node_modules/n8n-nodes-webrun"
mkdir -p "$dest"
tgz="$(cd "$PKG" && npm pack --ignore-scripts --silent --pack-destination "$WORK" 2>/dev/null | tail -n1)"
tar -xzf "$WORK/$tgz" -C "$dest" --strip-components=1 && rm -f "$WORK/$tgz" || { echo "npm pack failed"; exit 1; }
unset N8N_CUSTOM_EXTENSIONS
export EXECUTIONS_MODE=queue QUEUE_BULL_REDIS_HOST=127.0.0.1 QUEUE_BULL_REDIS_PORT="$QUEUE_REDIS_PORT" \
	DB_TYPE=postgresdb DB_POSTGRESDB_HOST=127.0.0.1 DB_POSTGRESDB_PORT="$QUEUE_PG_PORT" \
	DB_POSTGRESDB_DATABASE="$QUEUE_PG_DATABASE" DB_POSTGRESDB_USER="$QUEUE_PG_USER" \
	DB_POSTGRESDB_PASSWORD="$QUEUE_PG_PASSWORD" N8N_LOG_LEVEL=info
node "$HERE/queue-workflow.mjs" "$WORK/n8n" "$CRED_ID" "$SIM_URL" "$E2E_KEY" "$WH_PATH"
T0=$SECONDS
if ! n8n_import_credentials "$WORK/n8n/creds.json" 2>"$WORK/import.log"; then
	cat "$WORK/import.log"; bad "import the credential (the first n8n process also migrates Postgres)"; exit 1
fi
# --activeState=fromJson (queue mode only): the workflow stays active, so the main process
# registers its production webhook at start.
out="$(n8n_cli import:workflow --input="$WORK/n8n/wf/e2eQueueWebhook1.json" --activeState=fromJson 2>&1)"
if grep -q 'Successfully imported' <<<"$out" && [[ "$(psql_q "select active from workflow_entity where id='e2eQueueWebhook1'")" == t ]]; then
	ok "credential and active workflow imported into Postgres ($((SECONDS - T0)) s)"
else
	tail -n 20 <<<"$out"; bad "import the active workflow"; exit 1
fi

# start_worker <name> <graceful shutdown timeout s> [stalled-job check interval ms]: a worker
# whose WebRun task texts name it ($E2E_WORKER); n8n's defaults are 30 s and 30000 ms.
declare -A WPID WURL
start_worker() {
	local name="$1" grace="$2" stalled="${3:-30000}"
	E2E_WORKER="$name" N8N_EVENTBUS_LOGWRITER_LOGBASENAME="n8nEventLog-$name" \
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT="$grace" QUEUE_WORKER_STALLED_INTERVAL="$stalled" \
		n8n_worker_start "$WORK/$name.log" 5
	WPID[$name]=$N8N_E2E_WORKER_PID WURL[$name]=$N8N_E2E_WORKER_HEALTH_URL
	WORKER_PIDS+=("$N8N_E2E_WORKER_PID")
}
T0=$SECONDS
start_worker w1 30
start_worker w2 "$SHORT_GRACE_S"
E2E_WORKER=main N8N_EVENTBUS_LOGWRITER_LOGBASENAME=n8nEventLog-main n8n_server_start "" "$WORK/main.log" 2>"$WORK/start.log" ||
	{ cat "$WORK/start.log"; bad "n8n start (main, queue mode)"; exit 1; }
n8n_worker_wait_ready "${WPID[w1]}" "${WURL[w1]}" "$WORK/w1.log" 2>>"$WORK/start.log" &&
	n8n_worker_wait_ready "${WPID[w2]}" "${WURL[w2]}" "$WORK/w2.log" 2>>"$WORK/start.log" ||
	{ cat "$WORK/start.log"; bad "n8n workers ready"; exit 1; }
ok "n8n main ($N8N_E2E_URL) + workers w1, w2 (--concurrency 5) ready in $((SECONDS - T0)) s, queue mode on Postgres + Redis"
WEBHOOK="$N8N_E2E_URL/webhook/$WH_PATH"

# ---------------------------------------------------------------------------------------------
echo "==> 1. $CALLS webhook calls at once × $ITEMS items, $(awk "BEGIN{print $TASK_MS/1000}") s tasks, two workers, one account"
timeout 240 node "$HERE/queue-fire.mjs" "$WEBHOOK" B1 "$CALLS" "$ITEMS" "$TASK_MS" "$WORK/b1.json" 2>"$WORK/b1.err" ||
	{ cat "$WORK/b1.err"; bad "webhook calls did not all answer within 240 s"; }
node "$HERE/queue-check.mjs" throughput "$WORK/b1.json" "$SIM_URL" "$RATE_LIMIT" "$RATE_WINDOW_MS" >"$WORK/b1.check" 2>&1
report "$WORK/b1.check"
FIG1="$(sed -n 's/^figures //p' "$WORK/b1.check")"
if node -e 'const b=require(process.argv[1]);const w=new Set(b.results.flatMap(r=>Array.isArray(r.body)?r.body.map(x=>x.worker):[]));process.exit(w.size&&[...w].every(x=>/^w\d$/.test(x))?0:1)' "$WORK/b1.json"; then
	ok "every execution ran on a worker (the Set node's \$env.E2E_WORKER), none in the main process"
else
	bad "executions did not run on the workers"
fi

# ---------------------------------------------------------------------------------------------
echo "==> 2. SIGTERM the workers while WebRun tasks run ($LONG_CALLS calls × $LONG_ITEMS items, $((LONG_TASK_MS / 1000)) s tasks)"
info "w1: N8N_GRACEFUL_SHUTDOWN_TIMEOUT=30 (n8n's default), w2: N8N_GRACEFUL_SHUTDOWN_TIMEOUT=$SHORT_GRACE_S"
node "$HERE/queue-fire.mjs" "$WEBHOOK" B2 "$LONG_CALLS" "$LONG_ITEMS" "$LONG_TASK_MS" "$WORK/b2.json" 2>"$WORK/b2.err" &
FIRE_PID=$!
N=$((LONG_CALLS * LONG_ITEMS)) T0=$SECONDS running="{}"
while (( SECONDS - T0 < 40 )); do
	running="$(node "$HERE/queue-check.mjs" running "$SIM_URL" B2 2>/dev/null)"
	[[ "$(node -e 'const r=JSON.parse(process.argv[1]);console.log(Object.values(r).reduce((a,b)=>a+b,0))' "$running" 2>/dev/null)" == "$N" ]] && break
	sleep 0.5
done
info "running on the simulator before SIGTERM: $running (after $((SECONDS - T0)) s)"
sleep 3
SIGTERM_AT=$(now_ms)
kill -TERM "${WPID[w1]}" "${WPID[w2]}"
# A third worker (stalled-job check every 5 s instead of 30 s, to keep the test short) takes
# whatever the stopped workers leave in the queue.
start_worker w3 30 5000
declare -A EXIT_AT EXIT_CODE
deadline=$((SECONDS + SIGTERM_WAIT_S))
while (( SECONDS < deadline )); do
	for w in w1 w2; do
		if [[ -z "${EXIT_AT[$w]:-}" ]] && ! kill -0 "${WPID[$w]}" 2>/dev/null; then
			EXIT_AT[$w]=$(now_ms); wait "${WPID[$w]}"; EXIT_CODE[$w]=$?
			info "$w exited with code ${EXIT_CODE[$w]} $(( (EXIT_AT[$w] - SIGTERM_AT) / 1000 )) s after SIGTERM"
		fi
	done
	kill -0 "$FIRE_PID" 2>/dev/null || break
	sleep 0.5
done
if kill -0 "$FIRE_PID" 2>/dev/null; then
	info "gave up waiting for the webhook calls $SIGTERM_WAIT_S s after SIGTERM"; kill "$FIRE_PID" 2>/dev/null
fi
wait "$FIRE_PID" 2>/dev/null; FIRE_PID=""
W3_READY=0; n8n_worker_wait_ready "${WPID[w3]}" "${WURL[w3]}" "$WORK/w3.log" 2>/dev/null && W3_READY=1
loglines() { # the shutdown and job lines of a worker log, for the report
	grep -E 'Worker started execution|Waiting for [0-9]+ active|Shutdown timed out|process exited after|stalled|Received SIGTERM|Stopping n8n|n8n worker is now ready' "$1" 2>/dev/null |
		sed -E 's/^[0-9TZ:.-]+ +//; s/"/'"'"'/g' | awk '!seen[$0]++' | head -n 12 |
		node -e 'console.log(JSON.stringify(require("fs").readFileSync(0,"utf8").split("\n").filter(Boolean)))'
}
{
	echo "{\"sigtermAt\": $SIGTERM_AT, \"workers\": ["
	echo "{\"name\":\"w1\",\"role\":\"graceful timeout 30 s\",\"graceS\":30,\"signalled\":true,\"exitAt\":${EXIT_AT[w1]:-null},\"exitCode\":${EXIT_CODE[w1]:-null},\"logLines\":$(loglines "$WORK/w1.log")},"
	echo "{\"name\":\"w2\",\"role\":\"graceful timeout $SHORT_GRACE_S s\",\"graceS\":$SHORT_GRACE_S,\"signalled\":true,\"exitAt\":${EXIT_AT[w2]:-null},\"exitCode\":${EXIT_CODE[w2]:-null},\"logLines\":$(loglines "$WORK/w2.log")},"
	echo "{\"name\":\"w3\",\"role\":\"started after the SIGTERM, ready=$W3_READY\",\"signalled\":false,\"logLines\":$(loglines "$WORK/w3.log")}"
	echo "]}"
} >"$WORK/events.json"
node "$HERE/queue-check.mjs" sigterm "$WORK/b2.json" "$SIM_URL" "$WORK/events.json" >"$WORK/b2.check" 2>&1
report "$WORK/b2.check"
info "executions in Postgres (id status mode): $(psql_q "select id || ' ' || status || ' ' || mode from execution_entity order by id" | tr '\n' ';')"

echo
[[ -n "$FIG1" ]] && echo "figures (scenario 1): $FIG1"
echo "queue e2e: $PASS passed, $FAIL failed in $((SECONDS - T_ALL)) s"
[[ $FAIL -eq 0 ]]
