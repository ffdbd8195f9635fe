/**
 * Client-side budget for WebRun's rate-limited "starting" requests (run-task, start-session,
 * send-message: 10 per minute per account, sliding window), shared by every item of every
 * execution of one account in this process (see registry.ts), so that they do not provoke 429s.
 *
 * - The limit starts at 10 per 60 s and follows `X-RateLimit-Limit` when the server sends it.
 * - `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset` blocks starts until the reset moment.
 * - A 429 blocks every start until its `Retry-After` has passed.
 * - Neither block lasts longer than MAX_SHARED_RATE_LIMIT_WAIT_MS (10 minutes): an absurd wait
 *   (`Retry-After: 99999999`, a reset years ahead) must not pause every later execution of the
 *   process until n8n restarts. The wait the server asked for is kept for the messages of the items
 *   that cannot afford it (see `currentBlock`); they fail at once instead of sleeping.
 * - The window length is learned from `X-RateLimit-Reset` (the moment the oldest start counted by
 *   the server leaves its window): `X-RateLimit-Remaining` says how many starts the server counts,
 *   which names the one of ours that is oldest, and the reset minus its send time is an upper
 *   bound of the window (the reset is rounded up to a second). The tightest such bound is kept, so
 *   a server with a shorter window is not waited on for a full minute, and never undercut. When
 *   the server counts starts that are not ours (another workflow of the same account), nothing is
 *   learned from that answer.
 * - A start the server named as its oldest leaves the window at that reset (+ 25 ms); any other
 *   start at its send time + the window + 100 ms (for requests that take longer to arrive).
 * - WebRun sends the X-RateLimit-* headers on every response. A 2xx answer to a start without any
 *   of them comes from a server that does not rate-limit (a local or self-hosted endpoint): the
 *   budget then stops pacing, until an answer carries the headers again or a 429 arrives.
 * - An item waiting for a slot re-reads the budget as soon as an answer teaches it something.
 */

import {
	DEFAULT_START_LIMIT,
	DEFAULT_WINDOW_MS,
	MAX_SHARED_RATE_LIMIT_WAIT_MS,
	RESET_MARGIN_MS,
	START_MARGIN_MS,
} from '../constants';
import type { RateLimitInfo } from '../transport/headers';

/** The server's word behind the current block: what it asked for, and through which header. */
export interface Block {
	/** Milliseconds until the block is lifted (at most MAX_SHARED_RATE_LIMIT_WAIT_MS). */
	remainingMs: number;
	/** Milliseconds the server asked to wait, from now (may be far longer than the block). */
	askedMs: number;
	source: string;
}

export interface Clock {
	now(): number;
}

/**
 * Waits `ms` (honouring cancellation and the item's deadline); may return early when `wake`
 * resolves (the budget learned something), after which the budget is read again.
 */
export type Waiter = (ms: number, wake: Promise<void>) => Promise<void>;

export class StartBudget {
	limit = DEFAULT_START_LIMIT;

	windowMs = DEFAULT_WINDOW_MS;

	/** True once the server answered a start without any X-RateLimit-* header: no pacing. */
	unlimited = false;

	/**
	 * This execution's starting requests of the last minute, by send time (ascending), with the
	 * moment the server said each would leave its window, when an answer named it as the oldest.
	 */
	private sent: Array<{ at: number; leavesBy?: number }> = [];

	private blockedUntil = 0;

	/** The moment the server asked to wait for, behind `blockedUntil`, and the header it used. */
	private blockAsked: { until: number; source: string } | undefined;

	/** The tightest upper bound of the server's window learned so far. */
	private learnedWindowMs: number | undefined;

	/** Serializes acquisitions so waiting items take slots in arrival order. */
	private queue: Promise<void> = Promise.resolve();

	private changeWaiters: Array<() => void> = [];

	constructor(private readonly clock: Clock = { now: () => Date.now() }) {}

	/** Keeps a minute of history (the longest window believed), whatever the current estimate. */
	private prune(now: number) {
		const keep = Math.max(DEFAULT_WINDOW_MS, this.windowMs) + 1000;
		let drop = 0;
		while (drop < this.sent.length && this.sent[drop].at + keep <= now) drop++;
		if (drop) this.sent.splice(0, drop);
	}

	/** Milliseconds to wait before the next start may be sent (0 = now). */
	delayBeforeNextStart(): number {
		const now = this.clock.now();
		this.prune(now);
		let wait = Math.max(0, this.blockedUntil - now);
		if (this.unlimited) return wait;
		// When each start still counted leaves the window: the server's word for it when it named it
		// as its oldest (exact: its reset), else its send time + the window + a margin.
		const leaving: number[] = [];
		for (const { at, leavesBy } of this.sent) {
			const leaves = Math.min(leavesBy ?? Infinity, at + this.windowMs + START_MARGIN_MS);
			if (leaves > now) leaving.push(leaves);
		}
		if (leaving.length >= this.limit) {
			leaving.sort((a, b) => a - b);
			wait = Math.max(wait, leaving[leaving.length - this.limit] - now);
		}
		return wait;
	}

	/** Resolves at the next change of what the budget knows (an answer observed, a 429). */
	changed(): Promise<void> {
		return new Promise((resolve) => this.changeWaiters.push(resolve));
	}

	private notifyChange() {
		const waiters = this.changeWaiters;
		this.changeWaiters = [];
		for (const resolve of waiters) resolve();
	}

