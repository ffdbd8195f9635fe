#!/usr/bin/env bash
# Self-test of the real-n8n e2e infrastructure (lib.sh), independent of the WebRun node: builds a
# throwaway community package (one programmatic node with two named outputs, a credential with a
# `test` request, an icon) and a loopback echo server in a temp dir, then for each n8n line:
# stage (npm pack) -> import credentials + workflows -> execute 4 workflows (branch 0, branch 1,
# node error, HTTP 401) -> n8n start -> owner setup -> credential test via REST -> screenshots of
# the canvas and the node panel. Prints step timings and "N passed, N failed"; exit 1 on failure.
#
#   scripts/e2e/selftest.sh [1] [2] [--no-ui] [--keep]     (default: both lines, with UI)
#   SHOTS_DIR=dir   where screenshots go (default: the temp dir; printed)
set -uo pipefail
exec </dev/null
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

LINES=(); UI=1; KEEP=0
for a in "$@"; do
  case "$a" in 1|2) LINES+=("$a") ;; --no-ui) UI=0 ;; --keep) KEEP=1 ;;
    *) echo "usage: $0 [1] [2] [--no-ui] [--keep]" >&2; exit 2 ;; esac
done
[[ ${#LINES[@]} -eq 0 ]] && LINES=(1 2)
[[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]] || { UI=0; echo "[selftest] no chromium: UI steps skipped" >&2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/n8n-e2e-selftest.XXXXXX")"
SHOTS_DIR="${SHOTS_DIR:-$WORK/shots}"
PASS=0; FAIL=0; ECHO_PID=""
ok()   { PASS=$((PASS + 1)); echo "  ok   $*"; }
bad()  { FAIL=$((FAIL + 1)); echo "  FAIL $*"; }
check() { local d="$1"; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
finish() {
  n8n_cleanup
  [[ -n "$ECHO_PID" ]] && kill "$ECHO_PID" 2>/dev/null
  [[ $KEEP -eq 1 ]] && echo "[selftest] kept $WORK" >&2 || rm -rf "$WORK"
}
trap finish EXIT

# ---------------------------------------------------------------- fixtures
PKG="$WORK/n8n-nodes-e2eselftest"
mkdir -p "$PKG/dist/nodes/E2eTest" "$PKG/dist/credentials" "$PKG/dist/icons" "$WORK/wf" "$SHOTS_DIR"
cat >"$PKG/package.json" <<'EOF'
{ "name": "n8n-nodes-e2eselftest", "version": "0.0.1", "keywords": ["n8n-community-node-package"],
  "files": ["dist"], "peerDependencies": { "n8n-workflow": "*" },
  "n8n": { "n8nNodesApiVersion": 1,
    "credentials": ["dist/credentials/E2eTestApi.credentials.js"],
    "nodes": ["dist/nodes/E2eTest/E2eTest.node.js"] } }
EOF
cat >"$PKG/dist/icons/e2e.svg" <<'EOF'
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 60"><rect width="60" height="60" rx="8" fill="#2a7"/><text x="30" y="40" font-size="24" text-anchor="middle" fill="#fff">E2</text></svg>
EOF
cat >"$PKG/dist/credentials/E2eTestApi.credentials.js" <<'EOF'
"use strict";
class E2eTestApi {
  constructor() {
    this.name = 'e2eTestApi'; this.displayName = 'E2E Test API'; this.icon = 'file:../icons/e2e.svg';
    this.properties = [
      { displayName: 'API Key', name: 'apiKey', type: 'string', typeOptions: { password: true }, default: '', required: true },
      { displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'http://127.0.0.1:1', required: true },
    ];
    this.authenticate = { type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } } };
    this.test = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/v1/models', method: 'GET' } };
  }
}
exports.E2eTestApi = E2eTestApi;
EOF
cat >"$PKG/dist/nodes/E2eTest/E2eTest.node.js" <<'EOF'
"use strict";
// runtime require on purpose: n8n-workflow is a peerDependency and must resolve to n8n's copy
const { NodeOperationError } = require('n8n-workflow');
const OUTPUTS = `={{ [{ "type": "main", "displayName": "Completed" }, { "type": "main", "displayName": "Guardrail" }] }}`;
class E2eTest {
  constructor() {
    this.description = {
      displayName: 'E2E Test', name: 'e2eTest', icon: 'file:../../icons/e2e.svg', group: ['transform'],
      version: 1, description: 'e2e infrastructure self-test', defaults: { name: 'E2E Test' },
      inputs: ['main'], outputs: OUTPUTS, credentials: [{ name: 'e2eTestApi', required: true }],
      properties: [{ displayName: 'Route To', name: 'routeTo', type: 'options', default: 'completed',
        options: [{ name: 'Completed', value: 'completed' }, { name: 'Guardrail', value: 'guardrail' }, { name: 'Fail', value: 'fail' }] }],
    };
  }
  async execute() {
    const items = this.getInputData(); const creds = await this.getCredentials('e2eTestApi');
    const out = [[], []];
    for (let i = 0; i < items.length; i++) {
      const routeTo = this.getNodeParameter('routeTo', i);
      if (routeTo === 'fail') throw new NodeOperationError(this.getNode(), 'E2E deliberate failure', { itemIndex: i });
      const resp = await this.helpers.httpRequestWithAuthentication.call(this, 'e2eTestApi',
        { method: 'GET', baseURL: creds.baseUrl, url: '/v1/echo', json: true });
      out[routeTo === 'guardrail' ? 1 : 0].push({ json: { routeTo, resp, wf: require.resolve('n8n-workflow') }, pairedItem: { item: i } });
    }
    return out;
  }
}
exports.E2eTest = E2eTest;
EOF
cat >"$WORK/echo.js" <<'EOF'
const s = require('http').createServer((req, res) => {
  const ok = req.headers.authorization === 'Bearer sekret';
  res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok, path: req.url }));
}).listen(0, '127.0.0.1', () => console.log(s.address().port));
setTimeout(() => process.exit(0), 3600e3).unref();
EOF
node "$WORK/echo.js" >"$WORK/echo.port" & ECHO_PID=$!
for _ in $(seq 50); do [[ -s "$WORK/echo.port" ]] && break; sleep 0.1; done
ECHO_URL="http://127.0.0.1:$(cat "$WORK/echo.port")"
cat >"$WORK/creds.json" <<EOF
[ { "id": "e2eSelfCred0001", "name": "E2E Cred", "type": "e2eTestApi", "data": { "apiKey": "sekret", "baseUrl": "$ECHO_URL" } },
  { "id": "e2eSelfCred0002", "name": "E2E Bad Cred", "type": "e2eTestApi", "data": { "apiKey": "wrong", "baseUrl": "$ECHO_URL" } } ]
