// Builds the workflows the e2e run imports into real n8n: the five examples exactly as they are
// in examples/ (with their credential id), plus focused workflows for each behaviour to check.
// Usage: node workflows.mjs <outDir> <credentialId>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [outDir, credId] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });

const TYPE = 'n8n-nodes-webrun.webRun';
const cred = { webRunApi: { id: credId, name: 'WebRun (simulator)' } };
const sim = (script) => ` [sim ${JSON.stringify(script)}]`;
let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const trigger = () => ({
	parameters: {},
	id: uuid(),
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
});
const noOp = (name, y = 0) => ({
	parameters: {},
	id: uuid(),
	name,
	type: 'n8n-nodes-base.noOp',
	typeVersion: 1,
	position: [500, y],
});
const webRun = (name, parameters, extra = {}) => ({
	parameters,
	id: uuid(),
	name,
	type: TYPE,
	typeVersion: 1,
	position: [250, 0],
	credentials: cred,
	...extra,
});
const link = (to) => [{ node: to, type: 'main', index: 0 }];

function save(id, workflow) {
	writeFileSync(
		join(outDir, `${id}.json`),
		JSON.stringify(
			{ id, active: false, settings: { executionOrder: 'v1' }, pinData: {}, ...workflow },
			null,
			2,
		),
	);
}

// The examples, as users import them (only the id is added, and the credential id swapped).
const examples = {
	e2eExample000001: '1-run-task.json',
	e2eExample000002: '2-multi-step-session.json',
	e2eExample000003: '3-guardrail-round-trip.json',
	e2eExample000004: '4-structured-to-rows.json',
	e2eExample000005: '5-download-file.json',
};
for (const [id, file] of Object.entries(examples)) {
	const wf = JSON.parse(readFileSync(join(here, '..', '..', 'examples', file), 'utf8'));
	for (const node of wf.nodes) if (node.credentials?.webRunApi) node.credentials = cred;
	save(id, wf);
}

const twoBranches = (id, name, task, options = {}) =>
	save(id, {
		name,
		nodes: [
			trigger(),
			webRun('WebRun', {
				operation: 'runTask',
				taskDetails: task,
				options: { pollInterval: 1, ...options },
			}),
			noOp('On Completed', -100),
			noOp('On Guardrail', 100),
		],
		connections: {
			Start: { main: [link('WebRun')] },
			WebRun: { main: [link('On Completed'), link('On Guardrail')] },
		},
	});

twoBranches(
	'e2eRunPending001',
	'e2e: Run Task pending then polled',
	`Research laptops${sim({ durationMs: 3000, message: 'Pending task done' })}`,
);
twoBranches(
	'e2eGuardrail0001',
	'e2e: guardrail branch',
	`Log in${sim({ durationMs: 2000, guardrails: [{ atMs: 100, value: 'I need login credentials' }] })}`,
);

save('e2eGuardReply001', {
	name: 'e2e: guardrail reply round-trip',
	nodes: [
		trigger(),
		webRun('Run Task', {
			operation: 'runTask',
			taskDetails: `Log in to the shop${sim({ durationMs: 1500, guardrails: [{ atMs: 100, value: 'I need login credentials' }], message: 'Logged in after the reply' })}`,
			options: { pollInterval: 1 },
		}),
		webRun('Send the answer', {
			operation: 'sendMessage',
			messageType: 'guardrailResponse',
			sessionId: '={{ $json.sessionId }}',
			taskId: '={{ $json.taskId }}',
			guardrailResponse: 'Username: jane@example.com, Password: hunter2',
			options: { pollInterval: 1 },
		}),
		noOp('First try completed', -100),
		noOp('Resumed', 0),
		noOp('Asked again', 100),
	],
	connections: {
		Start: { main: [link('Run Task')] },
		'Run Task': { main: [link('First try completed'), link('Send the answer')] },
		'Send the answer': { main: [link('Resumed'), link('Asked again')] },
	},
});

