/**
 * Hostile answers (issue 18, cases 8 and 11–14) through n8n's real engine against the simulator:
 * absurd rate-limit waits fail the item at once and pause the account for at most 10 minutes;
 * negative costs are not counted down; unknown states end the item; invalid server-given IDs never
 * enter a request; a Task expression that yields an object fails before any request.
 */
import type { IDataObject } from 'n8n-workflow';

import { MAX_SHARED_RATE_LIMIT_WAIT_MS } from '../../../nodes/WebRun/constants';
import { useSimulator } from '../../helpers/simulator';
import { settlesWithin } from '../../helpers/timing';
import type { Simulator } from '../../simulator';
import {
	pendingStartWithPollUrl,
	runTaskRaw,
	startSessionDirect,
	visibleRecorder,
} from '../reliability/shared';

const simulator = useSimulator({ inlineWindowMs: 300 });
let sim: Simulator;
beforeEach(() => (sim = simulator()));
const rec = visibleRecorder();
const run = rec.run;

/** Moves every in-process clock (node, simulator) forward, as if that much time had passed. */
let shift = 0;
const realNow = Date.now.bind(Date);
beforeEach(() => {
	shift = 0;
	jest.spyOn(Date, 'now').mockImplementation(() => realNow() + shift);
});
afterEach(() => jest.restoreAllMocks());

const onlyItem = (r: { completed: Array<{ json: IDataObject }> }) => r.completed[0]?.json ?? {};
const polls = () => sim.requests.filter((q) => q.endpoint === 'poll');
const terminates = () =>
	sim.requests.filter(
		(q) => q.endpoint === 'send-message' && q.body?.message?.newState === 'terminate',
	);
const continueOnFail = { onError: 'continueRegularOutput' as const };

