/* eslint-disable @n8n/community-nodes/no-restricted-imports --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * Reliability and cost safety, waiting: transient poll faults, 404 on poll, timeouts under
 * Continue On Fail, cancellation (and the cleanup of sessions the node created), foreign pollUrls,
 * URL-encoded ids, and 100 mixed items that each come out exactly once.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { TaskScript } from '../../simulator/types';

import { useSimulator } from '../../helpers/simulator';
import type { Simulator } from '../../simulator';
import { deadline, eventually, settlesWithin } from '../../helpers/timing';
import {
	pause,
	pendingStartWithPollUrl,
	runTaskRaw,
	startSessionDirect,
	visibleRecorder,
	waitFor,
} from './shared';

const simulator = useSimulator({ inlineWindowMs: 300 });
let sim: Simulator;
beforeEach(() => (sim = simulator()));
const rec = visibleRecorder();
const run = rec.run;

const polls = () => sim.requests.filter((q) => q.endpoint === 'poll');
const terminates = () =>
	sim.requests.filter(
		(q) => q.endpoint === 'send-message' && q.body?.message?.newState === 'terminate',
	);

test('poll faults (500, HTML, truncated JSON, a slow answer) are ridden out: the item completes, one task', async () => {
	sim.script('bumpy', { durationMs: 3000, message: 'made it' });
	sim.fault({ endpoint: 'poll', status: 500 });
	sim.fault({ endpoint: 'poll', kind: 'garbage' });
	sim.fault({ endpoint: 'poll', kind: 'truncated' });
	sim.fault({ endpoint: 'poll', kind: 'delay', delayMs: 800 });
	const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('a bumpy ride') });
	expect(r.error).toBeUndefined();
	expect(r.completed.map((i) => i.json.message)).toEqual(['made it']);
	expect(r.completed[0].json.raw).toMatchObject({ type: 'task_completed' });
	const p = polls();
	expect(p.map((q) => q.fault)).toEqual(['status', 'garbage', 'truncated', 'delay']);
	expect(p.map((q) => q.status)).toEqual([500, 200, 200, 200]);
	// Backoff after consecutive failures: 1 s, 2 s, 4 s (Poll Interval 1 s). Gaps are measured at
	// the simulator, so they get some slack for a loaded machine.
	expect(p[1].time - p[0].time).toBeGreaterThanOrEqual(800);
	expect(p[2].time - p[1].time).toBeGreaterThanOrEqual(1700);
	expect(p[3].time - p[2].time).toBeGreaterThanOrEqual(3500);
	expect(sim.count('run-task')).toBe(1);
	expect(sim.tasksStarted).toBe(1);
});

test('poll 404: a clear error naming both ids, and no further polls', async () => {
	sim.script('vanishing', { durationMs: 10000 });
	sim.fault({
		endpoint: 'poll',
		status: 404,
		body: { success: false, message: 'Task not found', code: 'TASK_NOT_FOUND' },
	});
	const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('a vanishing task') });
	const task = sim.tasks[0];
	expect(r.error?.message).toContain('Run Task');
	expect(r.error?.message).toMatch(/could not find the task/);
	expect(r.error?.message).toContain(task.sessionId);
	expect(r.error?.message).toContain(task.taskId);
	expect(r.error?.message).toContain('Task not found');
	await pause(1200);
	expect(sim.count('poll')).toBe(1);
	expect(sim.tasksStarted).toBe(1);
});

test('timeout under Continue On Fail: the item carries the ids, the wait, and the task is left running', async () => {
	sim.script('endless', { durationMs: 60000 });
	const r = await settlesWithin(
		10_000, // the task runs 60 s
		run({
			baseUrl: sim.url,
			items: [{ q: 'endless one' }],
			parameters: runTaskRaw('={{ $json.q }}', { timeout: 2 }),
			onError: 'continueRegularOutput',
		}),
	);
	expect(r.error).toBeUndefined();
	const task = sim.tasks[0];
	const json = r.completed[0].json;
	expect(r.completed[0].pairedItem).toEqual({ item: 0 });
	expect(json).toMatchObject({ sessionId: task.sessionId, taskId: task.taskId, status: 'timeout' });
	expect(String(json.error)).toMatch(/still running after 2 s/);
	expect(String(json.error)).toContain(task.taskId);
	expect(String(json.description)).toContain('Get Task');
	// A timeout is not a cancellation: the task keeps running for Get Task to pick up.
	expect(terminates()).toHaveLength(0);
	expect(sim.task(task.taskId)?.state).toBe('running');
});

describe('cancellation', () => {
	/**
	 * Runs, and cancels the execution as soon as `when` holds (by default: the first poll was
	 * answered, so the node is in its poll-interval wait). `endedAtOnce`: the run settled before a
	 * 2 s timer started at the cancel fired (the task runs 60 s). `sinceCancel`: the requests the
	 * simulator logged after the cancel.
	 */
	async function runAndCancel(
		parameters: IDataObject,
		when: () => boolean = () => polls().some((q) => q.respondedAt !== undefined),
	) {
		let seenAtCancel = -1;
		let late: ReturnType<typeof deadline> | undefined;
		const r = await run({
			baseUrl: sim.url,
			parameters,
			onStart: (e) =>
				void eventually(when, 400).then(() => {
					seenAtCancel = sim.requests.length;
					late = deadline(2000);
					e.cancel();
				}),
		});
		late?.stop();
		return {
			r,
			cancelled: seenAtCancel >= 0,
			endedAtOnce: late !== undefined && !late.missed,
			sinceCancel: () => sim.requests.slice(seenAtCancel),
		};
	}

	test('Run Task: the wait ends at once on a stop, and the session the node created is terminated', async () => {
		sim.script('long', { durationMs: 60000 });
		const { r, cancelled, endedAtOnce, sinceCancel } = await runAndCancel(
			runTaskRaw('a long task'),
		);
		expect(cancelled).toBe(true);
		expect(endedAtOnce).toBe(true);
		expect(r.completed).toHaveLength(0);
		const task = sim.tasks[0];
		expect(await waitFor(() => terminates().length > 0, 3000)).toBe(true);
		expect(terminates().map((q) => q.body)).toEqual([
			{ sessionId: task.sessionId, message: { actionType: 'state', newState: 'terminate' } },
		]);
		expect(terminates()[0].status).toBe(200);
		expect(sim.task(task.taskId)?.state).toBe('terminated');
		// No polls after the stop.
		expect(sinceCancel().filter((q) => q.endpoint === 'poll')).toHaveLength(0);
		expect(sim.tasksStarted).toBe(1);
	});

	test('Run Task stopped while its start request is still held (inline window): the run ends at once, and the session is terminated as soon as its id is known', async () => {
		sim.configure({ inlineWindowMs: 3000 });
		sim.script('held', { durationMs: 60000 });
		// Cancelled while the start request is held (the simulator has it, it has not answered).
		const { r, endedAtOnce } = await runAndCancel(
			runTaskRaw('held at the start'),
			() => sim.count('run-task') > 0,
		);
		expect(endedAtOnce).toBe(true);
		expect(r.completed).toHaveLength(0);
		const task = sim.tasks[0];
		// The start answer (pending, after the 3 s window) names the session: the node terminates it.
		expect(await waitFor(() => terminates().length > 0, 5000)).toBe(true);
		expect(terminates().map((q) => q.body.sessionId)).toEqual([task.sessionId]);
		expect(sim.task(task.taskId)?.state).toBe('terminated');
		expect(sim.count('run-task')).toBe(1);
		expect(sim.count('poll')).toBe(0);
	});

	test('Start Session with a first task: the session the node created is terminated too', async () => {
		sim.script('first', { durationMs: 60000 });
		const { endedAtOnce } = await runAndCancel({
			operation: 'startSession',
			taskDetails: 'first long task',
			options: { pollInterval: 1 },
		});
		expect(endedAtOnce).toBe(true);
		const task = sim.tasks[0];
		expect(await waitFor(() => terminates().length > 0, 3000)).toBe(true);
		expect(terminates().map((q) => q.body.sessionId)).toEqual([task.sessionId]);
	});

	test("Get Task on the user's session: stops waiting, sends no terminate", async () => {
		sim.script('user task', { durationMs: 60000 });
		const { sessionId, taskId } = await startSessionDirect(sim, 'user task');
		const { endedAtOnce } = await runAndCancel({
			operation: 'getTask',
			sessionId,
			taskId,
			options: { pollInterval: 1 },
		});
		expect(endedAtOnce).toBe(true);
		await pause(600);
		expect(sim.count('send-message')).toBe(0);
		expect(sim.task(String(taskId))?.state).toBe('running');
	});

	test("Send Message (guardrail reply) on the user's session: stops waiting, sends no terminate", async () => {
		sim.script('needs a human', {
			durationMs: 60000,
			guardrails: [{ atMs: 20, value: 'Which account?' }],
		});
		const { sessionId, taskId } = await startSessionDirect(sim, 'needs a human');
		expect(await waitFor(() => sim.task(String(taskId))?.state === 'guardrail', 2000)).toBe(true);
		const { endedAtOnce } = await runAndCancel({
			operation: 'sendMessage',
			sessionId,
			taskId,
			messageType: 'guardrailResponse',
			guardrailResponse: 'the work account',
			options: { pollInterval: 1 },
		});
		expect(endedAtOnce).toBe(true);
		await pause(600);
		expect(sim.requests.filter((q) => q.endpoint === 'send-message').map((q) => q.action)).toEqual([
			'guardrail',
		]);
		expect(sim.task(String(taskId))?.state).toBe('running');
	});

	test("Send Message (new task) on the user's session: stops waiting, sends no terminate", async () => {
		const { sessionId } = await startSessionDirect(sim);
		sim.script('another long one', { durationMs: 60000 });
		const { endedAtOnce } = await runAndCancel({
			operation: 'sendMessage',
			sessionId,
			messageType: 'newTask',
			taskDetails: 'another long one',
			options: { pollInterval: 1 },
		});
		expect(endedAtOnce).toBe(true);
		await pause(600);
		expect(sim.requests.filter((q) => q.endpoint === 'send-message').map((q) => q.action)).toEqual([
			'newTask',
		]);
		expect(sim.sessions.get(sessionId)?.state).toBe('active');
	});
});

