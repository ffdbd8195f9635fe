/**
 * Every request generation (docs/webrun-api-notes.md#request-generations): each operation against a
 * server that reads only E, only W1 or only W2 fields (the simulator's `requestGeneration`), with
 * the credential's API Format on Auto (the default) and on the matching strict format. In every
 * cell: one task per item, no 4xx, and every option read by the server from where that generation
 * documents it (the simulator's `fields`), with the value the user gave.
 */
import type { IDataObject } from 'n8n-workflow';

import type { RunResult } from '../../helpers/engine';
import { useSimulator } from '../../helpers/simulator';
import type { LoggedRequest, Simulator } from '../../simulator';
import { getPath } from '../../simulator/requests';
import { simCall, visibleRecorder } from './shared';

type Gen = 'E' | 'W1' | 'W2';
type Format = 'auto' | 'e' | 'w1' | 'w2';
type Op =
	| 'runTask'
	| 'startSession+task'
	| 'startSession'
	| 'newTask'
	| 'guardrailResponse'
	| 'controlSession';

const simulator = useSimulator({ defaultScript: { durationMs: 100 } });
let sim: Simulator;
const rec = visibleRecorder();

const ENVIRONMENT = '683a1f2e4b0c1d2e3f4a5b6c';
const SECRET = 'S3cret-pa55word!';
const EMAIL = 'jane.doe@example.com';

/** What the server must have read for each concept (taskText is per item). */
const VALUES: IDataObject = {
	startingUrl: 'https://www.amazon.com/',
	maxDuration: 120000,
	maxInputTokens: 50000,
	maxOutputTokens: 2000,
	avoidDomains: ['facebook.com'],
	mode: 'default',
	terminateOnCompletion: false,
	environmentId: ENVIRONMENT,
	policyId: 'pol_xyz789',
	proxy: { source: 'WebRun', country: 'GB' },
	reachOutMode: 'off',
	secrets: [{ match: '*.amazon.com', fields: { email: EMAIL, password: SECRET } }],
};

/** The node's options for each concept (as the editor saves them). */
const OPTIONS: Record<string, IDataObject> = {
	startingUrl: { startingUrl: 'https://www.amazon.com' },
	maxDuration: { maxDuration: 120000 },
	maxInputTokens: { maxInputTokens: 50000 },
	maxOutputTokens: { maxOutputTokens: 2000 },
	avoidDomains: { avoidDomains: 'facebook.com' },
	mode: { mode: 'default' },
	terminateOnCompletion: { terminateOnCompletion: false },
	policyId: { policyId: 'pol_xyz789' },
	proxy: { proxy: 'webRun', proxyCountry: 'gb' },
	reachOutMode: { reachOutMode: 'off' },
	secrets: {
		secrets: {
			secret: [
				{
					match: '*.amazon.com',
					fields: {
						field: [
							{ name: 'email', value: EMAIL },
							{ name: 'password', value: SECRET },
						],
					},
				},
			],
		},
	},
};

const LIMITS = ['maxDuration', 'maxInputTokens', 'maxOutputTokens'];
const SESSION_ONLY = ['environmentId', 'policyId', 'proxy', 'reachOutMode'];

/** The concepts each operation is given. */
const GIVEN: Record<Op, string[]> = {
	runTask: ['startingUrl', ...LIMITS, 'avoidDomains', 'mode', ...SESSION_ONLY, 'secrets'],
	'startSession+task': [
		'startingUrl',
		...LIMITS,
		'avoidDomains',
		'mode',
		'terminateOnCompletion',
		...SESSION_ONLY,
		'secrets',
	],
	startSession: ['mode', ...SESSION_ONLY],
	newTask: ['startingUrl', ...LIMITS, 'avoidDomains', 'terminateOnCompletion', 'secrets'],
	guardrailResponse: [],
	controlSession: [],
};

/** What a strict format has no field for (the node refuses it, so the strict runs leave it out). */
const NOT_IN: Record<Gen, string[]> = {
	E: ['environmentId', 'policyId', 'proxy', 'reachOutMode', 'secrets'],
	W1: ['policyId', 'proxy', 'reachOutMode'],
	W2: ['avoidDomains'],
};

const flat = (concepts: string[], prefix = '') =>
	Object.fromEntries(concepts.map((c) => [c, prefix + c]));

