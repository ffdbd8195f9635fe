/**
 * Max Total Cost (the cost guard across the items of a run) through n8n's real engine against the
 * simulator, whose tasks spend `costPerSecond` of working time: later items are not started once
 * the total is reached, and bad caps fail before any request. Asserted on the simulator's log.
 */
import { runWorkflow } from '../../helpers/engine';
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

describe('Max Total Cost', () => {
	// Tasks of 300 ms answer inline; longer ones are polled after 1 s.
	beforeEach(() => sim.configure({ inlineWindowMs: 1000 }));
	const items = (n: number) => Array.from({ length: n }, (_, i) => ({ n: i }));

	test('Parallel Tasks 1: once the total is reached, later items are not started', async () => {
		// Each task completes inline and costs $0.003; the cap is reached by the second.
		sim.script('inline', { durationMs: 300, costPerSecond: RATE });
		const r = await runWorkflow({
			baseUrl: sim.url,
			items: items(4),
			parameters: {
				operation: 'runTask',
				taskDetails: 'inline task',
				options: { pollInterval: 1, maxTotalCostUsd: 0.005 },
			},
			onError: 'continueRegularOutput',
		});
		expect(sim.tasksStarted).toBe(2);
		expect(sim.count('run-task')).toBe(2);
		const json = r.completed.map((i) => i.json);
		expect(json.map((j) => j.status)).toEqual([
			'completed',
			'completed',
			'notStarted',
			'notStarted',
		]);
		expect(json[2]).toMatchObject({
			code: 'TOTAL_COST_LIMIT_REACHED',
			totalCostUsd: 0.006,
			maxTotalCostUsd: 0.005,
		});
		expect(String(json[2].error)).toMatch(/Max Total Cost reached.*\$0\.006 of the \$0\.005/);
		expect(String(json[3].error)).toContain('was not started');
		expect(r.completed.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
	});

	test('without Continue: the node fails with the total-cost error', async () => {
		sim.script('inline', { durationMs: 300, costPerSecond: RATE });
		const r = await runWorkflow({
			baseUrl: sim.url,
			items: items(3),
			parameters: {
				operation: 'runTask',
				taskDetails: 'inline task',
				options: { maxTotalCostUsd: 0.003 },
			},
		});
		expect(sim.tasksStarted).toBe(1);
		expect(r.error?.message).toContain('TOTAL_COST_LIMIT_REACHED');
	});

	test('Parallel Tasks 2: running items finish, the others are not started', async () => {
		// Two tasks run side by side and together pass the total while running ($0.025 each).
		sim.script('slow', { durationMs: 2500, costPerSecond: RATE });
		const r = await runWorkflow({
			baseUrl: sim.url,
			items: items(5),
			parameters: {
				operation: 'runTask',
				taskDetails: 'slow task',
				options: { pollInterval: 1, concurrency: 2, maxTotalCostUsd: 0.03 },
			},
			onError: 'continueRegularOutput',
		});
		expect(sim.tasksStarted).toBe(2);
		expect(stops()).toHaveLength(0);
		const json = r.completed.map((i) => i.json);
		expect(json.map((j) => j.status)).toEqual([
			'completed',
			'completed',
			'notStarted',
			'notStarted',
			'notStarted',
		]);
		expect(json[0].usage).toMatchObject({ cost: 0.025 });
		expect(json[4]).toMatchObject({ code: 'TOTAL_COST_LIMIT_REACHED', maxTotalCostUsd: 0.03 });
		expect(json[4].totalCostUsd).toBeGreaterThanOrEqual(0.03);
	});

	test('an item waiting for a start slot is not started once the total is reached', async () => {
		// Three items at once, two starts allowed: the third waits (after a 429) for a slot, and
		// by then the first two have passed the total.
		sim.configure({ rateLimit: { limit: 2, windowMs: 2000 } });
		sim.script('inline', { durationMs: 300, costPerSecond: RATE });
		const r = await runWorkflow({
			baseUrl: sim.url,
			items: items(3),
			parameters: {
				operation: 'runTask',
				taskDetails: 'inline task',
				options: { concurrency: 3, maxTotalCostUsd: 0.005 },
			},
			onError: 'continueRegularOutput',
		});
		expect(sim.tasksStarted).toBe(2);
		expect(sim.count429()).toBe(1);
		const statuses = r.completed.map((i) => String(i.json.status)).sort();
		expect(statuses).toEqual(['completed', 'completed', 'notStarted']);
		// It sent nothing after the total was reached (the last start answer).
		const lastStart = Math.max(...sim.tasks.map((t) => t.endedAt as number));
		expect(sim.requests.filter((q) => q.time > lastStart)).toHaveLength(0);
	});

	test('with both caps: a task stopped at its own cap counts with its final cost', async () => {
		sim.script('loop', EXPENSIVE);
		const r = await runWorkflow({
			baseUrl: sim.url,
			items: items(3),
			parameters: {
				operation: 'runTask',
				taskDetails: 'loop',
				options: { pollInterval: 1, maxCostUsd: CAP, maxTotalCostUsd: 0.03 },
			},
			onError: 'continueRegularOutput',
		});
		// Two tasks stopped at about $0.02 each pass the total: the third is not started.
		expect(sim.tasksStarted).toBe(2);
		expect(stops()).toHaveLength(2);
		const json = r.completed.map((i) => i.json);
		expect(json.map((j) => j.code)).toEqual([
			'COST_LIMIT_REACHED',
			'COST_LIMIT_REACHED',
			'TOTAL_COST_LIMIT_REACHED',
		]);
		const total = (sim.tasks[0].costAtEnd as number) + (sim.tasks[1].costAtEnd as number);
		expect(json[2].totalCostUsd).toBeCloseTo(total, 6);
	});
});

describe('caps are checked before any request', () => {
	test.each([
		['Max Cost per Task 0', { maxCostUsd: 0 }, /Max Cost per Task must be a positive number/],
		['Max Cost per Task negative', { maxCostUsd: -1 }, /Max Cost per Task must be a positive/],
		['Max Cost per Task not a number', { maxCostUsd: 'cheap' }, /got "cheap"/],
		['Max Cost per Task empty', { maxCostUsd: '' }, /Max Cost per Task .*got empty/],
		['Max Total Cost 0', { maxTotalCostUsd: 0 }, /Max Total Cost must be a positive number/],
		['Max Total Cost infinite', { maxTotalCostUsd: 'Infinity' }, /Max Total Cost must be/],
	])('%s', async (_name, options, expected) => {
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: { operation: 'runTask', taskDetails: 'anything', options },
		});
		expect(r.error?.message).toMatch(expected);
		expect(sim.requests).toHaveLength(0);
	});

	test('Get Task with a bad cap sends nothing', async () => {
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'getTask',
				sessionId: 'abc123',
				taskId: 'def456',
				options: { maxTotalCostUsd: -5 },
			},
		});
		expect(r.error?.message).toMatch(/Max Total Cost must be a positive number/);
		expect(sim.requests).toHaveLength(0);
	});
});
