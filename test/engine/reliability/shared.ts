/* eslint-disable @n8n/community-nodes/no-restricted-globals --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * Shared helpers of the fault tests (test/engine/reliability/, test/engine/security/): a runWorkflow wrapper that
 * keeps everything visible from every run (for the API key scan), direct simulator calls, and a
 * small wait helper.
 */
import type { IDataObject } from 'n8n-workflow';

import type { RunOptions, RunResult } from '../../helpers/engine';
import { runTaskParams } from '../../helpers/simulator';
import { eventually } from '../../helpers/timing';
import { everythingVisible, runWorkflow, TEST_API_KEY } from '../../helpers/engine';
import type { Simulator } from '../../simulator';

/** Runs workflows and remembers what each run made visible, so a file can scan it for the key. */
export function visibleRecorder() {
	const seen: string[] = [];
	return {
		seen,
		async run(options: RunOptions): Promise<RunResult> {
			const result = await runWorkflow(options);
			seen.push(everythingVisible(result));
			return result;
		},
		/**
		 * Asserts the test API key (and its distinctive tail) never appeared in any run, nor any of
		 * `secrets` (values of the Secrets option, a proxy password: treated exactly like the key).
		 */
		expectNoKey(secrets: string[] = []) {
			expect(seen.length).toBeGreaterThan(0);
			// Short excerpts around each leak, rather than megabytes of run data.
			const leaks: string[] = [];
			seen.forEach((text, run) => {
				for (const needle of [TEST_API_KEY, TEST_API_KEY.slice(8), ...secrets]) {
					const at = text.indexOf(needle);
					if (at >= 0) leaks.push(`run ${run}: …${text.slice(Math.max(0, at - 200), at + 60)}…`);
				}
			});
			expect(leaks).toEqual([]);
		},
	};
}

/** A request straight to the simulator with the test key (setup only: not the node under test). */
export async function simCall(sim: Simulator, method: string, path: string, body?: IDataObject) {
	const res = await fetch(`${sim.url}${path}`, {
		method,
		headers: { Authorization: `Bearer ${TEST_API_KEY}`, 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: res.status, body: (await res.json()) as IDataObject };
}

/** Starts a session (with an optional first task) directly on the simulator. */
export async function startSessionDirect(sim: Simulator, taskDetails?: string) {
	const r = await simCall(sim, 'POST', '/start/start-session', taskDetails ? { taskDetails } : {});
	if (r.status !== 200)
		throw new Error(`start-session failed: ${r.status} ${JSON.stringify(r.body)}`);
	return {
		sessionId: String(r.body.sessionId),
		taskId: r.body.taskId ? String(r.body.taskId) : undefined,
	};
}

/**
 * Starts a session with `taskDetails` on the simulator, then makes the node's next Run Task start
 * answer "pending" for that task with the given `pollUrl(sessionId, taskId)`: for the tests of
 * which poll addresses the node accepts.
 */
export async function pendingStartWithPollUrl(
	sim: Simulator,
	taskDetails: string,
	pollUrl: (sessionId: string, taskId: string) => string,
) {
	const { sessionId, taskId = '' } = await startSessionDirect(sim, taskDetails);
	sim.fault({
		endpoint: 'run-task',
		status: 200,
		body: {
			success: true,
			sessionId,
			taskId,
			status: 'pending',
			pollUrl: pollUrl(sessionId, taskId),
		},
	});
	return { sessionId, taskId };
}

/** Resolves true when `predicate` holds, or false after about `ms` (counted in 25 ms checks). */
export const waitFor = (predicate: () => boolean, ms: number): Promise<boolean> =>
	eventually(predicate, Math.ceil(ms / 25), 25);

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type { RunResult };

/** Run Task parameters for the fault tests: 1 s polls and the raw answer kept (for the key scan). */
export const runTaskRaw = (taskDetails: string, options: IDataObject = {}) =>
	runTaskParams(taskDetails, { includeRawResponse: true, ...options });