for (const [id, onError] of [
	['e2eFailStop00001', 'stopWorkflow'],
	['e2eFailContinue1', 'continueRegularOutput'],
	['e2eFailErrorOut1', 'continueErrorOutput'],
]) {
	const connections = {
		Start: { main: [link('WebRun')] },
		WebRun: { main: [link('On Completed'), link('On Guardrail')] },
	};
	if (onError === 'continueErrorOutput') connections.WebRun.main.push(link('On Error'));
	save(id, {
		name: `e2e: failed task, On Error = ${onError}`,
		nodes: [
			trigger(),
			webRun(
				'WebRun',
				{
					operation: 'runTask',
					taskDetails: `Open a broken page${sim({ durationMs: 100, outcome: 'fail', failCode: 'NAVIGATION_TIMEOUT', failError: 'Navigation timeout after 30 seconds' })}`,
					options: {},
				},
				{ onError },
			),
			noOp('On Completed', -100),
			noOp('On Guardrail', 100),
			noOp('On Error', 300),
		],
		connections,
	});
}
// Cost guard: a task that keeps spending ($0.01 per working second) with Max Cost per Task $0.015
// is terminated on the simulator at the first poll above the cap, and reported with its cost.
save('e2eCostCap000001', {
	name: 'e2e: Max Cost per Task stops a task over its cap',
	nodes: [
		trigger(),
		webRun(
			'WebRun',
			{
				operation: 'runTask',
				taskDetails: `Get past a cookie wall${sim({ durationMs: 120_000, costPerSecond: 0.01 })}`,
				options: { pollInterval: 1, maxCostUsd: 0.015 },
			},
			{ onError: 'continueRegularOutput' },
		),
		noOp('On Completed', -100),
		noOp('On Guardrail', 100),
	],
	connections: {
		Start: { main: [link('WebRun')] },
		WebRun: { main: [link('On Completed'), link('On Guardrail')] },
	},
});
// A W2-only simulator (second credential, "WebRun (W2 simulator)", API Format left at Auto): Run
// Task, then a session round-trip (first task, New Task, guardrail reply, terminate). The node's
// bodies must be read there as task.prompt / message.prompt with no 400 on the way.
// Usage adds an optional third argument: the W2 credential id.
const credW2 = {
	webRunApi: { id: process.argv[4] || 'e2eWebRunCredW2', name: 'WebRun (W2 simulator)' },
};
const w2 = (name, parameters, position) =>
	webRun(name, parameters, { credentials: credW2, position });
save('e2eW2RunTask0001', {
	name: 'e2e W2: Run Task',
	nodes: [
		trigger(),
		w2(
			'Run Task',
			{
				operation: 'runTask',
				taskDetails: `Find the opening hours${sim({ durationMs: 300, message: 'Open 9 to 5' })}`,
				environmentId: { __rl: true, mode: 'list', value: '' },
				options: { pollInterval: 1, startingUrl: 'https://www.example.com' },
			},
			[250, 0],
		),
		noOp('On Completed', -100),
		noOp('On Guardrail', 100),
	],
	connections: {
		Start: { main: [link('Run Task')] },
		'Run Task': { main: [link('On Completed'), link('On Guardrail')] },
	},
});
save('e2eW2Session0001', {
	name: 'e2e W2: session round-trip',
	nodes: [
		trigger(),
		w2(
			'Start Session',
			{
				operation: 'startSession',
				taskDetails: `Open the shop${sim({ durationMs: 300, message: 'Shop open' })}`,
				environmentId: { __rl: true, mode: 'id', value: '683a1f2e4b0c1d2e3f4a5b6c' },
				options: { pollInterval: 1, startingUrl: 'https://shop.example.com' },
			},
			[250, 0],
		),
		w2(
			'New Task',
			{
				operation: 'sendMessage',
				messageType: 'newTask',
				sessionId: '={{ $json.sessionId }}',
				taskDetails: `Check out the cart${sim({ durationMs: 1500, guardrails: [{ atMs: 100, value: 'I need the card PIN' }], message: 'Order placed' })}`,
				options: { pollInterval: 1 },
			},
			[500, 0],
		),
		w2(
			'Reply',
			{
				operation: 'sendMessage',
				messageType: 'guardrailResponse',
				sessionId: '={{ $json.sessionId }}',
				taskId: '={{ $json.taskId }}',
				guardrailResponse: 'The PIN is 1234',
				options: { pollInterval: 1 },
			},
			[750, 0],
		),
		w2(
			'Terminate',
			{ operation: 'controlSession', sessionId: '={{ $json.sessionId }}', action: 'terminate' },
			[1000, 0],
		),
		noOp('New Task completed', 200),
		noOp('Asked again', 300),
	],
	connections: {
		Start: { main: [link('Start Session')] },
		'Start Session': { main: [link('New Task'), []] },
		'New Task': { main: [link('New Task completed'), link('Reply')] },
		Reply: { main: [link('Terminate'), link('Asked again')] },
	},
});