	/**
	 * Resolves when a start may be sent and records it. `wait` must honour cancellation and the
	 * item's deadline (it throws to give up; the slot queue then moves on).
	 */
	async acquire(wait: Waiter): Promise<number> {
		const previous = this.queue;
		let release!: () => void;
		this.queue = new Promise<void>((resolve) => (release = resolve));
		try {
			await previous;
			for (;;) {
				const delay = this.delayBeforeNextStart();
				if (delay <= 0) break;
				await wait(delay, this.changed());
			}
			// Strictly increasing (by a microsecond if need be), so an answer can name its own start.
			const last = this.sent.length ? this.sent[this.sent.length - 1].at : -Infinity;
			const sentAt = Math.max(this.clock.now(), last + 0.001);
			this.sent.push({ at: sentAt });
			return sentAt;
		} finally {
			release();
		}
	}

	/**
	 * Learns from the rate-limit headers of a starting request's answer (undefined: the answer had
	 * none). `sentAt` is what `acquire` returned for that request; `statusCode` its HTTP status.
	 */
	observe(info: RateLimitInfo | undefined, sentAt: number, statusCode: number) {
		try {
			if (!info) {
				if (statusCode >= 200 && statusCode < 300) this.unlimited = true;
				return;
			}
			this.unlimited = false;
			if (info.limit !== undefined) this.limit = info.limit;
			if (info.resetAt === undefined) return;
			if (info.remaining === 0) this.block(info.resetAt, 'X-RateLimit-Reset');
			this.learnWindow(info.resetAt, info.remaining, sentAt, statusCode);
		} finally {
			this.notifyChange();
		}
	}

	/**
	 * The server counts `limit - remaining` starts in its window, this one included (exactly
	 * `limit` when it accepted a start with 0 remaining). When all of them are ours, the oldest of
	 * them is ours too, and `resetAt - its send time` is at least the window (it was sent before it
	 * arrived; the reset is rounded up).
	 */
	private learnWindow(
		resetAt: number,
		remaining: number | undefined,
		sentAt: number,
		statusCode: number,
	) {
		if (remaining === undefined) return;
		const accepted = statusCode >= 200 && statusCode < 300;
		if (remaining === 0 && !accepted) return; // a refused start: the server's count is unknown
		const counted = this.limit - remaining;
		if (counted < 1) return;
		let mine = 0;
		while (mine < this.sent.length && this.sent[mine].at <= sentAt) mine++;
		if (counted > mine) return; // the server counts starts that are not ours
		const oldest = this.sent[mine - counted];
		const bound = resetAt - oldest.at;
		// WebRun's documented minute, rounded up to the next second, is the longest believed.
		if (bound < 1000 || bound > DEFAULT_WINDOW_MS + 1000) return;
		// An upper bound of the window: kept as is (not cut to 60 s), so that the rounding of the
		// reset also absorbs differences in how long requests take to reach the server.
		this.learnedWindowMs = Math.min(this.learnedWindowMs ?? Infinity, bound);
		// Just under the documented minute means the minute, seen through a small difference between
		// the server's clock and ours.
		const nearMinute = this.learnedWindowMs >= DEFAULT_WINDOW_MS - 1000;
		this.windowMs = nearMinute
			? Math.max(DEFAULT_WINDOW_MS, this.learnedWindowMs)
			: this.learnedWindowMs;
		// This start leaves the server's window at the reset (not before the minute, as above).
		const leavesBy =
			(nearMinute ? Math.max(resetAt, oldest.at + DEFAULT_WINDOW_MS) : resetAt) + RESET_MARGIN_MS;
		oldest.leavesBy = Math.min(oldest.leavesBy ?? Infinity, leavesBy);
	}

	/** True when nothing the budget knows still matters: no start in the window, no block, no waiter. */
	isQuiet(): boolean {
		const now = this.clock.now();
		this.prune(now);
		// A server that does not rate-limit makes the history irrelevant.
		const history = this.unlimited ? 0 : this.sent.length;
		return history === 0 && this.blockedUntil <= now && this.changeWaiters.length === 0;
	}

	/** A 429: nobody starts anything until the server says so (within the cap, see `block`). */
	rateLimited(retryAfterMs: number, source = 'Retry-After') {
		this.unlimited = false;
		this.block(this.clock.now() + Math.max(0, retryAfterMs), source);
		this.notifyChange();
	}

	/**
	 * Blocks every start until `until`, but for no longer than MAX_SHARED_RATE_LIMIT_WAIT_MS from
	 * now: the account's budget is shared by every execution of the process, and lifts itself.
	 */
	private block(until: number, source: string) {
		const now = this.clock.now();
		if (!(until > now)) return; // NaN, or a moment already past
		const capped = Math.min(until, now + MAX_SHARED_RATE_LIMIT_WAIT_MS);
		if (capped < this.blockedUntil) return;
		this.blockedUntil = capped;
		this.blockAsked = { until, source };
	}

	/** The block in force (a 429, or no start left until a reset), if any. */
	currentBlock(): Block | undefined {
		const now = this.clock.now();
		if (this.blockedUntil <= now || !this.blockAsked) return undefined;
		return {
			remainingMs: this.blockedUntil - now,
			askedMs: Math.max(this.blockedUntil, this.blockAsked.until) - now,
			source: this.blockAsked.source,
		};
	}
}
