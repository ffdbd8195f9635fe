/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	@n8n/community-nodes/no-restricted-imports --
	benchmark tooling: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * npm run bench — speed, requests, latency, CPU/memory and load time of the WebRun node, measured in
 * one run against the bundled simulator on 127.0.0.1 (never the real API). Writes bench/results.json
 * and prints a short table. See bench/README-performance.md for what each figure means.
 *
 * Parts:
 *  1. 20 equal pending tasks under the rate limit: the seeds' reference client (sequential, 2 s
 *     polling) vs the node through n8n's engine at Parallel Tasks 1, 5 and 10. The four run at the
 *     same time on one simulator, each with its own API key (= its own rate-limit budget).
 *  2. Poll requests per task; requests sent for invalid items (must be 0).
 *  3. Delay from a task's end on the simulator to its item leaving the node (inline and pending),
 *     on its own simulator, while the two sequential clients of part 1 finish.
 *  4. CPU per item and memory for 1,000 short items (separate process: bench/cpuMem.ts).
 *  5. Package load time and dist/ size.
 *  6. Many executions of one account in one process (separate process: bench/executions.ts):
 *     5 executions × 4 items at once (429s, span / rate-limit bound), memory over 1,000 executions.
 */
import '../test/helpers/env';

import { execFileSync, spawnSync } from 'child_process';
import { readdirSync, statSync, writeFileSync } from 'fs';
import { cpus } from 'os';
import { join } from 'path';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { runWorkflow, webRunNode } from '../test/helpers/engine';
import type { LoggedRequest, SimTask } from '../test/simulator/types';
import { rateLimitBound } from './bound';
import { referenceClient } from './reference';
import { startChildSimulator } from './sim';

const ROOT = join(__dirname, '..');

/**
 * Scaled world of part 1 (real service: 50 s inline window, 10 starts per 60 s, tasks 10–180 s).
 * Every task goes pending (duration > inline window) and ends 100 ms before the first poll that
 * follows the pending answer, for both clients (they both poll 2 s after it): neither gains from
 * where the end falls between polls, so part 1 compares parallelism and start pacing. Part 3
 * measures the poll phase on its own, with spread durations.
 * The window is long enough that the server's whole-second X-RateLimit-Reset (up to 1 s of
 * rounding, which no client can see through) stays inside the 5 % goal.
 */
const P1 = {
	items: 20,
	durationMs: Number(process.env.BENCH_TASK_MS ?? 4900),
	inlineWindowMs: Number(process.env.BENCH_INLINE_MS ?? 3000),
	limit: 10,
	windowMs: Number(process.env.BENCH_WINDOW_MS ?? 24000),
	/** The reference's constant; the node runs with its default Poll Interval, which is the same. */
	pollIntervalMs: 2000,
	concurrencies: [1, 5, 10],
};

/** BENCH_SEQUENTIAL=1 runs the four clients of part 1, then part 3, one after the other (about 5 minutes). */
const SEQUENTIAL = process.env.BENCH_SEQUENTIAL === '1';

/** Part 3: varied durations, so the poll phase is spread over the whole interval. */
const P3 = { inlineWindowMs: 1000, inline: 20, pending: 20, pollIntervalMs: 2000, staggerMs: 250 };

const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

function quantile(values: number[], q: number): number {
	if (!values.length) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	// nearest-rank
	const rank = Math.max(1, Math.ceil(q * sorted.length));
	return sorted[rank - 1];
}

const median = (values: number[]) => quantile(values, 0.5);

const taskText = (label: string, i: number, durationMs: number) =>
	`Bench ${label} item ${i} [sim {"durationMs":${durationMs}}]`;

function pollsByTask(requests: LoggedRequest[]): Map<string, number> {
	const polls = new Map<string, number>();
	for (const r of requests) {
		if (r.endpoint !== 'poll') continue;
		const taskId = decodeURIComponent(r.path.split('/')[3] ?? '');
		polls.set(taskId, (polls.get(taskId) ?? 0) + 1);
	}
	return polls;
}

/* ----------------------------------------------------------------------------------------------- */
/* Part 1 + 2                                                                                       */
/* ----------------------------------------------------------------------------------------------- */

