/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	@n8n/community-nodes/no-restricted-imports --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * Memory of large downloads through n8n's real engine (npm run test:slow: it moves about 300 MB,
 * so it stays out of the everyday npm test). Filesystem binary mode streams a 50 MB and a 200 MB
 * file to disk with live memory bounded by stream buffers; the default (memory) mode, for
 * comparison, holds the file as base64 text.
 */
import type { ChildProcess } from 'child_process';
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import { join } from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';

import { binaryContent, setBinaryDataMode } from '../helpers/binary';
import { runWorkflow } from '../helpers/engine';
import { runTaskParams } from '../helpers/simulator';

const MB = 1024 * 1024;
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** The simulator's generated content of `size` bytes (a 64 KiB pattern, repeated). */
function generated(size: number): Buffer {
	const chunk = Buffer.alloc(64 * 1024);
	for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + 7) & 0xff;
	const out = Buffer.alloc(size);
	for (let at = 0; at < size; at += chunk.length)
		chunk.copy(out, at, 0, Math.min(chunk.length, size - at));
	return out;
}

/** A full GC before each sample: the samples show live memory, not garbage not yet collected. */
const gc = (() => {
	v8.setFlagsFromString('--expose_gc');
	return vm.runInNewContext('gc') as () => void;
})();
const live = async () => {
	// Two collections with a turn between: freed Buffers' memory is given back asynchronously.
	gc();
	await new Promise((resolve) => setImmediate(resolve));
	gc();
	const m = process.memoryUsage();
	return m.heapUsed + m.external;
};

/**
 * Memory of a 50 MB download. The simulator runs in a child process here, so that its sockets
 * and buffers do not count: what is measured is n8n's engine and the node.
 */
describe('memory of a 50 MB download', () => {
	let child: ChildProcess | undefined;
	let url = '';
	beforeAll(async () => {
		const root = join(__dirname, '..', '..');
		const tsNode = join(root, 'node_modules', 'ts-node', 'dist', 'bin.js');
		const args = [
			tsNode,
			'--transpile-only',
			'test/simulator/cli.ts',
			'--port',
			'0',
			'--rate-limit',
			'off',
		];
		// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- the simulator CLI
		child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
		url = await new Promise<string>((resolve, reject) => {
			let out = '';
			child?.stdout?.on('data', (data: Buffer) => {
				out += data.toString();
				const line = out.split('\n')[0];
				if (out.includes('\n')) resolve((JSON.parse(line) as { url: string }).url);
			});
			child?.on('exit', () => reject(new Error('the simulator did not start')));
		});
	}, 60_000);
	afterAll(async () => {
		child?.kill('SIGTERM');
		await setBinaryDataMode('default');
	});

	/**
	 * Downloads `size` bytes while sampling live memory every 100 ms. Returns the peak over the
	 * baseline while it runs and what is still held once the item is out (MB).
	 */
	async function measure(chunked: boolean, size = 50 * MB) {
		const script = { downloads: [{ filename: 'big.bin', sizeBytes: size, chunked }] };
		const task = `big file [sim ${JSON.stringify(script)}]`;
		const base = await live();
		let peak = base;
		let sampling = true;
		const sampler = (async () => {
			while (sampling) {
				peak = Math.max(peak, await live());
				await new Promise((resolve) => setTimeout(resolve, 100));
			}
		})();
		const started = Date.now();
		const r = await runWorkflow({
			baseUrl: url,
			parameters: runTaskParams(task, { downloadFiles: true, maxFileSizeMb: 1024 }),
		});
		const seconds = (Date.now() - started) / 1000;
		sampling = false;
		await sampler;
		expect(r.error).toBeUndefined();
		const held = (await live()) - base;
		peak = Math.max(peak, held + base);
		const mb = (bytes: number) => Math.round(bytes / MB);
		const binary = r.completed[0].binary?.file_0;
		return { peakMb: mb(peak - base), heldMb: mb(held), seconds, binary };
	}

	const report = (
		mode: string,
		size: number,
		m: { peakMb: number; heldMb: number; seconds: number },
	) =>
		// eslint-disable-next-line no-console
		console.log(
			`${size} MB download, ${mode} mode: live memory peak +${m.peakMb} ` +
				`MB, +${m.heldMb} MB held after (${m.seconds.toFixed(1)} s)`,
		);

	test('filesystem binary mode: streamed to disk, memory does not grow with the file', async () => {
		await setBinaryDataMode('filesystem');
		await measure(false, 5 * MB); // warm-up: modules loaded, sockets pooled
		const fifty = await measure(false);
		report('filesystem', 50, fifty);
		expect(fifty.binary?.id).toMatch(/^filesystem(-v2)?:/);
		const big = await measure(true, 200 * MB);
		report('filesystem', 200, big);
		expect(big.binary?.fileSize).toBe('210 MB'); // n8n's pretty-bytes: 200 MiB = 209.7 MB
		// Bounded by stream buffers, not by the file (measured: +1 MB for both sizes).
		expect(fifty.peakMb).toBeLessThan(16);
		expect(big.peakMb).toBeLessThan(16);
		expect(big.heldMb).toBeLessThan(16);
		expect(sha256(await binaryContent(fifty.binary))).toBe(sha256(generated(50 * MB)));
	}, 120_000);

	test('memory (default) binary mode, for comparison', async () => {
		await setBinaryDataMode('default');
		const m = await measure(true);
		report('memory', 50, m);
		expect(m.binary?.id).toBeUndefined();
		// The item holds the file as base64 text (n8n's memory mode): about 67 MB.
		expect(m.heldMb).toBeGreaterThan(40);
		expect(sha256(await binaryContent(m.binary))).toBe(sha256(generated(50 * MB)));
	}, 120_000);
});
