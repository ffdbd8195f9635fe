import type { Account } from '../account/registry';
import type { ErrorContext } from '../errors';
import { timeoutError, waitTooLongError } from '../errors';
import { cancellableSleep, CancelledError } from '../sleep';
import type { WebRunClient } from '../transport/client';
import { CostGuard } from './costGuard';

/** How long one item may wait, and how often it polls. */
export interface WaitSettings {
	pollIntervalMs: number;
	timeoutMs: number;
	/** Cost guard: stop the task when a poll shows its cost (USD) above this. */
	maxCostUsd?: number;
	/** Cost guard: start no more items once the node run's tasks have cost this much (USD). */
	maxTotalCostUsd?: number;
}

/**
 * Everything one item's run needs: the client, the account it shares with other executions, its
 * error context (operation, item, the ids known so far) and its own deadline.
 */
export class ItemContext implements ErrorContext {
	readonly startedAt = Date.now();

	readonly deadline: number;

	sessionId?: string;

	taskId?: string;

	/** The last raw API body, for the "Include Raw Response" option. */
	lastRaw?: unknown;

	/** True when this node created the item's session (the cost guard then terminates it). */
	ownsSession = false;

	constructor(
		readonly client: WebRunClient,
		readonly account: Account,
		readonly operation: string,
		readonly itemIndex: number,
		readonly settings: WaitSettings,
		/** The node run's cost figures, shared by its items (one per run, from actions/runItems.ts). */
		readonly costs: CostGuard = new CostGuard(),
	) {
		this.deadline = this.startedAt + settings.timeoutMs;
	}

	get node() {
		return this.client.node;
	}

	get signal() {
		return this.client.signal;
	}

	remainingMs() {
		return this.deadline - Date.now();
	}

	waitedSeconds() {
		return Math.round((Date.now() - this.startedAt) / 1000);
	}

	throwIfCancelled() {
		if (this.signal?.aborted) throw new CancelledError();
	}

	/**
	 * A wait a 429 or 503 answer asked for that ends after the item's deadline fails the item at
	 * once (RATE_LIMITED / UNAVAILABLE, naming the wait): no sleeping until a moment that is too late.
	 */
	refuseWaitPastDeadline(
		wait: { ms: number; source: string },
		phase: 'start' | 'wait',
		status: 429 | 503,
		now = Date.now(),
	): void {
		if (now + wait.ms < this.deadline) return;
		throw waitTooLongError(this, {
			askedMs: wait.ms,
			source: wait.source,
			leftMs: this.deadline - now,
			phase,
			status,
		});
	}

	/**
	 * Sleeps `ms` unless that would pass the item's deadline, in which case it throws the timeout
	 * error for the given phase at once (there is no point in waiting for a moment that is too late).
	 */
	async waitOrTimeout(ms: number, phase: 'start' | 'wait', wake?: Promise<unknown>) {
		if (Date.now() + ms >= this.deadline) {
			// A wait that may be cut short (the start budget learning a shorter window) is kept up to
			// the deadline; the timeout is reported only if nothing shortened it.
			if (!wake) throw timeoutError(this, this.waitedSeconds(), phase);
			let woken = false;
			await cancellableSleep(
				this.remainingMs(),
				this.signal,
				wake.then(() => (woken = true)),
			);
			if (!woken) throw timeoutError(this, this.waitedSeconds(), phase);
			return;
		}
		await cancellableSleep(ms, this.signal, wake);
	}
}
