/**
 * The seeds' reference client, faithfully: `runTask` + `pollForResult` from
 * reference/seeds/webrun-sync-vs-async.txt ("Complete Polling Implementation" and "Unified Request
 * Handler"; enigma-rest-api.txt has the same runTask and a pollForResult without the `res.ok` and
 * "unexpected state" branches, which behave the same against these answers). Only the host is
 * replaced by the simulator's URL, and the per-poll console.log is silenced (it would flood the
 * benchmark's output). Items run one after the other, as in the seeds' usage examples.
 *
 * The seeds' runTask reads `data.status === "complete"` (Enigma's inline shape), so the benchmark
 * runs the simulator in the Enigma response generation, where this code is correct.
 */
/* eslint-disable */

const log = (..._args: unknown[]) => {};

export function referenceClient(BASE: string) {
	async function pollForResult(sessionId: string, taskId: string, apiKey: string): Promise<any> {
		const maxAttempts = 60; // 2 minutes
		const interval = 2000; // 2 seconds

		for (let i = 0; i < maxAttempts; i++) {
			const res = await fetch(`${BASE}/task/${sessionId}/${taskId}`, {
				headers: { Authorization: `Bearer ${apiKey}` },
			});

			if (!res.ok) {
				throw new Error(`HTTP ${res.status}: ${res.statusText}`);
			}

			const data: any = await res.json();

			// Terminal states
			if (data.type === 'task_completed') return data;
			if (data.type === 'guardrail_trigger') return data;
			if (data.status === 'failed') throw new Error(data.error || 'Task failed');
			if (data.status === 'terminated') throw new Error('Session terminated');

			// Still running
			if (data.pending || data.status === 'active') {
				log(`Poll ${i + 1}/${maxAttempts}: Still running (cost so far: $${data.usage?.cost || 0})`);
				await new Promise((r) => setTimeout(r, interval));
				continue;
			}

			// Unexpected state
			return data;
		}

		throw new Error('Polling timeout after 2 minutes');
	}

	async function runTask(taskDetails: string, apiKey: string): Promise<any> {
		// Initial request
		const response = await fetch(`${BASE}/start/run-task`, {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				Authorization: `Bearer ${apiKey}`,
			},
			body: JSON.stringify({ taskDetails }),
		});

		const data: any = await response.json();

		// Inline result
		if (data.status === 'complete') {
			return data.result;
		}

		// Pending - start polling
		if (data.status === 'pending') {
			return await pollForResult(data.sessionId, data.taskId, apiKey);
		}

		throw new Error(data.message || 'Task failed');
	}

	return { runTask, pollForResult };
}