/**
 * Where each generation documents each concept (docs/webrun-api-notes.md#request-generations): what
 * it must read.
 */
const READ: Record<Op, Record<Gen, Record<string, string>>> = {
	runTask: {
		E: { taskText: 'taskDetails', ...flat(['startingUrl', ...LIMITS, 'avoidDomains', 'mode']) },
		W1: {
			taskText: 'taskDetails',
			...flat(['startingUrl', ...LIMITS, 'avoidDomains', 'mode', 'environmentId', 'secrets']),
		},
		W2: {
			taskText: 'task.prompt',
			...flat(['startingUrl', ...LIMITS, 'secrets'], 'task.'),
			...flat(['mode', ...SESSION_ONLY]),
		},
	},
	'startSession+task': {
		E: {
			taskText: 'taskDetails',
			...flat(['startingUrl', ...LIMITS, 'avoidDomains', 'mode', 'terminateOnCompletion']),
		},
		W1: {
			taskText: 'initialTask.taskDetails',
			startingUrl: 'initialTask.startingPoint',
			...flat([...LIMITS, 'avoidDomains', 'terminateOnCompletion', 'secrets'], 'initialTask.'),
			...flat(['mode', 'environmentId']),
		},
		W2: {
			taskText: 'task.prompt',
			...flat(['startingUrl', ...LIMITS, 'terminateOnCompletion', 'secrets'], 'task.'),
			...flat(['mode', ...SESSION_ONLY]),
		},
	},
	startSession: {
		E: flat(['mode']),
		W1: flat(['mode', 'environmentId']),
		W2: flat(['mode', ...SESSION_ONLY]),
	},
	newTask: {
		E: {
			taskText: 'message.taskDetails',
			...flat(['startingUrl', ...LIMITS, 'avoidDomains', 'terminateOnCompletion'], 'message.'),
		},
		W1: {
			taskText: 'message.taskDetails',
			startingUrl: 'message.startingPoint',
			...flat([...LIMITS, 'avoidDomains', 'terminateOnCompletion', 'secrets'], 'message.'),
		},
		W2: {
			taskText: 'message.prompt',
			...flat(['startingUrl', ...LIMITS, 'terminateOnCompletion', 'secrets'], 'message.'),
		},
	},
	guardrailResponse: {
		E: { taskText: 'message.taskDetails' },
		W1: { taskText: 'message.taskDetails' },
		W2: { taskText: 'message.prompt' },
	},
	controlSession: { E: {}, W1: {}, W2: {} },
};

const PROMPTS = ['Find the top 3 keyboards', 'Find the top 3 mice'];
const ANSWERS = ['code 111111', 'code 222222'];

function parametersFor(op: Op, concepts: string[]): IDataObject {
	const options: IDataObject = { pollInterval: 1, includeRawResponse: true };
	for (const concept of concepts) if (OPTIONS[concept]) Object.assign(options, OPTIONS[concept]);
	const environmentId = concepts.includes('environmentId')
		? { __rl: true, mode: 'id', value: ENVIRONMENT }
		: undefined;
	switch (op) {
		case 'runTask':
			return { operation: 'runTask', taskDetails: '={{ $json.prompt }}', environmentId, options };
		case 'startSession+task':
			return {
				operation: 'startSession',
				taskDetails: '={{ $json.prompt }}',
				environmentId,
				options,
			};
		case 'startSession':
			return { operation: 'startSession', environmentId, options };
		case 'newTask':
			return {
				operation: 'sendMessage',
				messageType: 'newTask',
				sessionId: '={{ $json.sessionId }}',
				taskDetails: '={{ $json.prompt }}',
				options,
			};
		case 'guardrailResponse':
			return {
				operation: 'sendMessage',
				messageType: 'guardrailResponse',
				sessionId: '={{ $json.sessionId }}',
				taskId: '={{ $json.taskId }}',
				guardrailResponse: '={{ $json.answer }}',
				options,
			};
		case 'controlSession':
			return {
				operation: 'controlSession',
				sessionId: '={{ $json.sessionId }}',
				action: 'pause',
				options,
			};
	}
}

