/**
 * Run Task and Get Task through n8n's real engine (WorkflowExecute) against the simulator.
 */
import type { IDataObject } from 'n8n-workflow';

import { runTaskParams, useSimulator } from '../../helpers/simulator';
import { settlesWithin } from '../../helpers/timing';
import type { Simulator } from '../../simulator';
import { runWorkflow, TEST_API_KEY } from '../../helpers/engine';

const simulator = useSimulator();
let sim: Simulator;
beforeEach(() => (sim = simulator()));

const runTask = runTaskParams;

describe.each(['webrun', 'enigma'] as const)('Run Task, %s response generation', (generation) => {
	beforeEach(() => sim.configure({ generation }));

	test('inline completion: one request, no poll, item on Completed', async () => {
		sim.script('keyboards', {
			durationMs: 100,
			message: 'Top 3 keyboards: A $10, B $20, C $30',
			usage: { prompt_tokens: 100, completion_tokens: 20, cost: 0.01 },
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: runTask('List the top 3 keyboards'),
		});
		expect(r.error).toBeUndefined();
		expect(r.outputNames).toEqual(['Completed', 'Guardrail']);
		expect(r.guardrail).toHaveLength(0);
		expect(r.completed).toHaveLength(1);
		const json = r.completed[0].json;
		expect(json).toMatchObject({
			status: 'completed',
			message: 'Top 3 keyboards: A $10, B $20, C $30',
			usage: { promptTokens: 100, completionTokens: 20, cost: 0.01 },
		});
		const task = sim.tasks[0];
		expect(json.sessionId).toBe(task.sessionId);
		expect(json.taskId).toBe(task.taskId);
		expect(r.completed[0].pairedItem).toEqual({ item: 0 });
		expect(r.downstream.completed).toHaveLength(1);
		expect(sim.count('run-task')).toBe(1);
		expect(sim.count('poll')).toBe(0);
		// What the server read: the task text and nothing else (no option was set), with the key.
		const req = sim.requests[0];
		expect(Object.keys(req.fields)).toEqual(['taskText']);
		expect(task.text).toBe('List the top 3 keyboards');
		expect(task.options).toEqual({});
		expect(req.headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
	});

	test('pending, then completed by polling', async () => {
		sim.configure({ inlineWindowMs: 200 });
		sim.script('slow', { durationMs: 1500, message: 'slow done' });
		const r = await runWorkflow({ baseUrl: sim.url, parameters: runTask('a slow task') });
		expect(r.error).toBeUndefined();
		expect(r.completed.map((i) => i.json.message)).toEqual(['slow done']);
		expect(sim.count('poll')).toBeGreaterThanOrEqual(1);
		const polls = sim.requests.filter((q) => q.endpoint === 'poll');
		const task = sim.tasks[0];
		expect(polls[0].path).toBe(`/task/${task.sessionId}/${task.taskId}`);
		expect(polls.every((p) => p.headers.authorization === `Bearer ${TEST_API_KEY}`)).toBe(true);
		// Polls are at least the poll interval apart.
		for (let i = 1; i < polls.length; i++)
			expect(polls[i].time - polls[i - 1].time).toBeGreaterThanOrEqual(950);
	});

	test('guardrail goes out of the Guardrail branch, not Completed', async () => {
		sim.configure({ inlineWindowMs: 300 });
		sim.script('login', {
			durationMs: 2000,
			guardrails: [{ atMs: 100, value: 'I need login credentials to proceed' }],
		});
		const r = await runWorkflow({ baseUrl: sim.url, parameters: runTask('login to the shop') });
		expect(r.error).toBeUndefined();
		expect(r.completed).toHaveLength(0);
		expect(r.guardrail).toHaveLength(1);
		expect(r.downstream.guardrail).toHaveLength(1);
		expect(r.downstream.completed).toHaveLength(0);
		const task = sim.tasks[0];
		expect(r.guardrail[0].json).toEqual({
			status: 'guardrail',
			sessionId: task.sessionId,
			taskId: task.taskId,
			guardrail: { type: 'human_input_needed', value: 'I need login credentials to proceed' },
		});
		expect(r.guardrail[0].pairedItem).toEqual({ item: 0 });
		expect(sim.tasksStarted).toBe(1);
	});

	test('failed task is a node error naming the failure code', async () => {
		sim.script('broken', {
			durationMs: 50,
			outcome: 'fail',
			failCode: 'NAVIGATION_TIMEOUT',
			failError: 'Navigation timeout after 30 seconds',
		});
		const r = await runWorkflow({ baseUrl: sim.url, parameters: runTask('broken site') });
		expect(r.error).toBeDefined();
		expect(r.error?.message).toContain('NAVIGATION_TIMEOUT');
		expect(r.error?.message).toContain('Navigation timeout after 30 seconds');
		expect(r.error?.message).toContain('Run Task');
		expect(r.completed).toHaveLength(0);
		expect(r.downstream.completed).toHaveLength(0);
	});

	test('terminated task is a node error', async () => {
		sim.configure({ inlineWindowMs: 100 });
		sim.script('doomed', { durationMs: 400, outcome: 'terminate' });
		const r = await runWorkflow({ baseUrl: sim.url, parameters: runTask('doomed task') });
		expect(r.error?.message).toMatch(/terminated/i);
		expect(r.error?.message).toContain('TERMINATED');
	});
});

test('timeout: the error says how long it waited and names both ids for Get Task', async () => {
	sim.configure({ inlineWindowMs: 200 });
	sim.script('forever', { durationMs: 60000 });
	const r = await settlesWithin(
		10_000, // the task runs 60 s
		runWorkflow({
			baseUrl: sim.url,
			parameters: runTask('forever task', { timeout: 2 }),
		}),
	);
	const task = sim.tasks[0];
	expect(r.error?.message).toMatch(/still running after 2 s/);
	expect(r.error?.message).toContain(task.sessionId);
	expect(r.error?.message).toContain(task.taskId);
	expect(r.error?.description).toContain('Get Task');
	expect(sim.tasksStarted).toBe(1);
});

test('several input items: one output item each, paired with its input, in input order', async () => {
	sim.script('guard', { durationMs: 300, guardrails: [{ atMs: 50, value: 'need a code' }] });
	sim.configure({ inlineWindowMs: 1000 });
	const items = [
		{ q: 'task one' },
		{ q: 'task guard two' },
		{ q: 'task three' },
		{ q: 'task four' },
	];
	const r = await runWorkflow({
		baseUrl: sim.url,
		items,
		parameters: {
			operation: 'runTask',
			taskDetails: '={{ $json.q }}',
			options: { pollInterval: 1 },
		},
	});
	expect(r.error).toBeUndefined();
	expect(r.completed.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }, { item: 3 }]);
	expect(r.completed.map((i) => i.json.message)).toEqual([
		'Completed: task one',
		'Completed: task three',
		'Completed: task four',
	]);
	expect(r.guardrail.map((i) => i.pairedItem)).toEqual([{ item: 1 }]);
	expect(sim.tasks.map((t) => t.text)).toEqual([
		'task one',
		'task guard two',
		'task three',
		'task four',
	]);
});

