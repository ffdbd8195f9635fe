// Assertions on the execution JSON that `n8n execute --rawOutput` printed.
// Usage: node check.mjs <case> <run.json> <exitCode>   → prints "ok <case>" or the differences; exit 1 on any.
import { readFileSync } from 'node:fs';

const [name, file, exitCode] = process.argv.slice(2);
const run = JSON.parse(readFileSync(file, 'utf8') || 'null');
const problems = [];
const expect = (cond, what) => cond || problems.push(what);
const runData = run?.data?.resultData?.runData ?? {};
const out = (node, index = 0) => runData[node]?.[0]?.data?.main?.[index] ?? [];
const items = (node) => out(node).map((i) => i.json);
const nodeError = (node) => runData[node]?.[0]?.error ?? run?.data?.resultData?.error;

const cases = {
	'example-1-run-task'() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [item] = items('Find keyboards');
		expect(item?.status === 'completed', `Find keyboards status ${item?.status}`);
		expect(typeof item?.message === 'string' && item.message.length > 0, 'a message');
		expect(typeof item?.sessionId === 'string' && typeof item?.taskId === 'string', 'ids');
		expect(item?.usage?.cost !== undefined, 'usage.cost');
		expect(items('Use the answer').length === 1, 'the Completed branch ran "Use the answer"');
		expect(!runData['Agent needs a human'], 'the Guardrail branch did not run');
	},
	'run-pending'() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [item] = items('On Completed');
		expect(
			item?.status === 'completed' && item?.message === 'Pending task done',
			`completed item, got ${JSON.stringify(item)}`,
		);
	},
	guardrail() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [item] = items('On Guardrail');
		expect(item?.status === 'guardrail', `guardrail status, got ${item?.status}`);
		expect(item?.guardrail?.value === 'I need login credentials', 'guardrail value');
		expect(
			out('WebRun', 1).length === 1 && out('WebRun', 0).length === 0,
			'the item left through output 1 (Guardrail)',
		);
		expect(!runData['On Completed'], 'Completed branch did not run');
	},
	'guardrail-reply'() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [asked] = out('Run Task', 1).map((i) => i.json);
		const [resumed] = items('Resumed');
		expect(asked?.status === 'guardrail', 'Run Task went to Guardrail');
		expect(
			resumed?.status === 'completed' && resumed?.message === 'Logged in after the reply',
			`resumed, got ${JSON.stringify(resumed)}`,
		);
		expect(
			resumed?.taskId === asked?.taskId && resumed?.sessionId === asked?.sessionId,
			'the same task resumed',
		);
		expect(!runData['Asked again'] && !runData['First try completed'], 'no other branch ran');
	},
	'example-2-session'() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const start = items('Start session')[0];
		const search = items('Search')[0];
		const cart = items('Add to cart')[0];
		const end = items('Terminate session')[0];
		expect(
			start?.status === 'completed' && typeof start?.liveViewUrl === 'string',
			'Start Session with first task',
		);
		expect(search?.status === 'completed' && cart?.status === 'completed', 'two tasks completed');
		expect(
			search?.sessionId === start?.sessionId && cart?.sessionId === start?.sessionId,
			'same session',
		);
		expect(search?.taskId !== cart?.taskId, 'two different tasks');
		expect(
			end?.action === 'terminate' && end?.success === true && end?.sessionId === start?.sessionId,
			`terminated, got ${JSON.stringify(end)}`,
		);
	},
	'fail-stop'() {
		expect(exitCode !== '0', 'the workflow failed');
		const error = nodeError('WebRun');
		expect(
			/NAVIGATION_TIMEOUT/.test(error?.message ?? ''),
			`error names the code, got ${error?.message}`,
		);
		expect(!runData['On Completed'] && !runData['On Error'], 'nothing ran after the node');
	},
	'fail-continue'() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [item] = items('On Completed');
		expect(
			/NAVIGATION_TIMEOUT/.test(item?.error ?? ''),
			`the item carries the error, got ${JSON.stringify(item)}`,
		);
		expect(
			item?.code === 'NAVIGATION_TIMEOUT' && typeof item?.taskId === 'string',
			'and the code and ids',
		);
	},
	// Reads the simulator's own record (SIM_URL, exported by run.sh): the task ended there.
	async 'cost-cap'() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [item] = items('On Completed');
		const got = JSON.stringify(item);
		expect(item?.code === 'COST_LIMIT_REACHED', `an item with COST_LIMIT_REACHED, got ${got}`);
		expect(typeof item?.sessionId === 'string' && typeof item?.taskId === 'string', 'ids');
		const cost = item?.usage?.cost;
		expect(typeof cost === 'number' && cost > 0.015, `usage.cost above the cap, got ${cost}`);
		expect(item?.maxCostUsd === 0.015, 'and the cap');
		const error = String(item?.error);
		expect(error.includes(`$${cost}`) && error.includes('$0.015'), `cost and cap in: ${error}`);
		if (!process.env.SIM_URL) return expect(false, 'SIM_URL not set');
		const get = async (path) => (await fetch(`${process.env.SIM_URL}${path}`)).json();
		const task = (await get('/__sim/tasks')).find((t) => t.taskId === item?.taskId);
		const ended = `${task?.state}/${task?.endReason}`;
		expect(ended === 'terminated/terminate', `terminated on the simulator, got ${ended}`);
		expect(task?.costAtEnd === cost, `cost = the simulator's final cost ${task?.costAtEnd}`);
		const log = await get('/__sim/requests');
		const stops = log.filter((r) => r.action === 'state' && r.body?.sessionId === item?.sessionId);
		const sent = stops.map((r) => r.body?.message?.newState).join();
		expect(sent === 'terminate', `one terminate sent, got "${sent}"`);
		const after = log.filter((r) => r.seq > stops[0]?.seq && r.taskId === item?.taskId);
		const polls = after.map((r) => r.endpoint).join();
		expect(polls === 'poll', `one poll after the stop, got "${polls}"`);
	},
	'fail-error-output'() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [item] = items('On Error');
		expect(
			/NAVIGATION_TIMEOUT/.test(JSON.stringify(item ?? {})),
			`the error output got the item, got ${JSON.stringify(item)}`,
		);
		expect(!runData['On Completed'], 'Completed did not run');
	},
};