describe('case 8: a rate-limit wait never outlives the item, nor blocks the account for long', () => {
	test('429 with Retry-After: 99999999: RATE_LIMITED at once; later runs fail fast, then recover by themselves', async () => {
		sim.fault({ endpoint: 'run-task', status: 429, headers: { 'Retry-After': '99999999' } });
		// Default Timeout (600 s): the item fails at once, not at its Timeout.
		const first = await settlesWithin(
			10_000,
			run({
				baseUrl: sim.url,
				parameters: runTaskRaw('absurd wait'),
				...continueOnFail,
			}),
		);
		expect(onlyItem(first).code).toBe('RATE_LIMITED');
		expect(String(onlyItem(first).error)).toMatch(/^Run Task: .*asked to wait 1157 days/);
		expect(String(onlyItem(first).error)).toContain('Retry-After');
		expect(sim.count('run-task')).toBe(1);

		// The server is healthy again, but the account waits (at most 10 minutes): an item whose
		// Timeout is shorter fails at once, without sending anything, naming the wait.
		const second = await settlesWithin(
			10_000,
			run({
				baseUrl: sim.url,
				parameters: runTaskRaw('healthy again', { timeout: 60 }),
			}),
		);
		expect(second.error?.message).toMatch(/^Run Task: .*asked to wait 1157 days/);
		expect(second.error?.message).toContain('RATE_LIMITED');
		expect(second.error?.description).toMatch(/pause for at most 10 minutes/);
		expect(sim.count('run-task')).toBe(1);

		// Ten minutes later the account's budget has recovered on its own: a normal run.
		shift = MAX_SHARED_RATE_LIMIT_WAIT_MS + 1000;
		sim.script('healthy', { durationMs: 50, message: 'ran normally' });
		const third = await run({ baseUrl: sim.url, parameters: runTaskRaw('healthy again') });
		expect(third.error).toBeUndefined();
		expect(third.completed.map((i) => i.json.message)).toEqual(['ran normally']);
		expect(sim.requests.filter((q) => q.endpoint === 'run-task').map((q) => q.status)).toEqual([
			429, 200,
		]);
		expect(sim.tasksStarted).toBe(1);
	});

	test('2xx with X-RateLimit-Remaining: 0 and a reset years ahead: the next item fails at once, and the account recovers', async () => {
		const tenYears = Math.floor(Date.now() / 1000) + 10 * 365 * 86400;
		sim.fault({
			endpoint: 'run-task',
			status: 200,
			headers: {
				'X-RateLimit-Limit': '10',
				'X-RateLimit-Remaining': '0',
				'X-RateLimit-Reset': String(tenYears),
			},
			body: {
				success: true,
				sessionId: 'sessfar00001',
				taskId: 'taskfar00001',
				type: 'task_completed',
				data: { message: 'done before the wall' },
			},
		});
		const first = await settlesWithin(
			10_000,
			run({
				baseUrl: sim.url,
				items: [{ q: 'one' }, { q: 'two' }],
				parameters: runTaskRaw('={{ $json.q }}'),
				...continueOnFail,
			}),
		);
		const json = first.completed.map((i) => i.json);
		expect(json[0]).toMatchObject({ status: 'completed', message: 'done before the wall' });
		expect(json[1].code).toBe('RATE_LIMITED');
		expect(String(json[1].error)).toMatch(/asked to wait 36\d\d days \(X-RateLimit-Reset\)/);
		// Fails at once (default Timeout 600 s), and only the first item's request was sent.
		expect(sim.count('run-task')).toBe(1);

		shift = MAX_SHARED_RATE_LIMIT_WAIT_MS + 1000;
		sim.script('after', { durationMs: 50 });
		const later = await run({ baseUrl: sim.url, parameters: runTaskRaw('after the pause') });
		expect(later.error).toBeUndefined();
		expect(onlyItem(later).status).toBe('completed');
		expect(sim.tasksStarted).toBe(1);
	});

	test('a poll answered 429 with a Retry-After beyond the Timeout fails at once, naming the wait', async () => {
		sim.script('slow poll', { durationMs: 30_000 });
		sim.fault({ endpoint: 'poll', status: 429, headers: { 'Retry-After': '3600' } });
		const r = await settlesWithin(
			10_000,
			run({
				baseUrl: sim.url,
				parameters: runTaskRaw('slow poll', { timeout: 120 }),
				...continueOnFail,
			}),
		);
		const task = sim.tasks[0];
		expect(onlyItem(r)).toMatchObject({
			code: 'RATE_LIMITED',
			sessionId: task.sessionId,
			taskId: task.taskId,
		});
		expect(String(onlyItem(r).error)).toMatch(/asked to wait 60 minutes \(Retry-After\)/);
		expect(String(onlyItem(r).description)).toContain('Get Task');
		expect(polls()).toHaveLength(1);
	});
});

describe('case 11: negative costs are never counted down', () => {
	test('Max Total Cost $1, tasks alternating $0.60 and -$0.50: the third task reaches the cap', async () => {
		sim.script('pos', {
			durationMs: 50,
			usage: { prompt_tokens: 1, completion_tokens: 1, cost: 0.6 },
		});
		sim.script('neg', {
			durationMs: 50,
			usage: { prompt_tokens: 1, completion_tokens: 1, cost: -0.5 },
		});
		const items = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({ q: `${i % 2 ? 'neg' : 'pos'} ${i}` }));
		const r = await run({
			baseUrl: sim.url,
			items,
			parameters: runTaskRaw('={{ $json.q }}', { maxTotalCostUsd: 1 }),
			...continueOnFail,
		});
		// Counted: 0.60, 0.60 (the negative figure is ignored), 1.20 → no fourth start. Counting the
		// negative figures down would have let all eight start.
		expect(sim.tasksStarted).toBe(3);
		expect(sim.count('run-task')).toBe(3);
		const json = r.completed.map((i) => i.json);
		expect(json.map((j) => j.status)).toEqual([
			'completed',
			'completed',
			'completed',
			...Array(5).fill('notStarted'),
		]);
		expect(json[3]).toMatchObject({ code: 'TOTAL_COST_LIMIT_REACHED', totalCostUsd: 1.2 });
	});
});