/** Another host on loopback that answers every request as a finished task, and records it. */
async function withForeignHost(use: (port: number, hits: string[]) => Promise<void>) {
	const hits: string[] = [];
	const foreign = http.createServer((req, res) => {
		hits.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(
			JSON.stringify({ success: true, status: 'completed', message: 'from the foreign host' }),
		);
	});
	await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
	try {
		await use((foreign.address() as AddressInfo).port, hits);
	} finally {
		await new Promise((resolve) => foreign.close(resolve));
	}
}

test('a pollUrl on another origin is never used: polls go to the base URL, the other host gets nothing', async () => {
	await withForeignHost(async (port, hits) => {
		sim.script('background', { durationMs: 1500, message: 'from the simulator' });
		const { sessionId, taskId } = await pendingStartWithPollUrl(
			sim,
			'background',
			(s, t) => `http://127.0.0.1:${port}/task/${s}/${t}`,
		);
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('follow me elsewhere') });
		expect(r.error).toBeUndefined();
		expect(r.completed[0].json).toMatchObject({ message: 'from the simulator', sessionId, taskId });
		expect(hits).toEqual([]);
		expect(polls().length).toBeGreaterThanOrEqual(1);
		expect(polls().every((q) => q.path === `/task/${sessionId}/${taskId}`)).toBe(true);
	});
});

