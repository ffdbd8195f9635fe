/**
 * Client-side budget for WebRun's rate-limited "starting" requests (run-task, start-session,
 * send-message: 10 per minute per account, sliding window), shared by every item of one
 * execution so that parallel items do not provoke 429s.
 *
 * - The limit starts at 10 per 60 s and follows `X-RateLimit-Limit` when the server sends it.
 * - `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset` blocks starts until the reset moment.
 * - A 429 blocks every start until its `Retry-After` has passed.
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
 *
 * It also tracks this execution's running tasks, so an item refused with SESSION_LIMIT_REACHED can
 * wait for one of them to end.
 */

export interface Clock {
	now(): number;
}

/**
 * Waits `ms` (honouring cancellation and the item's deadline); may return early when `wake`
 * resolves (the budget learned something), after which the budget is read again.
 */
export type Waiter = (ms: number, wake: Promise<void>) => Promise<void>;

export const DEFAULT_START_LIMIT = 10;
export const DEFAULT_WINDOW_MS = 60_000;
/** Added to window-based waits: covers the time between taking a slot and the request's arrival. */
export const START_MARGIN_MS = 100;
/** Added to a reset the server gave for one of our starts: covers requests overtaking each other. */
export const RESET_MARGIN_MS = 25;

function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	let value = headers[name] ?? headers[name.toLowerCase()];
	if (value === undefined) {
		const wanted = name.toLowerCase();
		const key = Object.keys(headers).find((k) => k.toLowerCase() === wanted);
		if (key !== undefined) value = headers[key];
	}
	if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** The Retry-After header of an answer, in milliseconds from now. */
export function retryAfterMs(headers: Record<string, unknown> | undefined, now: number): number | undefined {
	return parseRetryAfter(header(headers, 'retry-after'), now);
}

/** X-RateLimit-Reset is Unix seconds; returns epoch milliseconds. */
export function parseReset(value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const seconds = Number(value);
	if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
	// Tolerate servers that send milliseconds.
	return seconds > 1e12 ? seconds : seconds * 1000;
}

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

	/** The tightest upper bound of the server's window learned so far. */
	private learnedWindowMs: number | undefined;

	/** Serializes acquisitions so waiting items take slots in arrival order. */
	private queue: Promise<void> = Promise.resolve();

	private changeWaiters: Array<() => void> = [];

	private activeTasks = 0;

	private startsInFlight = 0;

	private taskEndWaiters: Array<() => void> = [];

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
	 * Learns from the headers of a starting request's answer. `sentAt` is what `acquire` returned
	 * for that request; `statusCode` its HTTP status.
	 */
	observe(headers: Record<string, unknown> | undefined, sentAt: number, statusCode?: number) {
		try {
			const limitRaw = header(headers, 'x-ratelimit-limit');
			const remainingRaw = header(headers, 'x-ratelimit-remaining');
			const resetRaw = header(headers, 'x-ratelimit-reset');
			if (limitRaw === undefined && remainingRaw === undefined && resetRaw === undefined) {
				if (statusCode !== undefined && statusCode >= 200 && statusCode < 300) this.unlimited = true;
				return;
			}
			this.unlimited = false;
			const limit = Number(limitRaw);
			if (Number.isInteger(limit) && limit > 0) this.limit = limit;
			const resetAt = parseReset(resetRaw);
			const remaining = remainingRaw === undefined ? undefined : Number(remainingRaw);
			if (resetAt === undefined) return;
			if (remaining !== undefined && Number.isFinite(remaining) && remaining <= 0) {
				this.blockedUntil = Math.max(this.blockedUntil, resetAt);
			}
			this.learnWindow(resetAt, remaining, sentAt, statusCode);
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
	private learnWindow(resetAt: number, remaining: number | undefined, sentAt: number, statusCode?: number) {
		if (remaining === undefined || !Number.isInteger(remaining) || remaining < 0) return;
		const accepted = statusCode === undefined || (statusCode >= 200 && statusCode < 300);
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
		this.windowMs = nearMinute ? Math.max(DEFAULT_WINDOW_MS, this.learnedWindowMs) : this.learnedWindowMs;
		// This start leaves the server's window at the reset (not before the minute, as above).
		const leavesBy = (nearMinute ? Math.max(resetAt, oldest.at + DEFAULT_WINDOW_MS) : resetAt) + RESET_MARGIN_MS;
		oldest.leavesBy = Math.min(oldest.leavesBy ?? Infinity, leavesBy);
	}

	/** A 429: nobody starts anything until the server says so. */
	rateLimited(retryAfterMs: number) {
		this.unlimited = false;
		this.blockedUntil = Math.max(this.blockedUntil, this.clock.now() + retryAfterMs);
		this.notifyChange();
	}

	taskStarted() {
		this.activeTasks++;
	}

	taskEnded() {
		this.activeTasks = Math.max(0, this.activeTasks - 1);
		this.wakeWaiters();
	}

	/** A starting request was sent: until it is answered, it may hold a session of the account. */
	startSent() {
		this.startsInFlight++;
	}

	/**
	 * A starting request was answered (or failed). `sessionFreed` wakes the items waiting for a
	 * session: pass it when the answer created no live session (an error) or the task already ended.
	 */
	startAnswered(sessionFreed: boolean) {
		this.startsInFlight = Math.max(0, this.startsInFlight - 1);
		if (sessionFreed) this.wakeWaiters();
	}

	/** Wakes the items waiting for a session (e.g. a task that ended inline). */
	sessionFreed() {
		this.wakeWaiters();
	}

	/** Counts the moments a session may have been freed (see `sessionFreed`). */
	freedCount = 0;

	private wakeWaiters() {
		this.freedCount++;
		const waiters = this.taskEndWaiters;
		this.taskEndWaiters = [];
		for (const resolve of waiters) resolve();
	}

	get runningTasks() {
		return this.activeTasks;
	}

	/**
	 * Sessions this execution may hold: tasks it follows, plus starting requests still in flight
	 * (a Run Task held for its inline window holds a session too).
	 */
	get ownSessions() {
		return this.activeTasks + this.startsInFlight;
	}

	/** Resolves when one of this execution's tasks ends (or a session may have been freed). */
	nextTaskEnd(): Promise<void> {
		return new Promise((resolve) => this.taskEndWaiters.push(resolve));
	}
}
