/**
 * Reliability and cost safety, starting requests: 429 / 503 retries, the start budget against the
 * simulator's real rate limiter, dropped connections (never sent twice), every 4xx as a clear error
 * without retry, the concurrent-session limit, and the API key never leaving the node.
 */
import type { IDataObject } from 'n8n-workflow';

import { TEST_API_KEY } from '../../helpers/engine';
import { useSimulator } from '../../helpers/simulator';
import { settlesWithin } from '../../helpers/timing';
import type { Simulator } from '../../simulator';
import { runTaskRaw, simCall, startSessionDirect, visibleRecorder } from './shared';

const simulator = useSimulator();
let sim: Simulator;
beforeEach(() => (sim = simulator()));
const rec = visibleRecorder();
const run = rec.run;

const runTasks = (options: IDataObject = {}): IDataObject => runTaskRaw('={{ $json.q }}', options);

const startRequests = () => sim.requests.filter((q) => q.endpoint === 'run-task');

describe('429 and 503 on a starting request are waited out and retried', () => {
	test('429 with Retry-After: waits, retries once, exactly one task, item completes', async () => {
		sim.fault({
			endpoint: 'run-task',
			status: 429,
			headers: { 'Retry-After': '1' },
			body: { success: false, message: 'Rate limit exceeded. Please try again later.' },
		});
		sim.script('quick', { durationMs: 100, message: 'quick done' });
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('a quick task') });
		expect(r.error).toBeUndefined();
		expect(r.completed.map((i) => i.json.message)).toEqual(['quick done']);
		const starts = startRequests();
		expect(starts.map((q) => q.status)).toEqual([429, 200]);
		// Retry-After: 1 is honoured (not sooner), and not much later either.
		expect(starts[1].time - starts[0].time).toBeGreaterThanOrEqual(900);
		expect(starts[1].time - starts[0].time).toBeLessThan(3000);
		expect(sim.tasksStarted).toBe(1);
	});

	test('real rate limiter (2 per 3 s), 4 items at Parallel Tasks 2: the budget paces the starts, zero 429s', async () => {
		sim.configure({ rateLimit: { limit: 2, windowMs: 3000 } });
		sim.script('paced', { durationMs: 100 });
		const items = [0, 1, 2, 3].map((i) => ({ q: `paced ${i}` }));
		const r = await run({ baseUrl: sim.url, items, parameters: runTasks({ concurrency: 2 }) });
		expect(r.error).toBeUndefined();
		expect(r.completed.map((i) => i.json.message)).toEqual(items.map((i) => `Completed: ${i.q}`));
		const starts = startRequests();
		expect(starts.map((q) => q.status)).toEqual([200, 200, 200, 200]);
		// The third start waited for the server's window (learned from the X-RateLimit-* headers).
		expect(starts[2].time - starts[0].time).toBeGreaterThanOrEqual(2700);
		expect(sim.tasksStarted).toBe(4);
	});

	test('real rate limiter (2 per 3 s), 4 items at Parallel Tasks 4: every item completes, one task each', async () => {
		// The node cannot know a limit below WebRun's documented 10 per minute before the first answer,
		// so the first wave may meet 429s; after that it follows Retry-After and the learned limit.
		sim.configure({ rateLimit: { limit: 2, windowMs: 3000 } });
		sim.script('burst', { durationMs: 100 });
		const items = [0, 1, 2, 3].map((i) => ({ q: `burst ${i}` }));
		const r = await run({ baseUrl: sim.url, items, parameters: runTasks({ concurrency: 4 }) });
		expect(r.error).toBeUndefined();
		expect(r.completed.map((i) => i.json.message)).toEqual(items.map((i) => `Completed: ${i.q}`));
		expect(r.completed.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		const starts = startRequests();
		const limited = starts.filter((q) => q.status === 429);
		expect(limited.length).toBeLessThanOrEqual(2);
		// No 429 after the first wave: the retries waited for Retry-After.
		const firstRetry = starts.find((q, i) => i >= 4);
		if (firstRetry) expect(firstRetry.status).toBe(200);
		expect(starts.filter((q) => q.status === 200)).toHaveLength(4);
		expect(sim.tasksStarted).toBe(4);
		expect(new Set(sim.tasks.map((t) => t.text))).toEqual(new Set(items.map((i) => i.q)));
	});

	test('503 twice, then OK: backs off 2 s then 4 s, exactly one task, item completes', async () => {
		sim.fault({ endpoint: 'run-task', status: 503, times: 2 });
		sim.script('unavailable', { durationMs: 100, message: 'got a browser' });
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('unavailable at first') });
		expect(r.error).toBeUndefined();
		expect(r.completed[0].json.message).toBe('got a browser');
		const starts = startRequests();
		expect(starts.map((q) => q.status)).toEqual([503, 503, 200]);
		// Gaps from the simulator's log: at least the backoff, and the second one longer (doubling).
		const [first, second] = [starts[1].time - starts[0].time, starts[2].time - starts[1].time];
		expect(first).toBeGreaterThanOrEqual(1800);
		expect(second).toBeGreaterThanOrEqual(3700);
		expect(second - first).toBeGreaterThan(1000);
		expect(sim.tasksStarted).toBe(1);
	});

	test('503 with Retry-After follows the header instead of the backoff', async () => {
		sim.fault({ endpoint: 'run-task', status: 503, headers: { 'Retry-After': '1' } });
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('retry after one second') });
		expect(r.error).toBeUndefined();
		const starts = startRequests();
		expect(starts.map((q) => q.status)).toEqual([503, 200]);
		// At least the header's second, and not the 2 s backoff the header replaces.
		expect(starts[1].time - starts[0].time).toBeGreaterThanOrEqual(900);
		expect(starts[1].time - starts[0].time).toBeLessThan(1950);
		expect(sim.tasksStarted).toBe(1);
	});

	test('503 whose Retry-After outlasts the Timeout: UNAVAILABLE at once, naming the wait, one request', async () => {
		sim.fault({ endpoint: 'run-task', status: 503, headers: { 'Retry-After': '3600' } });
		const r = await settlesWithin(
			10_000,
			run({ baseUrl: sim.url, parameters: runTaskRaw('no browser for an hour', { timeout: 60 }) }),
			'the item must not sleep towards its Timeout',
		);
		expect(r.error?.message).toMatch(
			/^Run Task: WebRun had no free browser \(HTTP 503\) and asked to wait 60 minutes \(Retry-After\), more than the \d+ s left of this item's Timeout \[UNAVAILABLE\]/,
		);
		expect(r.error?.message).not.toMatch(/timed out after 0 s/);
		expect(r.error?.description).toMatch(/^No task was started for this item\. Try again later/);
		expect(startRequests().map((q) => q.status)).toEqual([503]);
		expect(sim.tasksStarted).toBe(0);
	});
});