interface ScenarioResult {
	name: string;
	apiKey: string;
	concurrency: number;
	wallMs: number;
	boundMs: number;
	ratioToBound: number;
	completed: number;
	errors: number;
	startRequests: number;
	pollRequests: number;
	pollsPerTask: number;
	http429: number;
	/** Item leaves the client (wall end) minus the last task's end on the simulator. */
	lastEndToWallEndMs: number;
	/** Timeline, ms from the scenario's start: first start's arrival, the (limit+1)th start's arrival, the last task's end. */
	timeline: {
		firstStartMs: number;
		startAfterWindowMs: number | null;
		lastTaskEndMs: number;
		wallMs: number;
	};
	/** The (limit+1)th start's arrival minus the moment the server would first have accepted it (first arrival + window). */
	startAfterWindowLateMs: number | null;
}

async function part1and2<T>(tail: () => Promise<T>) {
	const sim = await startChildSimulator({
		generation: 'enigma',
		inlineWindowMs: P1.inlineWindowMs,
		rateLimit: { limit: P1.limit, windowMs: P1.windowMs },
	});
	try {
		const scenarios: Array<{
			name: string;
			apiKey: string;
			concurrency: number;
			run: () => Promise<{ completed: number; errors: number }>;
		}> = [];

		const ref = referenceClient(sim.url);
		scenarios.push({
			name: 'reference client (seeds)',
			apiKey: 'bench-reference',
			concurrency: 1,
			run: async () => {
				let completed = 0;
				let errors = 0;
				for (let i = 0; i < P1.items; i++) {
					try {
						const result = await ref.runTask(
							taskText('reference', i, P1.durationMs),
							'bench-reference',
						);
						if (result?.type === 'task_completed') completed++;
						else errors++;
					} catch {
						errors++;
					}
				}
				return { completed, errors };
			},
		});
		for (const concurrency of P1.concurrencies) {
			const label = `node-c${concurrency}`;
			scenarios.push({
				name: `node, Parallel Tasks ${concurrency}`,
				apiKey: `bench-${label}`,
				concurrency,
				run: async () => {
					const r = await runWorkflow({
						baseUrl: sim.url,
						apiKey: `bench-${label}`,
						parameters: {
							operation: 'runTask',
							taskDetails: '={{ $json.task }}',
							options: { concurrency },
						},
						items: Array.from({ length: P1.items }, (_, i) => ({
							task: taskText(label, i, P1.durationMs),
						})),
					});
					return {
						completed: r.completed.length,
						errors: r.error ? P1.items - r.completed.length : 0,
					};
				},
			});
		}

		// Part 2 (on the same simulator, its own key): items with an invalid option send nothing.
		const invalidRuns = async () => {
			const allInvalid = await runWorkflow({
				baseUrl: sim.url,
				apiKey: 'bench-invalid',
				parameters: {
					operation: 'runTask',
					taskDetails: '={{ $json.task }}',
					options: { concurrency: 5, maxDuration: 400000 },
				},
				items: Array.from({ length: 10 }, (_, i) => ({
					task: `Invalid item ${i} [sim {"durationMs":100}]`,
				})),
			});
			const mixed = await runWorkflow({
				baseUrl: sim.url,
				apiKey: 'bench-invalid',
				onError: 'continueRegularOutput',
				parameters: {
					operation: 'runTask',
					taskDetails: '={{ $json.task }}',
					options: {
						concurrency: 5,
						maxDuration: '={{ $json.maxDuration }}',
						startingUrl: '={{ $json.url }}',
					},
				},
				items: Array.from({ length: 10 }, (_, i) =>
					i % 2
						? {
								task: `Invalid item ${i} [sim {"durationMs":100}]`,
								maxDuration: i % 4 === 1 ? 400000 : 60000,
								url: i % 4 === 1 ? 'https://ok.example' : 'not a url',
							}
						: {
								task: `Valid item ${i} [sim {"durationMs":100}]`,
								maxDuration: 60000,
								url: 'https://ok.example',
							},
				),
			});
			return { allInvalid, mixed };
		};

		// Warm-up, not measured: the first workflow of a process loads n8n-core's lazy modules
		// (~0.4 s), and Node's fetch loads undici on first use. A running n8n is warm.
		await runWorkflow({
			baseUrl: sim.url,
			apiKey: 'bench-warmup',
			parameters: { operation: 'runTask', taskDetails: '={{ $json.task }}' },
			items: [{ task: 'Warm-up [sim {"durationMs":50}]' }],
		});
		await (
			await fetch(`${sim.url}/v1/models`, { headers: { Authorization: 'Bearer bench-warmup' } })
		).text();

		// Part 2 first (about a second): it would otherwise compete with the start of part 1.
		const invalid = await invalidRuns();

		const t0 = Date.now();
		const runOne = async (s: (typeof scenarios)[number]) => {
			const start = Date.now();
			const outcome = await s.run();
			return { ...s, ...outcome, start, end: Date.now() };
		};
		const timed: Array<Awaited<ReturnType<typeof runOne>>> = [];
		let tailResult!: T;
		if (SEQUENTIAL) {
			for (const s of scenarios) timed.push(await runOne(s));
			tailResult = await tail();
		} else {
			// `tail` (part 3, on its own simulator) runs once Parallel Tasks 5 and 10 are done, while
			// the two sequential clients finish: they send one request every 2 s or so.
			const runs = scenarios.map(runOne);
			const fast = runs.filter((_, i) => scenarios[i].concurrency >= 5);
			const tailDone = Promise.all(fast).then(async () => {
				tailResult = await tail();
			});
			timed.push(...(await Promise.all(runs)));
			await tailDone;
		}
		const totalMs = Date.now() - t0;

		const requests = await sim.requests();
		const tasks = await sim.tasks();
		const taskById = new Map(tasks.map((t) => [t.taskId, t]));
		const polls = pollsByTask(requests);

		const results: ScenarioResult[] = timed.map((s) => {
			const mine = requests.filter((r) => r.apiKey === s.apiKey);
			const starts = mine.filter((r) => r.endpoint === 'run-task');
			const myTasks = starts
				.map((r) => r.taskId && taskById.get(r.taskId))
				.filter(Boolean) as SimTask[];
			const pollCount = mine.filter((r) => r.endpoint === 'poll').length;
			const { boundMs } = rateLimitBound(
				P1.items,
				s.concurrency,
				P1.limit,
				P1.windowMs,
				P1.durationMs,
			);
			const wallMs = s.end - s.start;
			const lastEnd = Math.max(...myTasks.map((t) => t.endedAt ?? 0));
			return {
				name: s.name,
				apiKey: s.apiKey,
				concurrency: s.concurrency,
				wallMs,
				boundMs,
				ratioToBound: round(wallMs / boundMs, 3),
				completed: s.completed,
				errors: s.errors,
				startRequests: starts.length,
				pollRequests: pollCount,
				pollsPerTask: round(pollCount / Math.max(1, myTasks.length), 2),
				http429: mine.filter((r) => r.status === 429).length,
				lastEndToWallEndMs: s.end - lastEnd,
				timeline: {
					firstStartMs: starts[0].time - s.start,
					startAfterWindowMs: starts[P1.limit] ? starts[P1.limit].time - s.start : null,
					lastTaskEndMs: lastEnd - s.start,
					wallMs,
				},
				startAfterWindowLateMs:
					starts[P1.limit] && s.concurrency >= P1.limit
						? starts[P1.limit].time - (starts[0].time + P1.windowMs)
						: null,
			};
		});
		const pollsPerTaskDetail = Object.fromEntries(
			timed.map((s) => {
				const ids = requests
					.filter((r) => r.apiKey === s.apiKey && r.endpoint === 'run-task')
					.map((r) => r.taskId as string);
				return [s.apiKey, ids.map((id) => polls.get(id) ?? 0)];
			}),
		);

		const invalidRequests = requests.filter((r) => r.apiKey === 'bench-invalid');
		const invalidItemRequests = invalidRequests.filter((r) =>
			/Invalid item/.test(JSON.stringify(r.body ?? '')),
		);
		const part2 = {
			allInvalid: {
				items: 10,
				nodeFailed: !!invalid.allInvalid.error,
				error: invalid.allInvalid.error?.message,
			},
			mixed: {
				items: 10,
				invalidItems: 5,
				completed: invalid.mixed.completed.filter((i) => i.json.status === 'completed').length,
				errorItems: invalid.mixed.completed.filter((i) => i.json.error).length,
				requestsForValidItems: invalidRequests.length - invalidItemRequests.length,
			},
			requestsForInvalidItems: invalidItemRequests.length,
		};

		return {
			scaling: { ...P1, generation: 'enigma' },
			ranConcurrently: !SEQUENTIAL,
			tail: tailResult,
			totalMs,
			scenarios: results,
			pollsPerTaskDetail,
			part2,
		};
	} finally {
		await sim.close();
	}
}

