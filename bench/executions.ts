/* eslint-disable @n8n/community-nodes/no-restricted-globals --
	benchmark tooling: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * Part 6, run in its own process (spawned by bench/run.ts with --expose-gc): many executions of
 * the node at once in one n8n process, sharing one account (issue 14).
 *
 * a. 5 executions × 4 items at Parallel Tasks 4, started at the same moment, one API key, the
 *    simulator's rate limit at 10 starts per window: 429s the node provoked (goal 0) and the span
 *    from the first start to the last task end on the simulator's clock / the rate-limit bound
 *    (goal ≤ 1.05; the server rounds X-RateLimit-Reset up to a second, part of the margin).
 * b. 1,000 short executions (10 at a time) of one account: heapUsed after a forced GC after 100
 *    and after 1,000 executions (goal: flat), and the number of accounts the registry keeps.
 *
 * Prints one JSON line on stdout.
 */
import '../test/helpers/env';

import { accountCount } from '../nodes/WebRun/account/registry';
import { runWorkflow } from '../test/helpers/engine';
import { rateLimitBound } from './bound';
import { startChildSimulator } from './sim';

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;
const A = {
	executions: 5,
	items: 4,
	concurrency: 4,
	limit: 10,
	windowMs: 24_000,
	durationMs: 2000,
};

function fullGc() {
	for (let i = 0; i < 3; i++) gc?.();
}

async function simultaneous() {
	const sim = await startChildSimulator({
		generation: 'webrun',
		inlineWindowMs: 1000,
		rateLimit: { limit: A.limit, windowMs: A.windowMs },
		defaultScript: { durationMs: A.durationMs },
	});
	try {
		const results = await Promise.all(
			Array.from(
				{ length: A.executions },
				async (_, e) =>
					await runWorkflow({
						baseUrl: sim.url,
						apiKey: 'bench-executions',
						items: Array.from({ length: A.items }, (_, i) => ({ q: `execution ${e} item ${i}` })),
						parameters: {
							operation: 'runTask',
							taskDetails: '={{ $json.q }}',
							options: { concurrency: A.concurrency, pollInterval: 1 },
						},
					}),
			),
		);
		const requests = await sim.requests();
		const tasks = await sim.tasks();
		const starts = requests.filter((r) => r.endpoint === 'run-task');
		const spanMs =
			Math.max(...tasks.map((t) => t.endedAt ?? Infinity)) - Math.min(...starts.map((r) => r.time));
		const n = A.executions * A.items;
		const { boundMs } = rateLimitBound(n, n, A.limit, A.windowMs, A.durationMs);
		return {
			...A,
			completed: results.reduce(
				(sum, r) => sum + r.completed.filter((i) => i.json.status === 'completed').length,
				0,
			),
			tasksStarted: tasks.length,
			distinctTasks: new Set(tasks.map((t) => t.text)).size,
			http429: starts.filter((r) => r.status === 429).length,
			spanMs,
			boundMs,
			ratioToBound: Math.round((spanMs / boundMs) * 1000) / 1000,
		};
	} finally {
		await sim.close();
	}
}

async function manyExecutions() {
	// A generous rate limit keeps the account's budget (and its registry entry) alive, the worst
	// case for memory: its start history lives for the window, whatever the executions do.
	const sim = await startChildSimulator({
		generation: 'webrun',
		rateLimit: { limit: 100_000, windowMs: 60_000 },
		defaultScript: { durationMs: 5 },
	});
	const snapshots: Record<string, number> = {};
	let done = 0;
	try {
		const batch = async () =>
			await Promise.all(
				Array.from({ length: 10 }, async () => {
					const r = await runWorkflow({
						baseUrl: sim.url,
						apiKey: 'bench-many-executions',
						parameters: { operation: 'runTask', taskDetails: `Short task ${done}` },
					});
					if (r.error) throw r.error;
				}),
			);
		for (let k = 0; k < 3; k++) await batch(); // warm-up (JIT, sockets)
		while (done < 1000) {
			await batch();
			done += 10;
			if (done === 100 || done === 1000) {
				fullGc();
				snapshots[`after${done}MB`] = process.memoryUsage().heapUsed / MB;
			}
		}
		return {
			executions: done,
			...snapshots,
			heapRatio1000to100: Math.round((snapshots.after1000MB / snapshots.after100MB) * 1000) / 1000,
			accountsRemembered: accountCount(),
		};
	} finally {
		await sim.close();
	}
}

async function main() {
	const a = await simultaneous();
	const b = await manyExecutions();
	process.stdout.write(`${JSON.stringify({ gcAvailable: !!gc, simultaneous: a, many: b })}\n`);
}

// n8n-core keeps handles open (as in scripts/demo.ts): leave once done.
main().then(
	() => process.exit(0),
	(error) => {
		process.stderr.write(`executions: ${error?.stack ?? error}\n`);
		process.exit(1);
	},
);