describe('a starting request that may have reached the server is never sent again', () => {
	test('connection dropped after the task was accepted: clear error, one request, one task', async () => {
		sim.fault({ endpoint: 'run-task', kind: 'drop-after-accept' });
		sim.script('dropped', { durationMs: 300 });
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('dropped answer') });
		expect(r.error?.message).toContain('Run Task');
		expect(r.error?.message).toMatch(/connection to WebRun broke/);
		expect(r.error?.message).toMatch(/task may have started/);
		expect(r.error?.description).toMatch(/did not send the request again/);
		expect(r.error?.description).toMatch(/dashboard/);
		expect(sim.count('run-task')).toBe(1);
		expect(sim.tasksStarted).toBe(1);
		expect(r.completed).toHaveLength(0);
	});

	test('connection dropped before any answer (drop-before): the node cannot know, so it does not retry either', async () => {
		sim.fault({ endpoint: 'run-task', kind: 'drop-before' });
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('dropped early') });
		expect(r.error?.message).toContain('Run Task');
		expect(r.error?.message).toMatch(/task may have started/);
		expect(r.error?.description).toMatch(/did not send the request again/);
		expect(sim.count('run-task')).toBe(1);
		expect(sim.tasksStarted).toBe(0);
	});

	test('under Continue On Fail the uncertain item says so and the other items go on', async () => {
		sim.fault({ endpoint: 'run-task', kind: 'drop-after-accept' });
		sim.script('cof', { durationMs: 100 });
		const r = await run({
			baseUrl: sim.url,
			items: [{ q: 'cof 0' }, { q: 'cof 1' }],
			parameters: runTasks(),
			onError: 'continueRegularOutput',
		});
		expect(r.error).toBeUndefined();
		expect(r.completed.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(String(r.completed[0].json.error)).toMatch(/may have started/);
		expect(r.completed[0].json.status).toBe('unknown');
		expect(r.completed[1].json.status).toBe('completed');
		expect(sim.count('run-task')).toBe(2);
		expect(sim.tasksStarted).toBe(2);
	});
});