describe('case 12: only documented running states keep the node polling', () => {
	const pending = (ids: { sessionId: string; taskId?: string }) => ({
		endpoint: 'run-task' as const,
		status: 200,
		body: { success: true, ...ids, status: 'pending' },
	});

	test('a poll saying "cancelled" ends the item at the first poll, naming the status; the own session is terminated', async () => {
		sim.script('cancel me', { durationMs: 60_000 });
		sim.fault({
			endpoint: 'poll',
			status: 200,
			body: { success: true, status: 'cancelled' },
		});
		const r = await settlesWithin(
			10_000,
			run({ baseUrl: sim.url, parameters: runTaskRaw('cancel me') }),
		);
		const task = sim.tasks[0];
		expect(r.error?.message).toBe(
			`Run Task: WebRun reported the status "cancelled", which this node does not know ` +
				`[UNKNOWN_STATUS] (session ${task.sessionId}, task ${task.taskId})`,
		);
		expect(polls()).toHaveLength(1);
		// Run Task's session would otherwise run (and cost) until it times out on WebRun.
		expect(terminates().map((q) => q.body?.sessionId)).toEqual([task.sessionId]);
		expect(r.error?.description).toMatch(/terminated the session it had started/);
	});

	test('a start answer with status "exploded" ends the item before any poll', async () => {
		const { sessionId } = await startSessionDirect(sim);
		sim.fault({
			...pending({ sessionId, taskId: 'task00000777' }),
			body: { success: true, sessionId, taskId: 'task00000777', status: 'exploded' },
		});
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('explode'), ...continueOnFail });
		expect(onlyItem(r)).toMatchObject({ code: 'UNKNOWN_STATUS', sessionId });
		expect(String(onlyItem(r).error)).toContain('"exploded"');
		expect(polls()).toHaveLength(0);
		expect(terminates()).toHaveLength(1);
	});

	test('a poll answer with no status at all ends the item too', async () => {
		sim.script('mute', { durationMs: 60_000 });
		sim.fault({ endpoint: 'poll', status: 200, body: { success: true } });
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('mute'), ...continueOnFail });
		expect(onlyItem(r).code).toBe('UNKNOWN_STATUS');
		expect(String(onlyItem(r).error)).toMatch(/answered without a task status/);
		expect(polls()).toHaveLength(1);
	});

	test('documented running states (queued, paused, started, pending: true) keep it polling to the end', async () => {
		sim.script('patient', { durationMs: 4000, message: 'patience paid' });
		for (const body of [
			{ success: true, status: 'queued' },
			{ success: true, status: 'paused' },
			{ success: true, status: 'started' },
			{ pending: true, usage: { cost: 0.001 } },
		])
			sim.fault({ endpoint: 'poll', status: 200, body });
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('patient') });
		expect(r.error).toBeUndefined();
		expect(onlyItem(r).message).toBe('patience paid');
		expect(polls().length).toBeGreaterThanOrEqual(5);
	});
});