EOF
wf() { # id routeTo credId
  cat >"$WORK/wf/$1.json" <<EOF
{ "id": "$1", "name": "$1", "active": false, "settings": { "executionOrder": "v1" },
  "nodes": [
    { "id": "00000000-0000-4000-8000-000000000001", "name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "position": [0, 0], "parameters": {} },
    { "id": "00000000-0000-4000-8000-000000000002", "name": "E2E Test", "type": "CUSTOM.e2eTest", "typeVersion": 1, "position": [240, 0],
      "parameters": { "routeTo": "$2" }, "credentials": { "e2eTestApi": { "id": "$3", "name": "E2E Cred" } } },
    { "id": "00000000-0000-4000-8000-000000000003", "name": "After Completed", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [480, -100], "parameters": {} },
    { "id": "00000000-0000-4000-8000-000000000004", "name": "After Guardrail", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [480, 100], "parameters": {} } ],
  "connections": {
    "Start": { "main": [[{ "node": "E2E Test", "type": "main", "index": 0 }]] },
    "E2E Test": { "main": [[{ "node": "After Completed", "type": "main", "index": 0 }], [{ "node": "After Guardrail", "type": "main", "index": 0 }]] } } }
EOF
}
wf e2eSelfWfDone01 completed e2eSelfCred0001
wf e2eSelfWfGuard01 guardrail e2eSelfCred0001
wf e2eSelfWfFail01 fail e2eSelfCred0001
wf e2eSelfWfBadCr01 completed e2eSelfCred0002

# jq-free JSON probe: jsq <file> <js expression over j>  -> prints the value
jsq() { node -e "const j=JSON.parse(require('fs').readFileSync('$1','utf8')); const v=($2); console.log(typeof v==='string'?v:JSON.stringify(v))"; }
timed() { local t=$SECONDS; "$@"; local rc=$?; echo "  ...  $* ($((SECONDS - t)) s)" >&2; return $rc; }

# ---------------------------------------------------------------- per line
for L in "${LINES[@]}"; do
  echo "== line $L"
  T0=$SECONDS
  if ! n8n_env "$L" "$WORK/user$L"; then bad "line $L installed"; continue; fi
  check "stage package (npm pack)" n8n_stage_package "$PKG" "$WORK/ext$L"
  check "import credentials" timed n8n_import_credentials "$WORK/creds.json"
  check "import workflows (dir, one process)" timed n8n_import_workflow "$WORK/wf"

  R="$WORK/run$L"; mkdir -p "$R"
  timed n8n_execute e2eSelfWfDone01 >"$R/done.json"; rc=$?
  check "completed: exit 0" test "$rc" -eq 0
  check "completed: branch 0 has the item, branch 1 empty" \
    test "$(jsq "$R/done.json" 'j.data.resultData.runData["E2E Test"][0].data.main.map(o=>o.length).join()')" = "1,0"
  check "completed: credential applied (echo 200)" \
    test "$(jsq "$R/done.json" 'j.data.resultData.runData["After Completed"][0].data.main[0][0].json.resp.ok')" = "true"
  check "n8n-workflow resolved to n8n's own copy" \
    grep -q "$N8N_E2E_HOME/node_modules/n8n-workflow" <(jsq "$R/done.json" 'j.data.resultData.runData["E2E Test"][0].data.main[0][0].json.wf')

  timed n8n_execute e2eSelfWfGuard01 >"$R/guard.json"; rc=$?
  check "guardrail: exit 0, branch 1 has the item" \
    test "$rc/$(jsq "$R/guard.json" 'j.data.resultData.runData["E2E Test"][0].data.main.map(o=>o.length).join()')" = "0/0,1"

  timed n8n_execute e2eSelfWfFail01 >"$R/fail.json"; rc=$?
  check "node error: exit 1" test "$rc" -eq 1
  check "node error: JSON has resultData.error NodeOperationError" \
    test "$(jsq "$R/fail.json" 'j.data.resultData.error.name+"|"+j.data.resultData.error.message+"|"+j.data.resultData.runData["E2E Test"][0].error.node.type')" \
    = "NodeOperationError|E2E deliberate failure|CUSTOM.e2eTest"

  timed n8n_execute e2eSelfWfBadCr01 >"$R/badcred.json"; rc=$?
  check "HTTP 401: exit 1, NodeApiError httpCode 401" \
    test "$rc/$(jsq "$R/badcred.json" 'j.data.resultData.error.name+" "+j.data.resultData.error.httpCode')" = "1/NodeApiError 401"

  if timed n8n_server_start; then
    ok "n8n start (ready)"
    check "owner setup + login" n8n_server_setup_owner
    check "credential test OK (REST)" grep -q '"status": "OK"' <(n8n_rest POST /rest/credentials/test \
      '{"credentials":{"id":"e2eSelfCred0001","name":"E2E Cred","type":"e2eTestApi","data":{"apiKey":"sekret","baseUrl":"'"$ECHO_URL"'"}}}')
    check "credential test rejects a bad key (REST)" grep -q '"status": "Error"' <(n8n_rest POST /rest/credentials/test \
      '{"credentials":{"id":"e2eSelfCred0001","name":"E2E Cred","type":"e2eTestApi","data":{"apiKey":"nope","baseUrl":"'"$ECHO_URL"'"}}}')
    if [[ $UI -eq 1 ]]; then
      timed n8n_screenshot /workflow/e2eSelfWfDone01 "$SHOTS_DIR/line$L-canvas.png" \
        -- /workflow/e2eSelfWfDone01/00000000-0000-4000-8000-000000000002 "$SHOTS_DIR/line$L-ndv.png" '[data-test-id="ndv"]'
      check "screenshots written" test -s "$SHOTS_DIR/line$L-canvas.png" -a -s "$SHOTS_DIR/line$L-ndv.png"
    fi
    n8n_server_stop
  else
    bad "n8n start (ready)"
  fi
  echo "  line $L total: $((SECONDS - T0)) s"
done

[[ $UI -eq 1 && $KEEP -eq 0 && "$SHOTS_DIR" == "$WORK/shots" ]] && echo "(screenshots are deleted with the temp dir; use --keep or SHOTS_DIR=…)"
echo "$PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]