describe('4xx on a starting request: a clear error at once, no retry', () => {
	test('400: the server message is quoted', async () => {
		sim.fault({
			endpoint: 'run-task',
			status: 400,
			body: {
				success: false,
				message: "Invalid parameter 'maxDuration': must be positive",
				code: 'INVALID_PARAMETER',
			},
		});
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('bad request') });
		expect(r.error?.message).toContain('Run Task');
		expect(r.error?.message).toContain("Invalid parameter 'maxDuration': must be positive");
		expect(r.error?.httpCode).toBe('400');
		expect(sim.requests).toHaveLength(1);
	});

	test('401: the API key was rejected, pointing at the credential', async () => {
		sim.configure({ apiKeys: { wr_some_other_key: {} } });
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('no entry') });
		expect(r.error?.message).toContain('Run Task');
		expect(r.error?.message).toMatch(/rejected the API key/);
		expect(r.error?.description).toMatch(/credential/);
		expect(sim.requests).toHaveLength(1);
		expect(sim.tasksStarted).toBe(0);
	});

	test('402: insufficient balance, with the balance shown', async () => {
		sim.configure({ defaultBalance: 0.25 });
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('no money') });
		expect(r.error?.message).toContain('Run Task');
		expect(r.error?.message).toMatch(/insufficient WebRun balance/);
		expect(r.error?.message).toContain('$0.25');
		expect(r.error?.description).toMatch(/funds/);
		expect(sim.requests).toHaveLength(1);
		expect(sim.tasksStarted).toBe(0);
	});

	test('403: the account is deactivated', async () => {
		sim.configure({ apiKeys: { [TEST_API_KEY]: { deactivated: true } } });
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('deactivated') });
		expect(r.error?.message).toContain('Run Task');
		expect(r.error?.message).toMatch(/refused access \(HTTP 403\)/);
		expect(r.error?.message).toContain('Account is deactivated');
		expect(r.error?.description).toMatch(/deactivated/);
		expect(sim.requests).toHaveLength(1);
	});

	test('404: Send Message to an unknown session names the operation and the session', async () => {
		const r = await run({
			baseUrl: sim.url,
			parameters: {
				operation: 'sendMessage',
				sessionId: 'nosuchsess01',
				messageType: 'newTask',
				taskDetails: 'hello',
				options: { pollInterval: 1 },
			},
		});
		expect(r.error?.message).toContain('Send Message');
		expect(r.error?.message).toMatch(/could not find the session/);
		expect(r.error?.message).toContain('nosuchsess01');
		expect(sim.requests).toHaveLength(1);
		expect(sim.tasksStarted).toBe(0);
	});

	test('401 "Session not found or unauthorized" (older servers) is about the session, not the key', async () => {
		sim.configure({ unknownSessionStatus: 401 });
		const r = await run({
			baseUrl: sim.url,
			parameters: {
				operation: 'sendMessage',
				sessionId: 'gonesession1',
				messageType: 'newTask',
				taskDetails: 'hello',
			},
		});
		expect(r.error?.message).toContain('Send Message');
		expect(r.error?.message).toMatch(/did not accept the session/);
		expect(r.error?.message).toContain('gonesession1');
		expect(r.error?.message).not.toMatch(/API key/);
		expect(sim.requests).toHaveLength(1);
	});

	test('409 TASK_ALREADY_RUNNING: names the session and keeps the code', async () => {
		sim.script('a long first task', { durationMs: 20000 });
		const { sessionId } = await startSessionDirect(sim, 'a long first task');
		const parameters = {
			operation: 'sendMessage',
			sessionId,
			messageType: 'newTask',
			taskDetails: 'second task',
		};
		const r = await run({ baseUrl: sim.url, parameters });
		expect(r.error?.message).toContain('Send Message');
		expect(r.error?.message).toContain(sessionId);
		expect(r.error?.message).toContain('A task is already running in this session');
		expect(r.error?.description).toMatch(/Control Session/);
		expect(sim.count('send-message')).toBe(1);

		const cof = await run({ baseUrl: sim.url, parameters, onError: 'continueRegularOutput' });
		expect(cof.completed[0].json).toMatchObject({ sessionId, code: 'TASK_ALREADY_RUNNING' });
		expect(sim.count('send-message')).toBe(2);
		expect(sim.tasksStarted).toBe(1);
	});

	test('409 NO_GUARDRAIL_PENDING on a guardrail reply names the session and the task', async () => {
		sim.script('busy', { durationMs: 20000 });
		const { sessionId, taskId } = await startSessionDirect(sim, 'busy');
		const r = await run({
			baseUrl: sim.url,
			parameters: {
				operation: 'sendMessage',
				sessionId,
				taskId,
				messageType: 'guardrailResponse',
				guardrailResponse: 'yes',
			},
		});
		expect(r.error?.message).toContain('Send Message');
		expect(r.error?.message).toContain(sessionId);
		expect(r.error?.message).toContain(String(taskId));
		expect(r.error?.message).toContain('No guardrail is pending');
		expect(sim.count('send-message')).toBe(1);
		expect(sim.count('poll')).toBe(0);
	});
});

