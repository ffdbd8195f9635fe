import { sleep } from 'n8n-workflow';

import { MAX_SLEEP_CHUNK_MS } from './constants';

/** Thrown when the n8n execution was stopped while the node was waiting. */
export class CancelledError extends Error {
	constructor() {
		super('The execution was stopped');
		this.name = 'CancelledError';
	}
}

/**
 * Waits `ms` milliseconds through n8n's own `sleep`, and returns at once when the execution is
 * cancelled (throwing CancelledError). Works on every n8n host: `sleep(ms)` exists in both
 * n8n-workflow 1.x and 2.x, and the abort is raced here rather than passed to it.
 */
export async function cancellableSleep(
	ms: number,
	signal?: AbortSignal,
	wake?: Promise<unknown>,
): Promise<void> {
	if (signal?.aborted) throw new CancelledError();
	const end = Date.now() + Math.max(0, ms);
	let onAbort: (() => void) | undefined;
	let woken = false;
	const interrupts: Array<Promise<unknown>> = [];
	if (signal) {
		interrupts.push(
			new Promise<void>((resolve) => {
				onAbort = resolve;
				signal.addEventListener('abort', onAbort, { once: true });
			}),
		);
	}
	if (wake) {
		interrupts.push(
			wake.then(
				() => (woken = true),
				() => (woken = true),
			),
		);
	}
	try {
		for (let remaining = end - Date.now(); remaining > 0 && !woken; remaining = end - Date.now()) {
			const chunk = Math.min(remaining, MAX_SLEEP_CHUNK_MS);
			if (interrupts.length) await Promise.race([sleep(chunk), ...interrupts]);
			else await sleep(chunk);
			if (signal?.aborted) throw new CancelledError();
		}
	} finally {
		if (signal && onAbort) signal.removeEventListener('abort', onAbort);
	}
}
