#!/usr/bin/env bash
# Editor screenshots for docs/: the WebRun node (its light and dark icon) on n8n's light and dark
# theme, in real n8n 2.x with the packed package installed as a community package. Taken by hand
# when the icon or the editor changes, and committed; not part of CI.
#   bash scripts/docs-screenshots.sh        (needs the e2e installs: see scripts/e2e/README.md)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# npm run exports the repo's .npmrc settings as npm_config_*: none of them is meant for n8n.
while IFS='=' read -r name _; do
	case "$name" in npm_config_* | npm_package_* | npm_lifecycle_*) unset "$name" ;; esac
done < <(env)
# shellcheck source=e2e/lib.sh
source "$ROOT/scripts/e2e/lib.sh"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/webrun-docs-shots.XXXXXX")"
trap 'n8n_cleanup; rm -rf "$WORK"' EXIT

bash "$ROOT/scripts/e2e/install-n8n.sh" line2 browser >"$WORK/install.log" 2>&1 || {
	tail -n 30 "$WORK/install.log"; exit 1; }
(cd "$ROOT" && npm run build --silent) >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
n8n_env 2 "$WORK/n8n" || exit 1

# The packed package where n8n's Community Nodes installs packages (node type n8n-nodes-webrun.webRun).
PKG="$N8N_USER_FOLDER/.n8n/nodes/node_modules/n8n-nodes-webrun"
mkdir -p "$PKG"
TGZ="$(cd "$ROOT" && npm pack --silent --pack-destination "$WORK" | tail -n1)"
tar -xzf "$WORK/$TGZ" -C "$PKG" --strip-components=1
unset N8N_CUSTOM_EXTENSIONS

# A credential (never used: nothing is executed) and the multi-step example workflow.
CRED_ID="docsWebRunCred01"
printf '[{"id":"%s","name":"WebRun","type":"webRunApi","data":{"apiKey":"wr_docs_dummy_key","baseUrl":"http://127.0.0.1:9"}}]\n' \
	"$CRED_ID" >"$WORK/creds.json"
mkdir -p "$WORK/wf"
node -e '
	const fs = require("fs");
	const [src, out, cred] = process.argv.slice(1);
	const wf = JSON.parse(fs.readFileSync(src, "utf8"));
	wf.id = "docsExample00001";
	for (const node of wf.nodes)
		if (node.credentials?.webRunApi) node.credentials.webRunApi = { id: cred, name: "WebRun" };
	fs.writeFileSync(out, JSON.stringify(wf));
	console.log(wf.nodes.find((n) => n.name === "Start session").id);
' "$ROOT/examples/2-multi-step-session.json" "$WORK/wf/wf.json" "$CRED_ID" >"$WORK/node-id"
n8n_import_credentials "$WORK/creds.json" && n8n_import_workflow "$WORK/wf" || exit 1
n8n_server_start "" "$WORK/n8n.log" || { tail -n 30 "$WORK/n8n.log"; exit 1; }
n8n_server_setup_owner || exit 1

for theme in light dark; do
	N8N_E2E_THEME="$theme" n8n_screenshot /workflow/docsExample00001 \
		"$ROOT/docs/editor-$theme-theme.png" \
		-- "/workflow/docsExample00001/$(cat "$WORK/node-id")" "$ROOT/docs/editor-$theme-theme-panel.png" \
		'[data-test-id="ndv"]' || exit 1
done
rm -f "$ROOT"/docs/editor-*-theme*.txt
ls -l "$ROOT"/docs/editor-*-theme*.png
