/* eslint-disable @n8n/community-nodes/no-restricted-globals --
	benchmark tooling: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * Part 4, run in its own process (spawned by bench/run.ts with --expose-gc): CPU time per item and
 * memory of the n8n engine + WebRun node for many short items at Parallel Tasks 10.
 *
 * The simulator runs in another child process, so the CPU measured here (process.cpuUsage deltas
 * around each engine run) is only n8n's engine, its HTTP client and the node. Memory is sampled
 * every 10 ms (rss, heapUsed) during the CPU runs. A separate run of 1,000 items (not used for CPU)
 * reads heapUsed after a forced GC when the 100th and the 1,000th answers have arrived (what is
 * really retained, not garbage waiting for the collector), and once more after the run.
 *
 * Prints one JSON line on stdout.
 */
import '../test/helpers/env';

import { WebRunClient } from '../nodes/WebRun/transport/client';
import { runWorkflow } from '../test/helpers/engine';
import { startChildSimulator } from './sim';

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;

function fullGc() {
	if (!gc) return;
	for (let i = 0; i < 3; i++) gc();
}

async function main() {
	const durationMs = Number(process.env.BENCH_SHORT_TASK_MS ?? 5);
	const sim = await startChildSimulator({
		generation: 'webrun',
		rateLimit: false,
		defaultScript: { durationMs },
	});
	const parameters = {
		operation: 'runTask',
		taskDetails: '={{ $json.task }}',
		options: { concurrency: 10 },
	};
	const items = (n: number, tag: string) =>
		Array.from({ length: n }, (_, i) => ({ task: `Short ${tag} task ${i}` }));

	async function measured(n: number, tag: string) {
		fullGc();
		const heapBefore = process.memoryUsage().heapUsed;
		let peakRss = 0;
		let peakHeap = 0;
		const sample = () => {
			const m = process.memoryUsage();
			peakRss = Math.max(peakRss, m.rss);
			peakHeap = Math.max(peakHeap, m.heapUsed);
		};
		const sampler = setInterval(sample, 10);
		const simCpu0 = sim.cpuMs();
		const cpu0 = process.cpuUsage();
		const t0 = performance.now();
		const result = await runWorkflow({
			baseUrl: sim.url,
			apiKey: `bench-cpu-${tag}`,
			parameters,
			items: items(n, tag),
		});
		const wallMs = performance.now() - t0;
		const cpu = process.cpuUsage(cpu0);
		const simCpu1 = sim.cpuMs();
		sample();
		clearInterval(sampler);
		if (result.error) throw result.error;
		const completed = result.completed.length;
		const outputBytes = Buffer.byteLength(JSON.stringify(result.completed.map((i) => i.json)));
		return {
			items: n,
			completed,
			wallMs: Math.round(wallMs),
			cpuUserMs: cpu.user / 1000,
			cpuSystemMs: cpu.system / 1000,
			cpuMsPerItem: (cpu.user + cpu.system) / 1000 / n,
			simulatorCpuMsPerItem:
				simCpu0 !== undefined && simCpu1 !== undefined ? (simCpu1 - simCpu0) / n : null,
			heapBeforeMB: heapBefore / MB,
			peakHeapUsedMB: peakHeap / MB,
			peakRssMB: peakRss / MB,
			outputJsonBytes: outputBytes,
		};
	}

	/** heapUsed after a forced GC once `marks` answers have arrived, and after the run. */
	async function retained(n: number, marks: number[]) {
		const snapshots: Record<string, number> = {};
		let answers = 0;
		const original = WebRunClient.prototype.request;
		WebRunClient.prototype.request = async function (
			this: WebRunClient,
			...args: Parameters<typeof original>
		) {
			const response = await original.apply(this, args);
			answers++;
			if (marks.includes(answers)) {
				fullGc();
				snapshots[`after${answers}MB`] = process.memoryUsage().heapUsed / MB;
			}
			return response;
		};
		try {
			fullGc();
			snapshots.beforeMB = process.memoryUsage().heapUsed / MB;
			const completed = await (async () => {
				const result = await runWorkflow({
					baseUrl: sim.url,
					apiKey: 'bench-mem',
					parameters,
					items: items(n, 'mem'),
				});
				if (result.error) throw result.error;
				return result.completed.length;
			})();
			fullGc();
			snapshots.afterRunMB = process.memoryUsage().heapUsed / MB;
			return { items: n, completed, ...snapshots };
		} finally {
			WebRunClient.prototype.request = original;
		}
	}

	try {
		await measured(200, 'warmup'); // JIT, sockets, lazy requires
		const r100 = await measured(100, 'n100');
		const r1000 = await measured(1000, 'n1000');
		const memory = await retained(1000, [100, 1000]);
		process.stdout.write(
			`${JSON.stringify({ shortTaskMs: durationMs, gcAvailable: !!gc, r100, r1000, memory })}\n`,
		);
	} finally {
		await sim.close();
	}
}

// n8n-core keeps handles open (as in scripts/demo.ts): leave once done.
main().then(
	() => process.exit(0),
	(error) => {
		process.stderr.write(`cpuMem: ${error?.stack ?? error}\n`);
		process.exit(1);
	},
);