/* ----------------------------------------------------------------------------------------------- */
/* Part 3                                                                                           */
/* ----------------------------------------------------------------------------------------------- */

async function part3() {
	const sim = await startChildSimulator({
		generation: 'webrun',
		inlineWindowMs: P3.inlineWindowMs,
		rateLimit: false,
	});
	// Timestamp the moment the node's execute() returns, per (single-item) workflow.
	const returnedAt = new Map<string, number>();
	const original = webRunNode.execute as (
		this: IExecuteFunctions,
	) => Promise<INodeExecutionData[][]>;
	webRunNode.execute = async function (this: IExecuteFunctions) {
		const out = await original.call(this);
		const at = Date.now();
		returnedAt.set(String(this.getInputData()[0]?.json.task), at);
		return out;
	};
	try {
		const specs: Array<{ task: string; durationMs: number; expected: 'inline' | 'pending' }> = [];
		for (let i = 0; i < P3.inline; i++) {
			const d = 100 + Math.round((i * 800) / P3.inline); // 100–860 ms, under the 1 s window
			specs.push({ task: taskText('latency-inline', i, d), durationMs: d, expected: 'inline' });
		}
		for (let i = 0; i < P3.pending; i++) {
			const d = 1200 + Math.round((i * 3800) / P3.pending); // 1.2–4.8 s: the poll phase covers 0–2 s
			specs.push({ task: taskText('latency-pending', i, d), durationMs: d, expected: 'pending' });
		}
		// Launched P3.staggerMs apart (in a shuffled order), so that the workflows overlap without
		// all starting, polling and finishing in the same instant: 40 engines in lockstep on 2 cores
		// measure the machine's queueing, not the node.
		const order = specs
			.map((_, i) => i)
			.sort((a, b) => ((a * 17) % specs.length) - ((b * 17) % specs.length));
		const outcomes = await Promise.all(
			specs.map(async (s, i) => {
				await new Promise((resolve) => setTimeout(resolve, order.indexOf(i) * P3.staggerMs));
				return await runWorkflow({
					baseUrl: sim.url,
					apiKey: 'bench-latency',
					parameters: { operation: 'runTask', taskDetails: '={{ $json.task }}' },
					items: [{ task: s.task }],
				});
			}),
		);
		const requests = await sim.requests();
		const tasks = await sim.tasks();
		const polls = pollsByTask(requests);
		const rows = specs.map((s, i) => {
			const task = tasks.find((t) => t.text === s.task) as SimTask;
			const taskPolls = polls.get(task.taskId) ?? 0;
			const lastAnswer = Math.max(
				...requests
					.filter((r) => r.taskId === task.taskId || r.path.includes(task.taskId))
					.map((r) => r.respondedAt ?? 0),
			);
			const out = returnedAt.get(s.task) as number;
			return {
				durationMs: s.durationMs,
				kind: taskPolls === 0 ? 'inline' : 'pending',
				expected: s.expected,
				ok: outcomes[i].completed.length === 1 && !outcomes[i].error,
				polls: taskPolls,
				delayMs: out - (task.endedAt as number),
				afterLastAnswerMs: out - lastAnswer,
			};
		});
		const summary = (kind: 'inline' | 'pending') => {
			const r = rows.filter((x) => x.kind === kind);
			const delays = r.map((x) => x.delayMs);
			return {
				tasks: r.length,
				pollsPerTask: round(r.reduce((a, x) => a + x.polls, 0) / Math.max(1, r.length), 2),
				delayMedianMs: median(delays),
				delayP95Ms: quantile(delays, 0.95),
				delayMaxMs: Math.max(...delays),
				afterLastAnswerMedianMs: median(r.map((x) => x.afterLastAnswerMs)),
			};
		};
		return {
			scaling: { ...P3, generation: 'webrun', rateLimit: 'off' },
			method:
				"one single-item workflow per task (40 workflows, launched 250 ms apart, overlapping); delay = moment the node's execute() returned (wrapped in the harness) − the task's endedAt on the simulator",
			inline: summary('inline'),
			pending: summary('pending'),
			allCompleted: rows.every((r) => r.ok),
			rows,
		};
	} finally {
		webRunNode.execute = original;
		await sim.close();
	}
}

