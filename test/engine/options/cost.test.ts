/**
 * Max Cost per Task (the cost guard) through n8n's real engine against the simulator, whose tasks
 * spend `costPerSecond` of working time: a task over its cap is stopped once and polled once more
 * for its final cost, in both response generations, and only a session the node created is
 * terminated. Everything is asserted on the simulator's request log, its tasks and its counts.
 */
import type { IDataObject } from 'n8n-workflow';

import { formatUsd } from '../../../nodes/WebRun/task/cost';
import { runWorkflow, TEST_API_KEY } from '../../helpers/engine';
import { useSimulator } from '../../helpers/simulator';
import type { LoggedRequest, Simulator } from '../../simulator';

const simulator = useSimulator();
let sim: Simulator;
beforeEach(() => (sim = simulator()));

/** $0.01 per second of work: a poll every second sees about one more cent. */
const RATE = 0.01;
const CAP = 0.015;
/** Runs far longer than any test: only the cost guard ends it. */
const EXPENSIVE = { durationMs: 60_000, costPerSecond: RATE };

const stops = (): LoggedRequest[] =>
	sim.requests.filter((q) => q.endpoint === 'send-message' && q.action === 'state');

/** A direct API call, for tasks and sessions the node did not start. */
async function api(path: string, body: IDataObject = {}): Promise<IDataObject> {
	const res = await fetch(`${sim.url}${path}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	return (await res.json()) as IDataObject;
}

/** After the stop: exactly one poll of the task (the final cost), and nothing else. */
function expectOneFinalPoll(stop: LoggedRequest, taskId: string) {
	const after = sim.requests.filter((q) => q.seq > stop.seq);
	expect(after.map((q) => q.endpoint)).toEqual(['poll']);
	expect(after[0].taskId).toBe(taskId);
}

describe.each(['webrun', 'enigma'] as const)('%s response generation', (generation) => {
	beforeEach(() => sim.configure({ generation, inlineWindowMs: 200 }));

	test('Run Task over its cap: terminated once, polled once more, final cost', async () => {
		sim.script('loop', EXPENSIVE);
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'runTask',
				taskDetails: 'loop over a cookie wall',
				options: { pollInterval: 1, maxCostUsd: CAP },
			},
		});
		const task = sim.tasks[0];
		expect(sim.tasksStarted).toBe(1);
		expect(stops()).toHaveLength(1);
		const stop = stops()[0];
		expect(stop.body).toEqual({
			sessionId: task.sessionId,
			message: { actionType: 'state', newState: 'terminate' },
		});
		expect(stop.status).toBe(200);
		expectOneFinalPoll(stop, task.taskId);
		expect(task.state).toBe('terminated');
		expect(task.endReason).toBe('terminate');
		// Stopped right after the first poll above the cap: the poll before it still saw the task
		// under the cap (its cost on the simulator's clock, from the poll's arrival).
		const final = task.costAtEnd as number;
		expect(final).toBeGreaterThan(CAP);
		const polls = sim.requests.filter((q) => q.endpoint === 'poll' && q.seq < stop.seq);
		expect(sim.requests[sim.requests.indexOf(stop) - 1]).toBe(polls[polls.length - 1]);
		const costAt = (q: LoggedRequest) => ((q.time - (task.startedAt as number)) / 1000) * RATE;
		expect(costAt(polls[polls.length - 1])).toBeGreaterThan(CAP);
		if (polls.length > 1) expect(costAt(polls[polls.length - 2])).toBeLessThanOrEqual(CAP + 0.0005);

		expect(r.completed).toHaveLength(0);
		const message = r.error?.message ?? '';
		expect(message).toContain('COST_LIMIT_REACHED');
		expect(message).toContain(task.sessionId);
		expect(message).toContain(task.taskId);
		expect(message).toContain(formatUsd(CAP));
		expect(message).toContain(formatUsd(final));
		expect(r.error?.description).toContain(`final cost of ${formatUsd(final)}`);
		expect(r.error?.description).toContain('Poll Interval');
	});

	test('under Continue the item keeps the ids, the cap and the final usage', async () => {
		sim.script('loop', EXPENSIVE);
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'runTask',
				taskDetails: 'loop forever',
				options: { pollInterval: 1, maxCostUsd: CAP },
			},
			onError: 'continueRegularOutput',
		});
		const task = sim.tasks[0];
		expect(r.error).toBeUndefined();
		expect(r.completed).toHaveLength(1);
		const json = r.completed[0].json;
		expect(json).toMatchObject({
			code: 'COST_LIMIT_REACHED',
			status: 'terminated',
			sessionId: task.sessionId,
			taskId: task.taskId,
			maxCostUsd: CAP,
		});
		expect((json.usage as IDataObject).cost).toBe(task.costAtEnd);
		expect(String(json.error)).toContain(formatUsd(task.costAtEnd as number));
		expect(r.completed[0].pairedItem).toEqual({ item: 0 });
		expect(stops()).toHaveLength(1);
	});

	test('a cheap task is untouched', async () => {
		sim.script('cheap', { durationMs: 1500, costPerSecond: RATE });
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'runTask',
				taskDetails: 'a cheap task',
				options: { pollInterval: 1, maxCostUsd: 1, maxTotalCostUsd: 1 },
			},
		});
		expect(r.error).toBeUndefined();
		expect(r.completed[0].json).toMatchObject({ status: 'completed', usage: { cost: 0.015 } });
		expect(stops()).toHaveLength(0);
		expect(sim.tasks[0].endReason).toBeUndefined();
	});

	test('completed inline above its cap: fails without a stop, its answer kept', async () => {
		sim.configure({ inlineWindowMs: 50_000 });
		sim.script('quick', { durationMs: 300, costPerSecond: 0.1, message: 'the answer' });
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'runTask',
				taskDetails: 'quick but dear',
				options: { pollInterval: 1, maxCostUsd: 0.02 },
			},
			onError: 'continueRegularOutput',
		});
		expect(sim.requests.map((q) => q.endpoint)).toEqual(['run-task']);
		expect(r.completed[0].json).toMatchObject({
			code: 'COST_LIMIT_REACHED',
			status: 'completed',
			message: 'the answer',
			usage: { cost: 0.03 },
			maxCostUsd: 0.02,
		});
		expect(String(r.completed[0].json.error)).toMatch(/completed but cost \$0\.03/);
	});

	test('a failed stop is reported as an error of its own, after three tries', async () => {
		sim.script('loop', EXPENSIVE);
		sim.fault({ endpoint: 'send-message', actionType: 'state', status: 500, times: 3 });
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'runTask',
				taskDetails: 'loop and refuse to stop',
				options: { pollInterval: 1, maxCostUsd: CAP },
			},
		});
		const task = sim.tasks[0];
		expect(stops().map((q) => q.status)).toEqual([500, 500, 500]);
		expect(task.state).toBe('running');
		const message = r.error?.message ?? '';
		expect(message).toContain('COST_STOP_FAILED');
		expect(message).toContain('terminating its session failed');
		expect(message).toContain('HTTP 500');
		expect(message).toContain(task.sessionId);
		expect(message).toContain(task.taskId);
		expect(r.error?.description).toMatch(/still reports it as running/);
		expect(r.error?.description).toContain('Control Session');
		// The one poll after the attempts, then nothing.
		expectOneFinalPoll(stops()[2], task.taskId);
	});
});

describe('stop or terminate: terminate only a session the node created', () => {
	beforeEach(() => sim.configure({ inlineWindowMs: 200 }));

	test('Start Session with a first task: the session is terminated', async () => {
		sim.script('loop', EXPENSIVE);
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'startSession',
				taskDetails: 'loop in a new session',
				options: { pollInterval: 1, maxCostUsd: CAP },
			},
		});
		const task = sim.tasks[0];
		expect(stops().map((q) => q.body.message.newState)).toEqual(['terminate']);
		expectOneFinalPoll(stops()[0], task.taskId);
		expect(sim.sessions.get(task.sessionId)?.state).toBe('terminated');
		expect(r.error?.message).toContain('COST_LIMIT_REACHED');
	});

	test('Send Message → New Task: only the task is stopped, the session stays', async () => {
		const { sessionId } = (await api('/start/start-session')) as { sessionId: string };
		sim.script('loop', EXPENSIVE);
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'sendMessage',
				messageType: 'newTask',
				sessionId,
				taskDetails: 'loop in my session',
				options: { pollInterval: 1, maxCostUsd: CAP },
			},
		});
		const task = sim.tasks[0];
		expect(stops()).toHaveLength(1);
		expect(stops()[0].body).toEqual({
			sessionId,
			message: { actionType: 'state', newState: 'stop' },
		});
		expectOneFinalPoll(stops()[0], task.taskId);
		expect(task.state).toBe('terminated');
		expect(task.endReason).toBe('stop');
		expect(sim.sessions.get(sessionId)?.state).toBe('active');
		expect(r.error?.message).toContain('was stopped at its cost cap');
		expect(r.error?.description).toContain('the session stays open');
	});

	test('Send Message → Guardrail Response: the resumed task is stopped', async () => {
		sim.script('login', { ...EXPENSIVE, guardrails: [{ atMs: 100, value: 'I need a code' }] });
		const { sessionId, taskId } = (await api('/start/run-task', { taskDetails: 'login' })) as {
			sessionId: string;
			taskId: string;
		};
		expect(sim.task(taskId)?.state).toBe('guardrail');
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'sendMessage',
				messageType: 'guardrailResponse',
				sessionId,
				taskId,
				guardrailResponse: 'the code is 1234',
				options: { pollInterval: 1, maxCostUsd: CAP },
			},
		});
		expect(stops().map((q) => q.body.message.newState)).toEqual(['stop']);
		expectOneFinalPoll(stops()[0], taskId);
		expect(sim.task(taskId)?.endReason).toBe('stop');
		expect(r.error?.message).toContain('COST_LIMIT_REACHED');
	});

	test('Get Task: a task started elsewhere is stopped, not its session terminated', async () => {
		sim.script('loop', EXPENSIVE);
		const { sessionId, taskId } = (await api('/start/run-task', { taskDetails: 'loop' })) as {
			sessionId: string;
			taskId: string;
		};
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'getTask',
				sessionId,
				taskId,
				options: { pollInterval: 1, maxCostUsd: CAP },
			},
			onError: 'continueRegularOutput',
		});
		expect(stops().map((q) => q.body.message.newState)).toEqual(['stop']);
		expectOneFinalPoll(stops()[0], taskId);
		expect(r.completed[0].json).toMatchObject({
			code: 'COST_LIMIT_REACHED',
			sessionId,
			taskId,
			usage: { cost: sim.task(taskId)?.costAtEnd },
		});
	});
});
