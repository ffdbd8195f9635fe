/* eslint-disable @n8n/community-nodes/no-restricted-globals --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * Time in tests without reading the wall clock: a deadline is a timer that either fires or is
 * cleared, and waiting for the simulator is counted in attempts. Neither depends on how loaded the
 * machine is between two readings of Date.now(), and both work under Jest's fake timers.
 */

/**
 * Resolves with the promise's value, or fails with `what` if it has not settled when a timer of
 * `ms` fires (e.g. "the run fails at once, it does not wait the 60 s Retry-After").
 */
export async function settlesWithin<T>(ms: number, promise: Promise<T>, what = ''): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_, reject) => {
		timer = setTimeout(
			() => reject(new Error(`still running after ${ms} ms${what ? `: ${what}` : ''}`)),
			ms,
		);
	});
	try {
		return await Promise.race([promise, late]);
	} finally {
		clearTimeout(timer);
	}
}

/** A deadline started now: `missed` turns true when its timer fires, `stop()` clears it. */
export function deadline(ms: number): { readonly missed: boolean; stop: () => void } {
	let missed = false;
	const timer = setTimeout(() => (missed = true), ms);
	return {
		get missed() {
			return missed;
		},
		stop: () => clearTimeout(timer),
	};
}

/**
 * Resolves true once `predicate` holds (checked every `stepMs`), or false after `tries` checks:
 * for events the simulator logs asynchronously, e.g. the end of a download the client aborted.
 */
export async function eventually(
	predicate: () => boolean,
	tries = 200,
	stepMs = 25,
): Promise<boolean> {
	for (let i = 0; i < tries; i++) {
		if (predicate()) return true;
		await new Promise((resolve) => setTimeout(resolve, stepMs));
	}
	return predicate();
}

/**
 * Jest's fake timers for a test against the in-process simulator, whose clock is Date.now(): its
 * working time, costs and rate-limit windows move only when the test calls `advance(ms)`, so they
 * are exact. Timers due now keep firing (checked between the loopback reads and writes), so
 * requests the simulator answers at once still get their answer. Not for requests it holds.
 */
export function fakeClock(): { advance: (ms: number) => Promise<void>; stop: () => void } {
	jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
	let on = true;
	const pump = () => {
		if (!on) return;
		jest.advanceTimersByTime(0);
		setImmediate(pump);
	};
	setImmediate(pump);
	return {
		advance: async (ms) => void (await jest.advanceTimersByTimeAsync(ms)),
		stop: () => {
			if (!on) return;
			on = false;
			jest.useRealTimers();
		},
	};
}