/* ----------------------------------------------------------------------------------------------- */
/* Part 4                                                                                           */
/* ----------------------------------------------------------------------------------------------- */

/** Runs a bench script in its own process (with --expose-gc) and reads its one JSON line. */
function childJson(script: string) {
	const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [ROOT] });
	// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- measured in own process
	const out = execFileSync(
		process.execPath,
		['--expose-gc', tsNode, '--transpile-only', '--prefer-ts-exts', join(ROOT, script)],
		{
			cwd: ROOT,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'inherit'],
			maxBuffer: 16 * 1024 * 1024,
		},
	);
	const line = out
		.trim()
		.split('\n')
		.filter((l) => l.startsWith('{'))
		.pop() as string;
	return JSON.parse(line);
}

function part4() {
	const r = childJson('bench/cpuMem.ts');
	return {
		...r,
		/** heapUsed (after GC) once 1,000 items were answered / once 100 were, in the same run. */
		heapRatio1000to100: round(r.memory.after1000MB / r.memory.after100MB, 3),
		/** Retained per item while the run lasts (n8n keeps every output item until the node returns). */
		retainedKBPerItem: round(((r.memory.after1000MB - r.memory.after100MB) * 1024) / 900, 2),
		peakHeapRatio1000to100: round(r.r1000.peakHeapUsedMB / r.r100.peakHeapUsedMB, 3),
	};
}