describe('Continue On Fail', () => {
	const items = [{ q: 'ok one' }, { q: 'fail two' }, { q: 'ok three' }];
	const parameters = {
		operation: 'runTask',
		taskDetails: '={{ $json.q }}',
		options: { pollInterval: 1 },
	};
	beforeEach(() =>
		sim.script('fail', {
			durationMs: 50,
			outcome: 'fail',
			failCode: 'PAGE_CRASH',
			failError: 'Browser page crashed during execution',
		}),
	);

	test('"Continue" keeps the failed item (with its ids and code) and the other items go on', async () => {
		const r = await runWorkflow({
			baseUrl: sim.url,
			items,
			parameters,
			onError: 'continueRegularOutput',
		});
		expect(r.error).toBeUndefined();
		expect(r.completed).toHaveLength(3);
		expect(r.completed.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const failed = r.completed[1].json;
		expect(String(failed.error)).toContain('PAGE_CRASH');
		expect(failed.code).toBe('PAGE_CRASH');
		expect(failed.taskId).toBe(sim.tasks[1].taskId);
		expect(failed.sessionId).toBe(sim.tasks[1].sessionId);
		expect(r.completed[0].json.status).toBe('completed');
		expect(r.completed[2].json.status).toBe('completed');
	});

	test('"Continue (using error output)" routes the failed item to the error output', async () => {
		const r = await runWorkflow({
			baseUrl: sim.url,
			items,
			parameters,
			onError: 'continueErrorOutput',
		});
		expect(r.error).toBeUndefined();
		expect(r.downstream.completed.map((i) => i.json.message)).toEqual([
			'Completed: ok one',
			'Completed: ok three',
		]);
		expect(r.downstream.error).toHaveLength(1);
		expect(String(r.downstream.error[0].json.error)).toContain('PAGE_CRASH');
	});

	test('without it, the first failure stops the node', async () => {
		const r = await runWorkflow({ baseUrl: sim.url, items, parameters });
		expect(r.error?.message).toContain('PAGE_CRASH');
		expect(r.downstream.completed).toHaveLength(0);
		// Items after the failed one are not started.
		expect(sim.tasks.map((t) => t.text)).toEqual(['ok one', 'fail two']);
	});
});

describe('invalid input fails before any request is sent', () => {
	test.each([
		['empty task', { taskDetails: '   ' }, /Task is empty/],
		['maxDuration above 300000', { options: { maxDuration: 300001 } }, /Max Duration/],
		['maxDuration not a number', { options: { maxDuration: 'soon' } }, /Max Duration/],
		['maxInputTokens above 100000', { options: { maxInputTokens: 100001 } }, /Max Input Tokens/],
		['maxOutputTokens zero', { options: { maxOutputTokens: 0 } }, /Max Output Tokens/],
		['startingUrl malformed', { options: { startingUrl: 'not a url' } }, /Starting URL/],
		['startingUrl not http', { options: { startingUrl: 'ftp://example.com' } }, /Starting URL/],
		[
			'avoidDomains malformed',
			{ options: { avoidDomains: 'facebook.com, bad domain!' } },
			/Avoid Domains/,
		],
		['pollInterval below 1 s', { options: { pollInterval: 0.5 } }, /Poll Interval/],
		['timeout zero', { options: { timeout: 0 } }, /Timeout/],
		['timeout negative', { options: { timeout: -5 } }, /Timeout/],
		['concurrency 11', { options: { concurrency: 11 } }, /Parallel Tasks/],
	])('%s', async (_, patch, message) => {
		const parameters = { operation: 'runTask', taskDetails: 'valid task', ...patch } as IDataObject;
		const r = await runWorkflow({ baseUrl: sim.url, parameters });
		expect(r.error?.message).toMatch(message);
		expect((r.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(0);
		expect(sim.requests).toHaveLength(0);
	});

	test('one bad item among good ones: nothing is sent at all', async () => {
		const r = await runWorkflow({
			baseUrl: sim.url,
			items: [{ q: 'fine' }, { q: '' }],
			parameters: { operation: 'runTask', taskDetails: '={{ $json.q }}' },
		});
		expect(r.error?.message).toMatch(/Task is empty/);
		expect((r.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(1);
		expect(sim.requests).toHaveLength(0);
	});

	test('valid options reach the server with the values given', async () => {
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: runTask('with options', {
				startingUrl: 'https://www.amazon.com',
				maxDuration: 120000,
				maxInputTokens: 50000,
				maxOutputTokens: 2000,
				avoidDomains: 'facebook.com, https://twitter.com/home',
				mode: 'default',
			}),
		});
		expect(r.error).toBeUndefined();
		// Read by the server (this one reads any generation; generations.test.ts has each one).
		expect(sim.tasks[0].text).toBe('with options');
		expect(sim.tasks[0].options).toEqual({
			startingUrl: 'https://www.amazon.com/',
			maxDuration: 120000,
			maxInputTokens: 50000,
			maxOutputTokens: 2000,
			avoidDomains: ['facebook.com', 'twitter.com'],
			mode: 'default',
		});
	});
});

describe('Get Task', () => {
	async function startPendingTask(script = { durationMs: 3500, message: 'picked up' }) {
		sim.configure({ inlineWindowMs: 100 });
		sim.script('background', script);
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: runTask('background job', { timeout: 2 }),
		});
		expect(r.error?.message).toMatch(/still running/);
		return sim.tasks[0];
	}

	test('waits for a task by its ids (e.g. after a Run Task timeout) and completes it', async () => {
		const task = await startPendingTask();
		const r = await runWorkflow({
			baseUrl: sim.url,
			items: [{ sessionId: task.sessionId, taskId: task.taskId }],
			parameters: {
				operation: 'getTask',
				sessionId: '={{ $json.sessionId }}',
				taskId: '={{ $json.taskId }}',
				options: { pollInterval: 1 },
			},
		});
		expect(r.error).toBeUndefined();
		expect(r.completed[0].json).toMatchObject({
			status: 'completed',
			message: 'picked up',
			sessionId: task.sessionId,
			taskId: task.taskId,
		});
		expect(sim.tasksStarted).toBe(1);
	});

	test('Wait for Completion off: one request, a running task comes out of Completed with status "running"', async () => {
		const task = await startPendingTask({ durationMs: 30000, message: 'x' });
		const before = sim.count('poll');
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'getTask',
				sessionId: task.sessionId,
				taskId: task.taskId,
				waitForCompletion: false,
				options: { includeRawResponse: true },
			},
		});
		expect(r.error).toBeUndefined();
		expect(r.completed[0].json).toMatchObject({
			status: 'running',
			sessionId: task.sessionId,
			taskId: task.taskId,
		});
		expect(r.completed[0].json.raw).toMatchObject({ status: 'running' });
		expect(sim.count('poll') - before).toBe(1);
	});

	test('a guardrail found by Get Task goes to the Guardrail branch', async () => {
		const task = await startPendingTask({
			durationMs: 6000,
			guardrails: [{ atMs: 2600, value: 'Which size?' }],
		} as never);
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: { operation: 'getTask', sessionId: task.sessionId, taskId: task.taskId },
		});
		expect(r.guardrail[0].json).toMatchObject({
			status: 'guardrail',
			guardrail: { value: 'Which size?' },
		});
	});

	test('unknown task: a clear 404 error naming the ids, no retries', async () => {
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: { operation: 'getTask', sessionId: 'nosuchsess01', taskId: 'nosuchtask01' },
		});
		expect(r.error?.message).toContain('could not find');
		expect(r.error?.message).toContain('nosuchtask01');
		expect(sim.count('poll')).toBe(1);
	});

	test('ids are validated before sending', async () => {
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: { operation: 'getTask', sessionId: 'abc/../x', taskId: 't1' },
		});
		expect(r.error?.message).toMatch(/Session ID is not a valid/);
		expect(sim.requests).toHaveLength(0);
	});
});

