/* eslint-disable @n8n/community-nodes/no-restricted-globals --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * Property tests (fast-check) of the node's reading of hostile or malformed answers (issue 18):
 * random start answers and random poll answers (any JSON, documented shapes with random statuses,
 * IDs, costs and pollUrls, any HTTP status and rate-limit headers, broken connections) never
 * start a second task, never put an invalid ID into a request, and never end in an unclear error.
 *
 * The Run Task steps (start → follow → wait, inside the node's own-session guard) run for real
 * against a scripted client; the answers are generated so that no path sleeps (Retry-After 0 or
 * absurd, Poll Interval 0), so there is no real waiting in this file.
 */
import * as fc from 'fast-check';
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { StartBudget } from '../../../nodes/WebRun/account/budget';
import { SessionSlots } from '../../../nodes/WebRun/account/sessions';
import { ItemContext } from '../../../nodes/WebRun/task/context';
import { followTask } from '../../../nodes/WebRun/task/follow';
import type { NormalizedTask } from '../../../nodes/WebRun/task/read';
import { isValidId } from '../../../nodes/WebRun/task/read';
import { sendStart } from '../../../nodes/WebRun/task/start';
import { terminateOnCancel } from '../../../nodes/WebRun/task/stop';
import type { ApiResponse, TransportFailure } from '../../../nodes/WebRun/transport/client';
import { WebRunClient } from '../../../nodes/WebRun/transport/client';

type Answer = ApiResponse | TransportFailure;