test('a redirect to another host is not followed: the key never reaches it, the item fails clearly', async () => {
	await withForeignHost(async (port, hits) => {
		sim.configure({ inlineWindowMs: 200 });
		sim.script('redirected', { durationMs: 1500 });
		sim.fault({
			endpoint: 'poll',
			status: 302,
			headers: { Location: `http://127.0.0.1:${port}/elsewhere` },
		});
		const r = await run({ baseUrl: sim.url, parameters: runTaskRaw('redirected') });
		expect(hits).toEqual([]);
		// A 302 is not a WebRun answer: the node reports it rather than following it with the key.
		expect(r.error?.message).toMatch(/HTTP 302/);
		expect(polls().map((q) => q.status)).toEqual([302]);
	});
});

test('ids are URL-encoded into the poll path', async () => {
	const r = await run({
		baseUrl: sim.url,
		parameters: {
			operation: 'getTask',
			sessionId: 'sess:1.a',
			taskId: 'task:2.b_c-d',
			waitForCompletion: false,
		},
	});
	expect(r.error?.message).toMatch(/could not find/);
	expect(r.error?.message).toContain('task:2.b_c-d');
	expect(sim.requests.map((q) => q.path)).toEqual(['/task/sess%3A1.a/task%3A2.b_c-d']);
});