/* ----------------------------------------------------------------------------------------------- */
/* Part 5                                                                                           */
/* ----------------------------------------------------------------------------------------------- */

function part5() {
	const script = `
		const t0 = process.hrtime.bigint();
		require(${JSON.stringify(join(ROOT, 'dist/nodes/WebRun/WebRun.node.js'))});
		require(${JSON.stringify(join(ROOT, 'dist/credentials/WebRunApi.credentials.js'))});
		process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));`;
	// Inside n8n, n8n-workflow is already loaded: time the package alone too.
	const packageOnly = `require('n8n-workflow');${script}`;
	const runs = (code: string) => {
		const times: number[] = [];
		for (let i = 0; i < 5; i++) {
			// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- times a cold load
			const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
			if (r.status !== 0) throw new Error(`load failed: ${r.stderr}`);
			times.push(Number(r.stdout));
		}
		return times;
	};
	const times = runs(script);
	const packageTimes = runs(packageOnly);
	let bytes = 0;
	let files = 0;
	const walk = (dir: string) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const p = join(dir, entry.name);
			if (entry.isDirectory()) walk(p);
			else {
				files++;
				bytes += statSync(p).size;
			}
		}
	};
	walk(join(ROOT, 'dist'));
	return {
		loadMsMedian: round(median(times), 1),
		loadMsRuns: times.map((t) => round(t, 1)),
		packageOnlyLoadMsMedian: round(median(packageTimes), 1),
		packageOnlyLoadMsRuns: packageTimes.map((t) => round(t, 1)),
		distBytes: bytes,
		distFiles: files,
	};
}

/* ----------------------------------------------------------------------------------------------- */

