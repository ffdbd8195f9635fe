#!/usr/bin/env bash
# npm run dev — the node in a real n8n editor, in one command, with no account:
#   * compiles the node on every change (tsc --watch) straight into a community-package folder
#     that n8n loads (node type n8n-nodes-webrun.webRun, as for users),
#   * starts the bundled WebRun simulator on 127.0.0.1,
#   * starts real n8n 1.x (the cached e2e install; installed on first use, several minutes) with a
#     "WebRun (simulator)" credential and the example workflows imported, and an owner account,
#   * prints the editor URL and the login. Ctrl-C stops everything.
# n8n reads the node's code when it starts: after a change, press Enter here to restart n8n
# (the simulator, the credential and the workflows stay).
#   DEV_PORT=5678 npm run dev      (default: a free port)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# npm run exports the repo's .npmrc settings as npm_config_*: none of them is meant for n8n.
while IFS='=' read -r name _; do
	case "$name" in npm_config_* | npm_package_* | npm_lifecycle_*) unset "$name" ;; esac
done < <(env)
# shellcheck source=e2e/lib.sh
source "$ROOT/scripts/e2e/lib.sh"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/webrun-dev.XXXXXX")"
PIDS=()
cleanup() {
	n8n_server_stop 2>/dev/null
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	n8n_cleanup 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> real n8n (cached in $N8N_E2E_CACHE)"
bash "$ROOT/scripts/e2e/install-n8n.sh" line1 >"$WORK/install.log" 2>&1 || {
	tail -n 30 "$WORK/install.log"; echo "n8n install failed"; exit 1; }
n8n_env 1 "$WORK/n8n" || exit 1
unset N8N_CUSTOM_EXTENSIONS

echo "==> the package, rebuilt on every change"
PKG="$N8N_USER_FOLDER/.n8n/nodes/node_modules/n8n-nodes-webrun"
mkdir -p "$PKG/dist/icons"
cp "$ROOT/package.json" "$PKG/" && cp "$ROOT"/icons/* "$PKG/dist/icons/"
"$ROOT/node_modules/.bin/tsc" -p "$ROOT/tsconfig.build.json" --outDir "$PKG/dist" || exit 1
"$ROOT/node_modules/.bin/tsc" -p "$ROOT/tsconfig.build.json" --outDir "$PKG/dist" --watch \
	--preserveWatchOutput >"$WORK/tsc.log" 2>&1 &
PIDS+=($!)

echo "==> the simulator"
(cd "$ROOT" && exec node_modules/.bin/ts-node --transpile-only test/simulator/cli.ts --port 0 \
	--inline-window-ms 5000) >"$WORK/sim.out" 2>"$WORK/sim.err" &
PIDS+=($!)
for _ in $(seq 1 60); do grep -q '"url"' "$WORK/sim.out" 2>/dev/null && break; sleep 0.5; done
SIM_URL="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8").split("\n")[0]).url' "$WORK/sim.out")" || {
	cat "$WORK/sim.err"; exit 1; }

echo "==> credential and examples"
CRED_ID="devWebRunCred001"
printf '[{"id":"%s","name":"WebRun (simulator)","type":"webRunApi","data":{"apiKey":"wr_dev_not_a_real_key_0123456789","baseUrl":"%s"}}]\n' \
	"$CRED_ID" "$SIM_URL" >"$WORK/creds.json"
mkdir -p "$WORK/wf"
node -e '
	const fs = require("fs"), path = require("path");
	const [dir, out, cred] = process.argv.slice(1);
	fs.readdirSync(dir).filter((f) => f.endsWith(".json")).forEach((f, i) => {
		const wf = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
		wf.id = wf.id || `devExample${String(i + 1).padStart(6, "0")}`;
		for (const node of wf.nodes) if (node.credentials?.webRunApi) node.credentials.webRunApi = { id: cred, name: "WebRun (simulator)" };
		fs.writeFileSync(path.join(out, f), JSON.stringify(wf));
	});' "$ROOT/examples" "$WORK/wf" "$CRED_ID"
n8n_import_credentials "$WORK/creds.json" && n8n_import_workflow "$WORK/wf" || exit 1

start_n8n() {
	n8n_server_start "${DEV_PORT:-${N8N_PORT:-}}" "$WORK/n8n.log" || { tail -n 30 "$WORK/n8n.log"; return 1; }
	n8n_server_setup_owner 2>/dev/null || true
}
start_n8n || exit 1
cat <<MSG

  n8n editor:  $N8N_E2E_URL   (log in: $N8N_E2E_OWNER_EMAIL / $N8N_E2E_OWNER_PASSWORD)
  simulator:   $SIM_URL   (credential "WebRun (simulator)" points at it)
  logs:        $WORK/{n8n.log,tsc.log,sim.err}

  Enter: restart n8n with the latest build.   Ctrl-C: stop everything.
MSG
if [[ -t 0 ]]; then
	while read -r _; do
		echo "restarting n8n…"; n8n_server_stop; start_n8n && echo "n8n is back at $N8N_E2E_URL"
	done
else
	wait "${PIDS[0]}"
fi