/** Input items; for the operations on existing sessions, the sessions (and waiting tasks) first. */
async function itemsFor(op: Op, credential: IDataObject): Promise<IDataObject[]> {
	const items: IDataObject[] = PROMPTS.map((prompt, i) => ({ prompt, answer: ANSWERS[i] }));
	if (op === 'newTask' || op === 'controlSession') {
		for (const item of items) {
			const r = await simCall(sim, 'POST', '/start/start-session', {});
			item.sessionId = r.body.sessionId;
		}
	}
	if (op === 'guardrailResponse') {
		// Tasks waiting at a guardrail, started by the node itself (one per item).
		sim.configure({ inlineGuardrail: 'inline' });
		sim.script(/top 3/, {
			durationMs: 400,
			guardrails: [{ atMs: 50, value: 'Enter the 2FA code' }],
		});
		const r = await rec.run({
			baseUrl: sim.url,
			credential,
			items,
			parameters: {
				operation: 'runTask',
				taskDetails: '={{ $json.prompt }}',
				options: { pollInterval: 1 },
			},
		});
		expect(r.guardrail).toHaveLength(2);
		r.guardrail.forEach((out, i) =>
			Object.assign(items[i], { sessionId: out.json.sessionId, taskId: out.json.taskId }),
		);
	}
	sim.requests.length = 0;
	return items;
}

/** Paths of a body's fields, looking into the task containers (task, initialTask, message). */
function leafPaths(body: IDataObject, prefix = ''): string[] {
	const out: string[] = [];
	for (const [key, value] of Object.entries(body)) {
		const path = prefix + key;
		const container =
			['task', 'initialTask', 'message'].includes(key) &&
			typeof value === 'object' &&
			value !== null;
		if (container && !Array.isArray(value))
			out.push(...leafPaths(value as IDataObject, `${path}.`));
		else out.push(path);
	}
	return out;
}

/** The fields of a request that are not options: the send-message envelope. */
const ENVELOPE = ['sessionId', 'message.actionType', 'message.newState'];

const STARTING = ['run-task', 'start-session', 'send-message'];

function checkRequests(
	op: Op,
	gen: Gen,
	strict: boolean,
	items: IDataObject[],
	concepts: string[],
) {
	const sent = sim.requests.filter((q: LoggedRequest) => STARTING.includes(q.endpoint));
	expect(sent).toHaveLength(items.length);
	const expected = Object.fromEntries(
		Object.entries(READ[op][gen]).filter(
			([concept]) => concept === 'taskText' || concepts.includes(concept),
		),
	);
	sent.forEach((request, i) => {
		expect(request.status).toBe(200);
		expect(request.fields).toEqual(expected);
		for (const [concept, path] of Object.entries(request.fields)) {
			const want =
				concept === 'taskText'
					? op === 'guardrailResponse'
						? ANSWERS[i]
						: PROMPTS[i]
					: VALUES[concept];
			expect([concept, getPath(request.body, path)]).toEqual([concept, want]);
		}
		if (strict) {
			// A strict format sends nothing but the fields this generation reads (and the envelope).
			const paths = leafPaths(request.body as IDataObject).filter((p) => !ENVELOPE.includes(p));
			expect(paths.sort()).toEqual(Object.values(request.fields).sort());
		}
	});
}