test('100 items, mixed outcomes, Continue On Fail, Parallel Tasks 10: each item comes out exactly once, paired with its input', async () => {
	// A server that allows many starts says so in X-RateLimit-Limit, and the node follows it (the
	// budget reads the limit from the headers of the first answers).
	sim.configure({ rateLimit: { limit: 1000, windowMs: 60000 }, inlineWindowMs: 300 });
	const kinds = ['inline', 'pending', 'guardrail', 'fail'] as const;
	const scripts: Record<(typeof kinds)[number], TaskScript> = {
		inline: { durationMs: 50 },
		pending: { durationMs: 1100 },
		guardrail: { durationMs: 5000, guardrails: [{ atMs: 50, value: 'Which one?' }] },
		fail: {
			durationMs: 50,
			outcome: 'fail',
			failCode: 'PAGE_CRASH',
			failError: 'Browser page crashed',
		},
	};
	const kindOf = (i: number) => kinds[i % 4];
	for (const kind of kinds) sim.script(new RegExp(` ${kind}$`), scripts[kind]);
	const items = Array.from({ length: 100 }, (_, i) => ({ q: `item ${i} ${kindOf(i)}` }));
	const r = await run({
		baseUrl: sim.url,
		items,
		parameters: runTaskRaw('={{ $json.q }}', { concurrency: 10, includeRawResponse: false }),
		onError: 'continueRegularOutput',
	});
	expect(r.error).toBeUndefined();
	const all: INodeExecutionData[] = [...r.completed, ...r.guardrail];
	expect(all).toHaveLength(100);
	const seen = all.map((i) => (i.pairedItem as { item: number }).item).sort((a, b) => a - b);
	expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));

	const taskOf = (i: number) => sim.tasks.filter((t) => t.text === `item ${i} ${kindOf(i)}`);
	for (const out of all) {
		const i = (out.pairedItem as { item: number }).item;
		const tasks = taskOf(i);
		expect(tasks).toHaveLength(1);
		const json = out.json;
		expect(json.taskId).toBe(tasks[0].taskId);
		expect(json.sessionId).toBe(tasks[0].sessionId);
		switch (kindOf(i)) {
			case 'inline':
			case 'pending':
				expect(r.completed).toContain(out);
				expect(json.status).toBe('completed');
				expect(json.message).toBe(`Completed: item ${i} ${kindOf(i)}`);
				break;
			case 'guardrail':
				expect(r.guardrail).toContain(out);
				expect(json).toMatchObject({ status: 'guardrail', guardrail: { value: 'Which one?' } });
				break;
			case 'fail':
				expect(r.completed).toContain(out);
				expect(json.code).toBe('PAGE_CRASH');
				expect(String(json.error)).toContain('PAGE_CRASH');
				break;
		}
	}
	expect(r.completed).toHaveLength(75);
	expect(r.guardrail).toHaveLength(25);
	// Output order follows input order within each branch.
	const order = (list: INodeExecutionData[]) =>
		list.map((i) => (i.pairedItem as { item: number }).item);
	expect(order(r.completed)).toEqual([...order(r.completed)].sort((a, b) => a - b));
	expect(sim.tasksStarted).toBe(100);
	expect(sim.count('run-task')).toBe(100);
	expect(sim.requests.filter((q) => q.status === 429)).toHaveLength(0);
});

test('no run in this file made the key visible', () => {
	rec.expectNoKey();
});
