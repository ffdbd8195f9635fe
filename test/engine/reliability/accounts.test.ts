/**
 * One account, many executions (issue 14): every execution of the node in this process that uses
 * the same account shares one start budget and one view of the account's sessions. Timing is read
 * from the simulator's own request log and task records, never from wall-clock windows.
 */
import { accountCount } from '../../../nodes/WebRun/account/registry';
import { rateLimitBound } from '../../../bench/bound';
import { runWorkflow } from '../../helpers/engine';
import { runTaskParams, useSimulator } from '../../helpers/simulator';

// A scaled window (WebRun's is 60 s): the node learns it from X-RateLimit-Reset, which the server
// rounds up to whole seconds, so the window is long enough for that second not to dominate.
const WINDOW_MS = 12_000;
const LIMIT = 10;
const TASK_MS = 1000;
const getSim = useSimulator({
	inlineWindowMs: 500,
	rateLimit: { limit: LIMIT, windowMs: WINDOW_MS },
});

function items(execution: number, count: number) {
	return Array.from({ length: count }, (_, i) => ({ q: `execution ${execution} item ${i}` }));
}

async function runExecutions(executions: number, perExecution: number, concurrency: number) {
	const sim = getSim();
	sim.script(/^execution /, { durationMs: TASK_MS });
	return await Promise.all(
		Array.from({ length: executions }, (_, e) =>
			runWorkflow({
				baseUrl: sim.url,
				items: items(e, perExecution),
				parameters: runTaskParams('={{ $json.q }}', { concurrency }),
			}),
		),
	);
}

test('5 executions × 4 items at Parallel Tasks 4 at once: no 429, each item once, near the rate-limit bound', async () => {
	const sim = getSim();
	const results = await runExecutions(5, 4, 4);

	for (const [e, r] of results.entries()) {
		expect(r.error).toBeUndefined();
		expect(r.completed.map((item) => item.json.status)).toEqual([
			'completed',
			'completed',
			'completed',
			'completed',
		]);
		expect(r.completed.map((item) => item.pairedItem)).toEqual(
			[0, 1, 2, 3].map((item) => ({ item })),
		);
		expect(r.completed.map((item) => String(item.json.message))).toEqual(
			items(e, 4).map(({ q }) => `Completed: ${q}`),
		);
	}
	// Each task started exactly once, and the server never had to refuse one.
	expect(sim.tasksStarted).toBe(20);
	expect(new Set(sim.tasks.map((t) => t.text)).size).toBe(20);
	expect(sim.count429()).toBe(0);

	// From the simulator's clock: first start to last task end, against the best possible schedule
	// (20 starts, 10 per window, up to 20 at once across the executions).
	const starts = sim.requests.filter((r) => r.endpoint === 'run-task').map((r) => r.time);
	const ends = sim.tasks.map((t) => t.endedAt ?? Infinity);
	const span = Math.max(...ends) - Math.min(...starts);
	const { boundMs } = rateLimitBound(20, 20, LIMIT, WINDOW_MS, TASK_MS);
	expect(span / boundMs).toBeLessThan(1.1);
});

test('the account is shared only while it matters: released and forgotten after its window', async () => {
	const sim = getSim();
	sim.configure({ rateLimit: false });
	await runExecutions(3, 2, 2);
	// No rate-limit headers: nothing to remember once the runs are done.
	expect(accountCount()).toBe(0);
});