// The W2-only simulator (SIM_W2_URL, exported by run.sh): its own record of what it read.
const simW2 = async (path) => (await fetch(`${process.env.SIM_W2_URL}${path}`)).json();
// Every answer of the W2 simulator so far was below 400 (a 400 would mean a body of the wrong shape).
async function expectNo4xx() {
	const log = await simW2('/__sim/requests');
	const bad = log
		.filter((r) => r.status >= 400)
		.map((r) => `${r.endpoint}${r.action ? `:${r.action}` : ''} ${r.status}`);
	expect(bad.length === 0, `W2 simulator answered ${bad.join(', ')}`);
	return log;
}
// The requests of one session that carried a task text, as "endpoint[:action]=path of the text".
const textPaths = (log, sessionId) =>
	log
		.filter((r) => r.sessionId === sessionId && r.fields?.taskText)
		.map((r) => `${r.endpoint}${r.action ? `:${r.action}` : ''}=${r.fields.taskText}`)
		.join(', ');
const tasksOf = async (sessionId) =>
	(await simW2('/__sim/tasks')).filter((t) => t.sessionId === sessionId);

Object.assign(cases, {
	async 'w2-run-task'() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [item] = items('On Completed');
		expect(
			item?.status === 'completed' && item?.message === 'Open 9 to 5',
			`completed item, got ${JSON.stringify(item)}`,
		);
		expect(typeof item?.sessionId === 'string' && typeof item?.taskId === 'string', 'ids');
		expect(!runData['On Guardrail'], 'the Guardrail branch did not run');
		if (!process.env.SIM_W2_URL) return expect(false, 'SIM_W2_URL not set');
		const log = await expectNo4xx();
		const paths = textPaths(log, item?.sessionId);
		expect(paths === 'run-task=task.prompt', `task text read from task.prompt, got "${paths}"`);
		const start = log.find((r) => r.endpoint === 'run-task' && r.sessionId === item?.sessionId);
		expect(
			start?.fields?.startingUrl === 'task.startingUrl',
			`Starting URL read from task.startingUrl, got ${start?.fields?.startingUrl}`,
		);
		const tasks = await tasksOf(item?.sessionId);
		expect(
			tasks.length === 1 && tasks[0].taskId === item?.taskId,
			`one task started for one item, got ${tasks.length}`,
		);
	},
	async 'w2-session'() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [start] = items('Start Session');
		const [asked] = out('New Task', 1).map((i) => i.json);
		const [resumed] = items('Reply');
		const [end] = items('Terminate');
		expect(
			start?.status === 'completed' && start?.message === 'Shop open',
			`Start Session with a first task completed, got ${JSON.stringify(start)}`,
		);
		expect(
			typeof start?.sessionId === 'string' && typeof start?.taskId === 'string',
			'Start Session ids',
		);
		expect(
			asked?.status === 'guardrail' && asked?.guardrail?.value === 'I need the card PIN',
			`New Task went to Guardrail, got ${JSON.stringify(asked)}`,
		);
		expect(
			asked?.sessionId === start?.sessionId && asked?.taskId && asked.taskId !== start?.taskId,
			'New Task: a second task in the same session',
		);
		expect(
			resumed?.status === 'completed' && resumed?.message === 'Order placed',
			`the reply resumed the task, got ${JSON.stringify(resumed)}`,
		);
		expect(
			resumed?.taskId === asked?.taskId && resumed?.sessionId === start?.sessionId,
			'the same task resumed',
		);
		expect(
			end?.action === 'terminate' && end?.success === true && end?.sessionId === start?.sessionId,
			`terminated, got ${JSON.stringify(end)}`,
		);
		expect(!runData['New Task completed'] && !runData['Asked again'], 'no other branch ran');
		if (!process.env.SIM_W2_URL) return expect(false, 'SIM_W2_URL not set');
		const log = await expectNo4xx();
		const sid = start?.sessionId;
		const paths = textPaths(log, sid);
		const want =
			'start-session=task.prompt, send-message:newTask=message.prompt, send-message:guardrail=message.prompt';
		expect(paths === want, `task texts read from "${want}", got "${paths}"`);
		const first = log.find((r) => r.endpoint === 'start-session' && r.sessionId === sid);
		expect(
			first?.fields?.environmentId === 'environmentId',
			`Environment read top level, got ${first?.fields?.environmentId}`,
		);
		expect(
			first?.fields?.startingUrl === 'task.startingUrl',
			`Starting URL read from task.startingUrl, got ${first?.fields?.startingUrl}`,
		);
		const stops = log
			.filter((r) => r.sessionId === sid && r.action === 'state')
			.map((r) => r.body?.message?.newState)
			.join();
		expect(stops === 'terminate', `one terminate sent, got "${stops}"`);
		const tasks = await tasksOf(sid);
		const ended = tasks.map((t) => t.state).join();
		expect(tasks.length === 2, `two tasks started for two task items, got ${tasks.length}`);
		expect(
			ended === 'completed,completed',
			`both tasks completed on the simulator, got "${ended}"`,
		);
		const reply = tasks.find((t) => t.taskId === asked?.taskId)?.guardrailReplies?.[0];
		expect(
			JSON.stringify(reply ?? {}).includes('The PIN is 1234'),
			`the reply text reached the task, got ${JSON.stringify(reply)}`,
		);
	},
});