describe('concurrent session limit', () => {
	test("sessionLimit 2, 4 items at Parallel Tasks 4: items wait for the execution's own tasks, all complete", async () => {
		sim.configure({ sessionLimit: 2 });
		sim.script('limited', { durationMs: 800 });
		const items = [0, 1, 2, 3].map((i) => ({ q: `limited ${i}` }));
		const r = await run({ baseUrl: sim.url, items, parameters: runTasks({ concurrency: 4 }) });
		expect(r.error).toBeUndefined();
		expect(r.completed.map((i) => i.json.message)).toEqual(items.map((i) => `Completed: ${i.q}`));
		expect(sim.tasksStarted).toBe(4);
		expect(startRequests().filter((q) => q.status === 200)).toHaveLength(4);
	});

	test('sessionLimit 2 with pending tasks (polled): all complete as well', async () => {
		sim.configure({ sessionLimit: 2, inlineWindowMs: 200 });
		sim.script('limpoll', { durationMs: 1200 });
		const items = [0, 1, 2, 3].map((i) => ({ q: `limpoll ${i}` }));
		const r = await run({ baseUrl: sim.url, items, parameters: runTasks({ concurrency: 4 }) });
		expect(r.error).toBeUndefined();
		expect(r.completed.map((i) => i.json.message)).toEqual(items.map((i) => `Completed: ${i.q}`));
		expect(sim.tasksStarted).toBe(4);
	});

	test('limit taken by sessions outside the execution: a clear error at once', async () => {
		sim.configure({ sessionLimit: 2 });
		const opened = await run({
			baseUrl: sim.url,
			items: [{}, {}],
			parameters: { operation: 'startSession' },
		});
		expect(opened.error).toBeUndefined();
		expect(opened.completed).toHaveLength(2);
		// At once: not after waiting out the item's timeout (600 s).
		const r = await settlesWithin(
			10_000,
			run({ baseUrl: sim.url, parameters: runTaskRaw('no room') }),
		);
		expect(r.error?.message).toContain('Run Task');
		expect(r.error?.message).toMatch(/concurrent session limit/);
		expect(r.error?.message).toContain('limit: 2');
		expect(r.error?.description).toMatch(/Terminate idle sessions/);
		expect(sim.count('run-task')).toBe(1);
		expect(sim.tasksStarted).toBe(0);
	});
});

describe('the API key never leaves the node', () => {
	const echoed = () => ({
		endpoint: 'run-task' as const,
		status: 400,
		body: {
			success: false,
			message: `bad key ${TEST_API_KEY} in request`,
			error: `bad key ${TEST_API_KEY}`,
			details: { key: TEST_API_KEY },
		},
	});

	test('a server error body echoing the key is redacted in the thrown error', async () => {
		sim.fault(echoed());
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('echo my key') });
		expect(r.error?.message).toContain('bad key *** in request');
		expect(JSON.stringify(r.error)).not.toContain(TEST_API_KEY);
		expect(String(r.error?.stack)).not.toContain(TEST_API_KEY);
		expect(
			JSON.stringify((r.error as { errorResponse?: unknown }).errorResponse ?? null),
		).not.toContain(TEST_API_KEY);
		expect(JSON.stringify((r.error as { messages?: unknown }).messages ?? null)).not.toContain(
			TEST_API_KEY,
		);
	});

	test('... and in the Continue On Fail item, on both error settings', async () => {
		sim.fault(echoed());
		const regular = await run({
			baseUrl: sim.url,
			parameters: runTaskRaw('echo my key'),
			onError: 'continueRegularOutput',
		});
		expect(String(regular.completed[0].json.error)).toContain('***');
		sim.fault(echoed());
		const errorOutput = await run({
			baseUrl: sim.url,
			parameters: runTaskRaw('echo my key'),
			onError: 'continueErrorOutput',
		});
		expect(errorOutput.downstream.error).toHaveLength(1);
		expect(String(errorOutput.downstream.error[0].json.error)).toContain('***');
	});

	test('a completed task whose answer echoes the key: message and raw are redacted', async () => {
		sim.script('leaky', { durationMs: 50, message: `The key is ${TEST_API_KEY}` });
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('leaky task') });
		expect(r.completed[0].json.message).toBe('The key is ***');
		expect(JSON.stringify(r.completed[0].json.raw)).toContain('***');
	});

	test('a session answer echoing the key is redacted', async () => {
		sim.fault({
			endpoint: 'start-session',
			status: 200,
			body: {
				success: true,
				sessionId: 'echosession1',
				message: `hello ${TEST_API_KEY}`,
				balance: 3,
			},
		});
		const r = await run({
			baseUrl: sim.url,
			parameters: { operation: 'startSession', options: { includeRawResponse: true } },
		});
		expect(r.error).toBeUndefined();
		expect(JSON.stringify(r.completed[0].json)).toContain('***');
	});

	test('no run in this file made the key visible (items, raw, errors, descriptions, stacks)', () => {
		rec.expectNoKey();
	});
});

test('the direct setup helper really uses the key (sanity check of the scan)', async () => {
	const r = await simCall(sim, 'GET', '/v1/models');
	expect(r.status).toBe(200);
	expect(sim.requests[0].headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
});