const BASE = 'https://api.webrun.test';
const SID = 'sess00000001';
const TID = 'task00000001';
const NODE: INode = {
	id: '1',
	name: 'WebRun',
	type: 'n8n-nodes-webrun.webRun',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const PENDING: Answer = {
	statusCode: 200,
	headers: {},
	json: true,
	body: { success: true, sessionId: SID, taskId: TID, status: 'pending' },
};
const COMPLETED: Answer = {
	statusCode: 200,
	headers: {},
	json: true,
	body: { success: true, type: 'task_completed', data: { message: 'done' } },
};
const OK: Answer = { statusCode: 200, headers: {}, json: true, body: { success: true } };

interface Logged {
	method: string;
	path: string;
	body?: IDataObject;
	answer: Answer;
}

/** A client that answers from scripts: the start answers, then the poll answers, then defaults. */
function scriptedClient(starts: Answer[], polls: Answer[]) {
	const log: Logged[] = [];
	const client = {
		node: NODE,
		signal: undefined,
		baseUrl: BASE,
		origin: BASE,
		apiFormat: 'auto',
		taskUrl: WebRunClient.prototype.taskUrl,
		pollUrlFor: WebRunClient.prototype.pollUrlFor,
		async request(method: string, pathOrUrl: string, options: { body?: IDataObject }) {
			const url = new URL(pathOrUrl, BASE);
			const path = url.pathname;
			let answer: Answer;
			if (method === 'POST' && path === '/start/run-task') answer = starts.shift() ?? PENDING;
			else if (method === 'POST') answer = OK;
			else answer = polls.shift() ?? COMPLETED;
			log.push({ method, path: `${url.pathname}${url.search}`, body: options.body, answer });
			return answer;
		},
	};
	return { client: client as unknown as WebRunClient, log };
}

/** Runs Run Task's steps on the scripted answers; returns the task or the error. */
async function runTask(starts: Answer[], polls: Answer[]) {
	const { client, log } = scriptedClient(starts, polls);
	const account = { budget: new StartBudget(), sessions: new SessionSlots() };
	const item = new ItemContext(client, account, 'Run Task', 0, {
		pollIntervalMs: 0,
		timeoutMs: 5_000,
		maxCostUsd: 0.5,
	});
	let task: NormalizedTask | undefined;
	let error: unknown;
	try {
		task = await terminateOnCancel(item, async () => {
			const response = await sendStart(item, '/start/run-task', { taskDetails: 'x' });
			return await followTask(item, response.body);
		});
	} catch (caught) {
		error = caught;
	}
	return { task, error, log };
}

// ---- Arbitraries: what a broken proxy or a hostile server may answer

const weirdId = fc.oneof(
	fc.constantFrom(SID, TID, '..', '.', 'abc/def', '../x', '', ' ', 'a b', 'x'.repeat(200)),
	fc.constantFrom('%2e%2e', 'a?b=c', 'a#b', 'ok-id_1', 'a\nb', '/task/x'),
	fc.string({ maxLength: 12 }),
	fc.integer(),
	fc.jsonValue({ maxDepth: 1 }),
);
const status = fc.oneof(
	fc.constantFrom('pending', 'active', 'running', 'started', 'queued', 'paused'),
	fc.constantFrom('complete', 'completed', 'task_completed', 'failed', 'terminated', 'stopped'),
	fc.constantFrom('guardrail', 'guardrail_trigger', 'cancelled', 'exploded', 'orphaned', 'DONE'),
	fc.string({ maxLength: 10 }),
	fc.jsonValue({ maxDepth: 1 }),
);
const type = fc.oneof(
	fc.constantFrom('task_completed', 'guardrail_trigger', 'failed', 'error', 'task_failed'),
	fc.constantFrom('terminated', 'agent', 'weird'),
	fc.jsonValue({ maxDepth: 1 }),
);
const cost = fc.oneof(
	fc.double(),
	fc.constantFrom(-1, 0, 0.1, 0.6, 1e308, 'NaN', '0.7', 'abc', '-3', 'Infinity'),
	fc.jsonValue({ maxDepth: 1 }),
);
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 2 }));
const pollUrl = fc.constantFrom(
	`${BASE}/task/${SID}/${TID}`,
	`${BASE}/task/${SID}/${TID}/../../../environments`,
	`${BASE}/admin?x=/task/${SID}/${TID}`,
	'https://evil.test/task/a/b',
	'/task/../../x',
	'not a url',
	'javascript:alert(1)',
);
const shapedBody = fc.record(
	{
		success: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
		sessionId: weirdId,
		taskId: weirdId,
		status,
		type,
		pending: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
		pollUrl,
		data: fc.oneof(
			fc.record(
				{ message: text, type: text, value: text, files: fc.jsonValue({ maxDepth: 2 }) },
				{ requiredKeys: [] },
			),
			fc.jsonValue({ maxDepth: 2 }),
		),
		result: fc.oneof(
			fc.record(
				{ type, success: fc.boolean(), data: fc.jsonValue({ maxDepth: 2 }) },
				{ requiredKeys: [] },
			),
			fc.string({ maxLength: 10 }),
		),
		usage: fc.oneof(
			fc.record({ cost, prompt_tokens: text, inputTokens: text }, { requiredKeys: [] }),
			fc.jsonValue({ maxDepth: 1 }),
		),
		error: fc.oneof(text, fc.record({ message: text, code: text }, { requiredKeys: [] })),
		code: text,
		message: text,
	},
	{ requiredKeys: [] },
);
const body = fc.oneof(
	{ weight: 3, arbitrary: shapedBody },
	{ weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

const FAR = String(Math.floor(Date.now() / 1000) + 10 * 365 * 86400);
/**
 * Rate-limit headers with waits that are either nothing or far longer than the item's Timeout, so
 * that no path sleeps: the absurd ones must fail the item at once.
 */
const rateHeaders = fc.record(
	{
		'retry-after': fc.constantFrom('0', '-5', '99999999', 'Wed, 21 Oct 2099 07:28:00 GMT'),
		'x-ratelimit-remaining': fc.constantFrom('0', '5', '-1', 'x'),
		'x-ratelimit-reset': fc.constantFrom(FAR, '1', '0', 'abc'),
		'x-ratelimit-limit': fc.constantFrom('10', '100', '0', 'x'),
	},
	{ requiredKeys: ['retry-after'] },
);

/** One HTTP answer (or a broken connection), as the client hands it over. */
function answer(statusCodes: number[]): fc.Arbitrary<Answer> {
	const http = fc
		.record({ statusCode: fc.constantFrom(...statusCodes), headers: rateHeaders, body })
		.map(({ statusCode, headers, body: value }): Answer => {
			// The client's parsing: JSON objects and arrays are JSON, anything else arrives as text.
			const json = typeof value === 'object' && value !== null;
			return { statusCode, headers, json, body: json ? value : JSON.stringify(value) };
		});
	const broken = fc.record({
		notSent: fc.boolean(),
		cancelled: fc.constant(false),
		reason: fc.constantFrom('connection reset by the server', 'no answer in time'),
	});
	return fc.oneof({ weight: 6, arbitrary: http }, { weight: 1, arbitrary: broken });
}

const startAnswers = fc.array(
	answer([200, 200, 200, 201, 400, 401, 402, 403, 404, 409, 429, 429, 500, 502, 503]),
	{ minLength: 1, maxLength: 3 },
);
const pollAnswers = fc.array(answer([200, 200, 200, 200, 404, 500, 502, 408, 429, 401]), {
	minLength: 1,
	maxLength: 6,
});

// ---- The properties

/** A 2xx answer, or a broken connection after sending: the task may exist from then on. */
function mayHaveStarted(a: Answer) {
	return 'notSent' in a ? !a.notSent : a.statusCode >= 200 && a.statusCode < 300;
}

/** How the runs ended, per property (printed with the counts: shows what the inputs reached). */
const endings: Record<string, Record<string, number>> = {};

const NODE_CODES = new Set([
	'RATE_LIMITED',
	'UNKNOWN_STATUS',
	'INVALID_ID',
	'COST_LIMIT_REACHED',
	'COST_STOP_FAILED',
	'SESSION_LIMIT_REACHED',
]);

function ending(task: NormalizedTask | undefined, error: unknown): string {
	if (!error) return task?.state ?? 'none';
	const details = error as { webRun?: { code?: string; status?: string }; httpCode?: string };
	const code = details.webRun?.code;
	if (code && NODE_CODES.has(code)) return code;
	// (NodeApiError takes a missing httpCode from the body's code: only real statuses here.)
	if (/^\d{3}$/.test(details.httpCode ?? '')) return `HTTP ${details.httpCode}`;
	if (details.webRun?.status) return `status ${details.webRun.status}`;
	// The rest by their message: "unexpected answer from WebRun", "could not reach WebRun", …
	return String((error as Error).message)
		.replace(/^Run Task: /, '')
		.split(/ from| at|:/)[0];
}

function checkRun(name: string, { task, error, log }: Awaited<ReturnType<typeof runTask>>) {
	endings[name] ??= {};
	const end = ending(task, error);
	endings[name][end] = (endings[name][end] ?? 0) + 1;
	// Never a second task: nothing is sent to run-task after an answer that may have started one.
	const starts = log.filter((q) => q.path === '/start/run-task');
	const first = starts.findIndex((q) => mayHaveStarted(q.answer));
	if (first >= 0) expect(starts.length).toBe(first + 1);
	// No request carries an ID that fails the typed-ID check; polls go to /task/<sid>/<tid> only.
	for (const q of log) {
		if (q.method === 'GET') {
			const match = /^\/task\/([^/?#]+)\/([^/?#]+)$/.exec(q.path);
			expect(match).not.toBeNull();
			expect(isValidId(decodeURIComponent(match![1]))).toBe(true);
			expect(isValidId(decodeURIComponent(match![2]))).toBe(true);
		} else if (q.path === '/start/send-message') {
			expect(isValidId(q.body?.sessionId)).toBe(true);
		} else {
			expect(q.path).toBe('/start/run-task');
		}
	}
	if (error === undefined) {
		expect(['completed', 'guardrail']).toContain(task?.state);
		return;
	}
	// A clear error: the node's own kind, naming the operation, without code-level leftovers.
	const isNodeError = error instanceof NodeApiError || error instanceof NodeOperationError;
	if (!isNodeError) throw error;
	expect(error.message.startsWith('Run Task: ')).toBe(true);
	// (A leftover the server's own text contains may be quoted from it.)
	const served = JSON.stringify(log.map((q) => q.answer));
	for (const words of [error.message, error.description ?? '']) {
		for (const leftover of ['undefined', '[object Object]', 'TypeError', 'NaN', '$-']) {
			if (!served.includes(leftover)) expect(words).not.toContain(leftover);
		}
	}
}

/** Inputs per property (PROPERTY_RUNS=5000 for a longer hunt; the default keeps the file fast). */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 600);
const tried: Record<string, number> = {};
afterAll(() => {
	for (const [name, count] of Object.entries(tried)) {
		const ends = Object.entries(endings[name] ?? {})
			.sort((a, b) => b[1] - a[1])
			.map(([end, n]) => `${end} ${n}`)
			.join(', ');
		// eslint-disable-next-line no-console -- test summary: how many inputs each property tried
		console.log(`property "${name}": ${count} inputs tried (endings: ${ends})`);
	}
});

test('random start answers never start a second task and never end in an unclear error', async () => {
	const name = 'start answers';
	tried[name] = 0;
	await fc.assert(
		fc.asyncProperty(startAnswers, pollAnswers, async (starts, polls) => {
			tried[name]++;
			checkRun(name, await runTask([...starts], [...polls]));
		}),
		{ numRuns: RUNS },
	);
});

test('random poll answers after a documented start: the same, and only valid IDs in paths', async () => {
	const name = 'poll answers';
	tried[name] = 0;
	await fc.assert(
		fc.asyncProperty(pollAnswers, async (polls) => {
			tried[name]++;
			checkRun(name, await runTask([PENDING], [...polls]));
		}),
		{ numRuns: RUNS },
	);
});