// Structured results and files (checked on the simulator's own record through SIM_URL).
const sim = async (path) => (await fetch(`${process.env.SIM_URL}${path}`)).json();
const binaries = (node) => out(node).map((i) => i.binary ?? {});
Object.assign(cases, {
	'example-4-structured'() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [item] = items('Extract keyboards');
		const products = item?.output?.products;
		expect(typeof item?.message === 'string', 'the raw answer stays in message');
		expect(
			Array.isArray(products) && products.length > 0,
			`output.products, got ${JSON.stringify(item)}`,
		);
		const rows = items('One item per product');
		expect(
			rows.length === products?.length,
			`Split Out gave ${rows.length} items for ${products?.length} products`,
		);
		expect(
			rows.every((r) => typeof r.name === 'string' && typeof r.price === 'number'),
			`rows, got ${JSON.stringify(rows)}`,
		);
		expect(
			items('Append to a sheet (replace with Google Sheets)').length === rows.length,
			'every row reached the sheet node',
		);
	},
	'example-5-download'() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [item] = items('Download Form W-9');
		const [binary] = binaries('Download Form W-9');
		expect(
			item?.files?.[0]?.binaryProperty === 'file_0',
			`files[0].binaryProperty, got ${JSON.stringify(item?.files)}`,
		);
		const got = JSON.stringify({ ...binary?.file_0, data: undefined });
		expect(
			binary?.file_0?.fileName === 'fw9.pdf' && binary?.file_0?.mimeType === 'application/pdf',
			`file_0, got ${got}`,
		);
		expect(items('Use the PDF (binary property file_0)').length === 1, 'the Completed branch ran');
	},
	async 'structured-csv'() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [item] = items('On Completed');
		const rows = item?.output;
		expect(Array.isArray(rows) && rows.length === 2, `two rows, got ${JSON.stringify(item)}`);
		expect(
			rows?.every((r) => ['name', 'price', 'url'].every((k) => typeof r[k] === 'string')),
			'rows keyed by the columns',
		);
		expect(
			typeof item?.message === 'string' && item.message.startsWith('name,price,url'),
			'raw CSV in message',
		);
		if (!process.env.SIM_URL) return expect(false, 'SIM_URL not set');
		const task = (await sim('/__sim/tasks')).find((t) => t.taskId === item?.taskId);
		const sent = JSON.stringify([task?.options?.outputType, task?.options?.outputSchema]);
		expect(sent === '["structured_csv",["name","price","url"]]', `the request carried ${sent}`);
		expect(
			JSON.stringify(rows) === JSON.stringify(task?.output?.value),
			'rows = what the simulator sent',
		);
	},
	'structured-mismatch'() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [item] = items('On Completed');
		expect(item?.code === 'OUTPUT_MISMATCH', `code OUTPUT_MISMATCH, got ${JSON.stringify(item)}`);
		expect(
			/products\[0\]\.price: expected number, got string/.test(item?.error ?? ''),
			`the first wrong path in ${item?.error}`,
		);
		expect(
			typeof item?.message === 'string' && item.message.includes('"products"'),
			'the raw answer kept',
		);
		expect(
			typeof item?.sessionId === 'string' && (item?.error ?? '').includes(item?.taskId),
			'ids',
		);
	},
	async download() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [read] = items('Read file_0');
		expect(
			read?.text === 'Quarterly report: all good',
			`n8n read file_0 back, got ${JSON.stringify(read)}`,
		);
		const [item] = out('WebRun');
		const names = Object.values(item?.binary ?? {})
			.map((b) => `${b.fileName} ${b.mimeType}`)
			.join(', ');
		expect(
			names === 'report.txt text/plain, prices.csv text/csv',
			`binary file_0 and file_1, got "${names}"`,
		);
		const props = (item?.json?.files ?? []).map((f) => f.binaryProperty).join();
		expect(props === 'file_0,file_1', `files[i].binaryProperty, got "${props}"`);
		if (!process.env.SIM_URL) return expect(false, 'SIM_URL not set');
		const mine = (await sim('/__sim/downloads')).filter((d) => d.taskId === item?.json?.taskId);
		expect(mine.length === 2, `two downloads, got ${mine.length}`);
		expect(
			mine.every((d) => d.origin === 'files' && !d.hadAuthorization),
			'the key never went to the file server',
		);
	},
	async attach() {
		expect(exitCode === '0', `exit code ${exitCode}`);
		const [item] = items('On Completed');
		expect(item?.status === 'completed', `completed, got ${JSON.stringify(item)}`);
		if (!process.env.SIM_URL) return expect(false, 'SIM_URL not set');
		const { createHash } = await import('node:crypto');
		const sha = createHash('sha256').update('Deliver to Gate 4').digest('hex');
		// The simulator serves both n8n lines: the upload is the one whose fileIds this task got.
		const task = (await sim('/__sim/tasks')).find((t) => t.taskId === item?.taskId);
		const ids = JSON.stringify(task?.options?.files);
		const uploads = (await sim('/__sim/uploads')).filter((u) =>
			u.files.some((f) => f.sha256 === sha),
		);
		const upload = uploads.find((u) => JSON.stringify(u.fileIds) === ids);
		expect(
			upload !== undefined,
			`the task's files ${ids} are the fileIds of an upload of note.txt's content (uploads: ${JSON.stringify(uploads.map((u) => u.fileIds))})`,
		);
		expect(
			upload?.files?.[0]?.filename === 'note.txt',
			`note.txt uploaded, got ${JSON.stringify(upload)}`,
		);
	},
});

if (!cases[name]) {
	console.log(`unknown case ${name}`);
	process.exit(2);
}
if (!run) problems.push('no execution JSON');
else await cases[name]();
console.log(problems.length ? `FAIL ${name}: ${problems.join('; ')}` : `ok   ${name}`);
process.exit(problems.length ? 1 : 0);