describe('credential', () => {
	test('the credential test calls GET /v1/models with the key (never a billable endpoint)', async () => {
		const { testCredential } = await import('../../helpers/credentialTest');
		const ok = await testCredential({ apiKey: TEST_API_KEY, baseUrl: sim.url });
		expect(ok.status).toBe(200);
		expect(sim.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /v1/models']);
		expect(sim.requests[0].headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
		expect(sim.tasksStarted).toBe(0);
	});

	test('a rejected key fails the credential test', async () => {
		sim.configure({ apiKeys: { wr_the_only_key: {} } });
		const { testCredential } = await import('../../helpers/credentialTest');
		const bad = await testCredential({ apiKey: 'wr_wrong', baseUrl: `${sim.url}/` });
		expect(bad.status).toBe(401);
		sim.configure({ apiKeys: undefined });
	});

	test('a rejected key makes Run Task fail with a message pointing at the credential', async () => {
		sim.configure({ apiKeys: { wr_the_only_key: {} } });
		const r = await runWorkflow({
			baseUrl: sim.url,
			apiKey: 'wr_dummy_revoked_key_1234',
			parameters: runTask('anything'),
		});
		expect(r.error?.message).toContain('rejected the API key');
		expect(r.error?.description).toContain('credential');
		expect(sim.count('run-task')).toBe(1);
		expect(JSON.stringify(r.error)).not.toContain('wr_dummy_revoked_key_1234');
		sim.configure({ apiKeys: undefined });
	});
});