// Structured results (Output Format CSV), and a JSON answer that does not match its schema under
// Continue: the item keeps the raw message and the ids.
save('e2eStructCsv0001', {
	name: 'e2e: Output Format CSV',
	nodes: [
		trigger(),
		webRun('WebRun', {
			operation: 'runTask',
			taskDetails: 'List the keyboards as a table',
			outputFormat: 'csv',
			csvColumns: 'name, price, url',
			options: { pollInterval: 1 },
		}),
		noOp('On Completed', -100),
		noOp('On Guardrail', 100),
	],
	connections: {
		Start: { main: [link('WebRun')] },
		WebRun: { main: [link('On Completed'), link('On Guardrail')] },
	},
});
save('e2eStructBad0001', {
	name: 'e2e: Output Format JSON, answer does not match, Continue',
	nodes: [
		trigger(),
		webRun(
			'WebRun',
			{
				operation: 'runTask',
				taskDetails: `List the keyboards${sim({ structured: 'mismatch' })}`,
				outputFormat: 'json',
				jsonSchemaType: 'fromExample',
				jsonExample: JSON.stringify({ products: [{ name: 'Keyboard', price: 29.99 }] }),
				options: { pollInterval: 1 },
			},
			{ onError: 'continueRegularOutput' },
		),
		noOp('On Completed', -100),
		noOp('On Guardrail', 100),
	],
	connections: {
		Start: { main: [link('WebRun')] },
		WebRun: { main: [link('On Completed'), link('On Guardrail')] },
	},
});
// Download Files: two files from the simulator's file server (another origin), read back by n8n's
// own Extract From File node, whatever n8n's binary-data mode (memory in 1.x, filesystem in 2.x).
const files = [
	{ filename: 'report.txt', content: 'Quarterly report: all good' },
	{ filename: 'prices.csv', content: 'name,price\nK380,29.99\n' },
];
save('e2eDownload00001', {
	name: 'e2e: Download Files',
	nodes: [
		trigger(),
		webRun('WebRun', {
			operation: 'runTask',
			taskDetails: `Download the report${sim({ downloads: files })}`,
			options: { pollInterval: 1, downloadFiles: true },
		}),
		{
			parameters: {
				operation: 'text',
				binaryPropertyName: 'file_0',
				destinationKey: 'text',
				options: {},
			},
			id: uuid(),
			name: 'Read file_0',
			type: 'n8n-nodes-base.extractFromFile',
			typeVersion: 1,
			position: [500, -100],
		},
		noOp('On Guardrail', 100),
	],
	connections: {
		Start: { main: [link('WebRun')] },
		WebRun: { main: [link('Read file_0'), link('On Guardrail')] },
	},
});
// Attach Files: a file made by n8n's own nodes (Set → Convert to File) goes up with the task.
save('e2eAttach0000001', {
	name: 'e2e: Attach Files',
	nodes: [
		trigger(),
		{
			parameters: {
				assignments: {
					assignments: [{ id: 'a1', name: 'note', value: 'Deliver to Gate 4', type: 'string' }],
				},
				options: {},
			},
			id: uuid(),
			name: 'Note',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [150, 0],
		},
		{
			parameters: {
				operation: 'toText',
				sourceProperty: 'note',
				binaryPropertyName: 'note',
				options: { fileName: 'note.txt' },
			},
			id: uuid(),
			name: 'To File',
			type: 'n8n-nodes-base.convertToFile',
			typeVersion: 1.1,
			position: [300, 0],
		},
		webRun('WebRun', {
			operation: 'runTask',
			taskDetails: 'Fill in the delivery form with the attached note',
			options: { pollInterval: 1, attachBinaryProperties: 'note' },
		}),
		noOp('On Completed', -100),
		noOp('On Guardrail', 100),
	],
	connections: {
		Start: { main: [link('Note')] },
		Note: { main: [link('To File')] },
		'To File': { main: [link('WebRun')] },
		WebRun: { main: [link('On Completed'), link('On Guardrail')] },
	},
});
console.log(readFileSync ? 'ok' : '');