describe('case 13: server-given IDs pass the typed-ID check before they enter a request', () => {
	/** Every request the node sent went to a known endpoint (no `..`-shortened path). */
	const expectKnownPaths = () => {
		expect(sim.requests.map((q) => q.endpoint)).not.toContain('unknown');
		for (const q of sim.requests) expect(q.path).not.toMatch(/%2F|\/\.\.?(\/|$)/i);
	};

	test('session ID "..": a clear error, no poll, nothing sent with it', async () => {
		sim.fault({
			endpoint: 'run-task',
			status: 200,
			body: { success: true, sessionId: '..', taskId: 'task00000001', status: 'pending' },
		});
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('dots'), ...continueOnFail });
		expect(onlyItem(r).code).toBe('INVALID_ID');
		expect(String(onlyItem(r).error)).toMatch(
			/^Run Task: unexpected answer from WebRun.*invalid session ID "\.\."/,
		);
		expect(sim.requests.map((q) => q.endpoint)).toEqual(['run-task']);
		expectKnownPaths();
	});

	test('task ID "abc/def" in Run Task\'s answer: no poll, and the session the node started is terminated', async () => {
		const { sessionId } = await startSessionDirect(sim);
		sim.fault({
			endpoint: 'run-task',
			status: 200,
			body: { success: true, sessionId, taskId: 'abc/def', status: 'pending' },
		});
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('slash'), ...continueOnFail });
		expect(onlyItem(r)).toMatchObject({ code: 'INVALID_ID', sessionId });
		expect(String(onlyItem(r).error)).toContain('invalid task ID "abc/def"');
		expect(String(onlyItem(r).description)).toMatch(/terminated the session/);
		expect(polls()).toHaveLength(0);
		expect(terminates().map((q) => [q.body?.sessionId, q.status])).toEqual([[sessionId, 200]]);
		expectKnownPaths();
	});

	test('Send Message answered with task ID "../x": no poll; the user\'s session is left alone', async () => {
		const { sessionId } = await startSessionDirect(sim);
		sim.fault({
			endpoint: 'send-message',
			status: 200,
			body: { success: true, sessionId, taskId: '../x', pending: true },
		});
		const r = await run({
			baseUrl: sim.url,
			parameters: {
				operation: 'sendMessage',
				sessionId,
				messageType: 'newTask',
				taskDetails: 'next',
				options: { pollInterval: 1 },
			},
			...continueOnFail,
		});
		expect(onlyItem(r).code).toBe('INVALID_ID');
		expect(polls()).toHaveLength(0);
		expect(terminates()).toHaveLength(0);
		expectKnownPaths();
	});

	test("a same-origin pollUrl whose path is not the task's is ignored: the node polls /task/<sid>/<tid>", async () => {
		sim.script('elsewhere', { durationMs: 1500, message: 'polled the right path' });
		const { sessionId, taskId } = await pendingStartWithPollUrl(
			sim,
			'elsewhere',
			(s, t) => `${sim.url}/task/${s}/${t}/../../../environments`,
		);
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('x', { timeout: 20 }) });
		expect(r.error).toBeUndefined();
		expect(onlyItem(r).message).toBe('polled the right path');
		expect(sim.requests.filter((q) => q.endpoint === 'environments')).toHaveLength(0);
		expect(polls().every((q) => q.path === `/task/${sessionId}/${taskId}`)).toBe(true);
	});
});

describe('case 14: the Task takes text only', () => {
	test.each([
		['an object', { a: 1 }, /Task must be text, but its expression gave an object/],
		['a list', ['a', 'b'], /Task must be text, but its expression gave a list/],
	])('Run Task with %s: a clear error before any request', async (_, value, message) => {
		const r = await run({
			baseUrl: sim.url,
			items: [{ value }],
			parameters: runTaskRaw('={{ $json.value }}'),
		});
		expect(r.error?.message).toMatch(message);
		expect(r.error?.description).toMatch(/JSON\.stringify/);
		expect(sim.requests).toHaveLength(0);
	});

	test("Start Session's First Task, Send Message's New Task and a guardrail Response alike", async () => {
		const items = [{ value: { nested: { deep: true } } }];
		const cases: Array<[IDataObject, RegExp]> = [
			[
				{ operation: 'startSession', taskDetails: '={{ $json.value }}' },
				/^First Task must be text/,
			],
			[
				{
					operation: 'sendMessage',
					sessionId: 'sess00000001',
					messageType: 'newTask',
					taskDetails: '={{ $json.value }}',
				},
				/^Task must be text/,
			],
			[
				{
					operation: 'sendMessage',
					sessionId: 'sess00000001',
					taskId: 'task00000001',
					messageType: 'guardrailResponse',
					guardrailResponse: '={{ $json.value }}',
				},
				/^Response must be text/,
			],
		];
		for (const [parameters, message] of cases) {
			const r = await run({ baseUrl: sim.url, items, parameters });
			expect(r.error?.message).toMatch(message);
		}
		expect(sim.requests).toHaveLength(0);
	});

	test('a number is sent as its text', async () => {
		sim.script('42', { durationMs: 50 });
		const r = await run({
			baseUrl: sim.url,
			items: [{ value: 42 }],
			parameters: runTaskRaw('={{ $json.value }}'),
		});
		expect(r.error).toBeUndefined();
		expect(sim.tasks.map((t) => t.text)).toEqual(['42']);
	});
});

test('no run in this file made the API key visible', () => {
	rec.expectNoKey();
});