async function main() {
	const started = Date.now();
	const machine = {
		cpus: cpus().length,
		cpuModel: cpus()[0]?.model,
		node: process.version,
		platform: process.platform,
	};
	process.stdout.write(
		`WebRun node benchmark — simulator on 127.0.0.1, ${machine.cpus} CPUs, Node ${machine.node}\n`,
	);
	process.stdout.write(
		`Part 1+2: 20 tasks × ${P1.durationMs} ms, inline window ${P1.inlineWindowMs} ms, ${P1.limit} starts / ${P1.windowMs} ms (4 clients ${SEQUENTIAL ? 'one after the other' : 'at once'})…\n`,
	);
	const p12Full = await part1and2(async () => {
		process.stdout.write(
			`Part 3: latency${SEQUENTIAL ? '' : ' (while the sequential clients of part 1 finish)'}…\n`,
		);
		return await part3();
	});
	const { tail: p3, ...p12 } = p12Full;
	process.stdout.write('Part 4: CPU and memory, 1,000 short items…\n');
	const p4 = part4();
	const p5 = part5();
	process.stdout.write('Part 6: many executions of one account in one process…\n');
	const p6 = childJson('bench/executions.ts');

	const ref = p12.scenarios[0];
	const c10 = p12.scenarios.find(
		(s) => s.concurrency === 10 && s.name.startsWith('node'),
	) as ScenarioResult;
	const nodeScenarios = p12.scenarios.filter((s) => s.name.startsWith('node'));
	const goals = {
		c10WithinBound: {
			target: '≤ 1.05 × bound',
			value: c10.ratioToBound,
			met: c10.ratioToBound <= 1.05,
		},
		c10VsReference: {
			target: '≥ 3× faster than the reference',
			value: round(ref.wallMs / c10.wallMs, 2),
			met: ref.wallMs / c10.wallMs >= 3,
		},
		node429s: {
			target: '0',
			value: nodeScenarios.reduce((a, s) => a + s.http429, 0),
			met: nodeScenarios.every((s) => s.http429 === 0),
		},
		invalidItemRequests: {
			target: '0',
			value: p12.part2.requestsForInvalidItems,
			met: p12.part2.requestsForInvalidItems === 0 && p12.part2.allInvalid.nodeFailed,
		},
		inlineDelay: {
			target: 'a few ms, 0 polls',
			value: p3.inline.delayP95Ms,
			met: p3.inline.pollsPerTask === 0 && p3.inline.delayP95Ms <= 50,
		},
		pendingDelayP95: {
			target: `≤ pollInterval + 50 ms = ${P3.pollIntervalMs + 50} ms`,
			value: p3.pending.delayP95Ms,
			met: p3.pending.delayP95Ms <= P3.pollIntervalMs + 50,
		},
		flatMemory: {
			target: 'heapUsed after 1,000 items ≈ after 100 (≤ 1.10×)',
			value: p4.heapRatio1000to100,
			met: p4.heapRatio1000to100 <= 1.1,
		},
		executions429s: {
			target: '0 (5 executions × 4 items at once, one account)',
			value: p6.simultaneous.http429,
			met: p6.simultaneous.http429 === 0,
		},
		executionsWithinBound: {
			target: '≤ 1.05 × bound',
			value: p6.simultaneous.ratioToBound,
			met: p6.simultaneous.ratioToBound <= 1.05,
		},
		executionsFlatMemory: {
			target: 'heapUsed after 1,000 executions ≈ after 100 (≤ 1.10×)',
			value: p6.many.heapRatio1000to100,
			met: p6.many.heapRatio1000to100 <= 1.1,
		},
	};
	const benchMs = Date.now() - started;
	const results = {
		date: new Date().toISOString(),
		machine,
		benchMs,
		goals,
		part1: p12,
		part3: { ...p3, ranDuringPart1Tail: !SEQUENTIAL },
		part4: p4,
		part5: p5,
		part6: p6,
	};
	writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);

	const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
	const lines: string[] = [];
	lines.push('');
	lines.push(
		`1. 20 tasks of ${P1.durationMs / 1000} s, inline window ${P1.inlineWindowMs / 1000} s, ${P1.limit} starts per ${P1.windowMs / 1000} s (${SEQUENTIAL ? 'run one after the other' : 'run concurrently'}, one key each)`,
	);
	lines.push(
		'   client                     | wall     | bound    | wall/bound | vs reference | polls/task | 429s',
	);
	for (const r of p12.scenarios) {
		lines.push(
			`   ${r.name.padEnd(26)} | ${s(r.wallMs).padStart(8)} | ${s(r.boundMs).padStart(8)} | ${r.ratioToBound.toFixed(3).padStart(10)} | ${`${(ref.wallMs / r.wallMs).toFixed(2)}×`.padStart(12)} | ${r.pollsPerTask.toFixed(2).padStart(10)} | ${String(r.http429).padStart(4)}`,
		);
	}
	lines.push(
		`   Parallel Tasks 10 timeline: 1st start ${s(c10.timeline.firstStartMs)}, 11th start ${c10.timeline.startAfterWindowMs === null ? '-' : s(c10.timeline.startAfterWindowMs)} (${c10.startAfterWindowLateMs} ms after the server could first accept it), last task end ${s(c10.timeline.lastTaskEndMs)}, item out ${s(c10.wallMs)}`,
	);
	lines.push(
		`2. requests sent for invalid items: ${p12.part2.requestsForInvalidItems} (10 invalid items: node failed before any request = ${p12.part2.allInvalid.nodeFailed}; 5 of 10 invalid under Continue: ${p12.part2.mixed.requestsForValidItems} requests, all for the 5 valid items)`,
	);
	lines.push(
		`3. task end → item leaves the node: inline median ${p3.inline.delayMedianMs} ms, p95 ${p3.inline.delayP95Ms} ms (${p3.inline.pollsPerTask} polls/task); pending median ${p3.pending.delayMedianMs} ms, p95 ${p3.pending.delayP95Ms} ms (${p3.pending.pollsPerTask} polls/task, poll interval 2 s)`,
	);
	lines.push(
		`4. 1,000 short items, Parallel Tasks 10: ${p4.r1000.cpuMsPerItem.toFixed(2)} ms CPU/item (simulator excluded: ${p4.r1000.simulatorCpuMsPerItem?.toFixed(2)} ms/item in its own process), ${s(p4.r1000.wallMs)} wall; peak RSS ${p4.r1000.peakRssMB.toFixed(0)} MB, peak heapUsed ${p4.r1000.peakHeapUsedMB.toFixed(1)} MB (100 items: ${p4.r100.peakHeapUsedMB.toFixed(1)} MB, garbage included);`,
	);
	lines.push(
		`   heapUsed after GC in one 1,000-item run: ${p4.memory.after100MB.toFixed(1)} MB after 100 answers, ${p4.memory.after1000MB.toFixed(1)} MB after 1,000 (ratio ${p4.heapRatio1000to100}, ${p4.retainedKBPerItem} KB per item held until the node returns), ${p4.memory.afterRunMB.toFixed(1)} MB after the run (before: ${p4.memory.beforeMB.toFixed(1)} MB)`,
	);
	lines.push(
		`5. load (require node + credential, fresh process, median of 5): ${p5.loadMsMedian} ms cold (n8n-workflow included), ${p5.packageOnlyLoadMsMedian} ms with n8n-workflow already loaded (as inside n8n); dist/: ${p5.distBytes} bytes in ${p5.distFiles} files`,
	);
	const x = p6.simultaneous;
	lines.push(
		`6. ${x.executions} executions × ${x.items} items at once, Parallel Tasks ${x.concurrency}, one account, ${x.limit} starts per ${x.windowMs / 1000} s, tasks ${x.durationMs / 1000} s: ${x.tasksStarted} tasks started (${x.distinctTasks} distinct), ${x.http429} 429s, span ${s(x.spanMs)} vs bound ${s(x.boundMs)} (${x.ratioToBound}×)`,
	);
	lines.push(
		`   ${p6.many.executions} short executions of one account: heapUsed after GC ${p6.many.after100MB.toFixed(1)} MB after 100, ${p6.many.after1000MB.toFixed(1)} MB after 1,000 (ratio ${p6.many.heapRatio1000to100}); accounts remembered: ${p6.many.accountsRemembered}`,
	);
	lines.push('');
	lines.push('Goals:');
	for (const [name, g] of Object.entries(goals))
		lines.push(`   ${g.met ? 'MET    ' : 'NOT MET'} ${name}: ${g.value} (target ${g.target})`);
	lines.push(`\nbench took ${s(benchMs)}; figures in bench/results.json`);
	process.stdout.write(`${lines.join('\n')}\n`);
}

// n8n-core keeps handles open (as in scripts/demo.ts): leave once done.
main().then(
	() => process.exit(0),
	(error) => {
		process.stderr.write(`bench: ${error?.stack ?? error}\n`);
		process.exit(1);
	},
);