function checkOutputs(op: Op, r: RunResult, items: IDataObject[]) {
	expect(r.error).toBeUndefined();
	expect(r.guardrail).toHaveLength(0);
	expect(r.completed.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	const ids = r.completed.map((o) => ({ sessionId: o.json.sessionId, taskId: o.json.taskId }));
	switch (op) {
		case 'startSession':
			expect(r.completed.map((o) => o.json.status)).toEqual(['started', 'started']);
			expect(sim.sessions.size).toBe(2);
			expect(sim.tasksStarted).toBe(0);
			break;
		case 'controlSession':
			expect(r.completed.map((o) => o.json)).toEqual(
				items.map((item) =>
					expect.objectContaining({ sessionId: item.sessionId, action: 'pause', success: true }),
				),
			);
			expect(sim.tasksStarted).toBe(0);
			break;
		case 'guardrailResponse':
			// The tasks the node started before: resumed and completed, none started anew.
			expect(ids).toEqual(
				items.map((item) => ({ sessionId: item.sessionId, taskId: item.taskId })),
			);
			expect(r.completed.map((o) => o.json.status)).toEqual(['completed', 'completed']);
			expect(sim.tasksStarted).toBe(2);
			expect(sim.tasks.map((t) => t.guardrailReplies.map((reply) => reply.text))).toEqual(
				ANSWERS.map((a) => [a]),
			);
			break;
		default:
			// One task per item, each with its own text, each completed and reported.
			expect(sim.tasksStarted).toBe(2);
			expect(sim.tasks.map((t) => t.text)).toEqual(PROMPTS);
			expect(ids).toEqual(sim.tasks.map((t) => ({ sessionId: t.sessionId, taskId: t.taskId })));
			expect(r.completed.map((o) => o.json.status)).toEqual(['completed', 'completed']);
			if (op === 'newTask')
				expect(sim.tasks.map((t) => t.sessionId)).toEqual(items.map((item) => item.sessionId));
	}
}

const OPS: Op[] = [
	'runTask',
	'startSession+task',
	'startSession',
	'newTask',
	'guardrailResponse',
	'controlSession',
];
const GENS: Gen[] = ['E', 'W1', 'W2'];
const CELLS = OPS.flatMap((op) =>
	GENS.flatMap((gen) =>
		(['auto', gen.toLowerCase()] as Format[]).map((format) => [op, gen, format] as const),
	),
);

beforeEach(() => (sim = simulator()));

test.each(CELLS)('%s against a %s-only server, API Format %s', async (op, gen, format) => {
	sim.configure({
		requestGeneration: gen,
		generation: gen === 'E' ? 'enigma' : 'webrun',
		// A W2 server that answers 400 to a flat first task (the errors page's reading).
		w2FlatSession: 'reject',
	});
	const strict = format !== 'auto';
	const credential = strict ? { apiFormat: format } : {};
	const concepts = GIVEN[op].filter((c) => !strict || !NOT_IN[gen].includes(c));
	const items = await itemsFor(op, credential);
	const r = await rec.run({
		baseUrl: sim.url,
		credential,
		items,
		parameters: parametersFor(op, concepts),
	});
	checkOutputs(op, r, items);
	checkRequests(op, gen, strict, items, concepts);
	expect(sim.requests.filter((q) => (q.status ?? 0) >= 400)).toEqual([]);
});

test('W1: Start Session with a first task runs it (read from initialTask only)', async () => {
	sim.configure({ requestGeneration: 'W1' });
	sim.script('sign in', { durationMs: 100, message: 'Signed in' });
	const r = await rec.run({
		baseUrl: sim.url,
		parameters: { operation: 'startSession', taskDetails: 'sign in to the shop' },
	});
	expect(r.completed[0].json).toMatchObject({
		status: 'completed',
		message: 'Signed in',
		taskId: sim.tasks[0].taskId,
	});
	expect(sim.tasks[0].fields.taskText).toBe('initialTask.taskDetails');
});

describe('custom proxy URL → the documented proxy object, read by a W2 server', () => {
	test.each([
		[
			'http://proxyuser:pr0xy-Pa55@proxy.example.com:8080',
			{
				type: 'http',
				host: 'proxy.example.com',
				port: '8080',
				username: 'proxyuser',
				password: 'pr0xy-Pa55',
			},
		],
		['socks5://10.0.0.7:1081', { type: 'socks', host: '10.0.0.7', port: '1081' }],
		['http://proxy.example.com', { type: 'http', host: 'proxy.example.com', port: '80' }],
		[
			'socks5://user%40corp:p%3Ass@socks.example.com',
			{
				type: 'socks',
				host: 'socks.example.com',
				port: '1080',
				username: 'user@corp',
				password: 'p:ss',
			},
		],
	])('%s', async (proxyUrl, expected) => {
		sim.configure({ requestGeneration: 'W2' });
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: {
				operation: 'runTask',
				taskDetails: 'check my IP',
				options: { proxy: 'custom', proxyUrl, includeRawResponse: true },
			},
		});
		expect(r.error).toBeUndefined();
		expect(sim.tasks[0].fields.proxy).toBe('proxy');
		expect(sim.tasks[0].options.proxy).toEqual({ source: 'custom', ...expected });
		// The proxy password is redacted like the API key.
		const password = (expected as IDataObject).password as string | undefined;
		if (password) expect(JSON.stringify(r.outputs)).not.toContain(password);
	});
});

test('no run in this file made the API key or a secret visible', () => {
	rec.expectNoKey([SECRET, EMAIL, 'pr0xy-Pa55']);
});
