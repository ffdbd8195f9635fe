/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	@n8n/community-nodes/no-restricted-imports --
	benchmark tooling: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * The WebRun simulator in a child process (test/simulator/cli.ts), so that the benchmark's own
 * process holds only the clients being measured. Read back through the simulator's control
 * endpoints (/__sim/requests, /__sim/tasks), which are not logged and need no key.
 */
import { spawn, type ChildProcess } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';

import type { LoggedRequest, SimTask, SimulatorOptions } from '../test/simulator/types';

const ROOT = join(__dirname, '..');

export interface ChildSimulator {
	url: string;
	pid: number;
	requests(): Promise<LoggedRequest[]>;
	tasks(): Promise<SimTask[]>;
	/** CPU time (user + system, ms) the simulator process has used so far (Linux /proc). */
	cpuMs(): number | undefined;
	close(): Promise<void>;
}

export async function startChildSimulator(options: SimulatorOptions): Promise<ChildSimulator> {
	const tsNode = require.resolve('ts-node/dist/bin.js', { paths: [ROOT] });
	// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- simulator CPU apart
	const child: ChildProcess = spawn(
		process.execPath,
		[
			tsNode,
			'--transpile-only',
			join(ROOT, 'test/simulator/cli.ts'),
			'--port',
			'0',
			'--options',
			JSON.stringify(options),
		],
		{ cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
	);
	const url = await new Promise<string>((resolve, reject) => {
		let buffered = '';
		const onData = (chunk: Buffer) => {
			buffered += chunk.toString('utf8');
			const line = buffered.split('\n').find((l) => l.trim().startsWith('{'));
			if (line) {
				child.stdout?.off('data', onData);
				resolve((JSON.parse(line) as { url: string }).url);
			}
		};
		child.stdout?.on('data', onData);
		child.once('exit', (code) => reject(new Error(`simulator exited early (code ${code})`)));
	});
	const get = async <T>(path: string): Promise<T> =>
		(await (await fetch(`${url}${path}`)).json()) as T;
	return {
		url,
		pid: child.pid as number,
		requests: () => get<LoggedRequest[]>('/__sim/requests'),
		tasks: () => get<SimTask[]>('/__sim/tasks'),
		cpuMs() {
			try {
				// Fields 14 and 15 of /proc/<pid>/stat: utime and stime in clock ticks (USER_HZ = 100).
				const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
				const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
				return (Number(fields[11]) + Number(fields[12])) * 10;
			} catch {
				return undefined;
			}
		},
		close: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			}),
	};
}
