/**
 * Client-side budget for WebRun's rate-limited "starting" requests (run-task, start-session,
 * send-message: 10 per minute per account, sliding window), shared by every item of one
 * execution so that parallel items do not provoke 429s.
 *
 * - The limit starts at 10 per 60 s and follows `X-RateLimit-Limit` when the server sends it.
 * - `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset` blocks starts until the reset moment.
 * - A 429 blocks every start until its `Retry-After` has passed.
 * - The window length is learned from `X-RateLimit-Reset` (the moment the oldest start leaves the
 *   server's window), so a server with a shorter window is not waited on for a full minute.
 *
 * It also tracks this execution's running tasks, so an item refused with SESSION_LIMIT_REACHED can
 * wait for one of them to end.
 */

export interface Clock {
	now(): number;
}

export type Waiter = (ms: number) => Promise<void>;

export const DEFAULT_START_LIMIT = 10;
export const DEFAULT_WINDOW_MS = 60_000;

function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	const value = headers[name] ?? headers[name.toLowerCase()];
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

	/** Send times of this execution's starting requests still inside the window. */
	private sent: number[] = [];

	private blockedUntil = 0;

	/** Serializes acquisitions so waiting items take slots in arrival order. */
	private queue: Promise<void> = Promise.resolve();

	private activeTasks = 0;

	private startsInFlight = 0;

	private taskEndWaiters: Array<() => void> = [];

	constructor(private readonly clock: Clock = { now: () => Date.now() }) {}

	private prune(now: number) {
		while (this.sent.length && this.sent[0] + this.windowMs <= now) this.sent.shift();
	}

	/** Milliseconds to wait before the next start may be sent (0 = now). */
	delayBeforeNextStart(): number {
		const now = this.clock.now();
		this.prune(now);
		let wait = Math.max(0, this.blockedUntil - now);
		if (this.sent.length >= this.limit) {
			wait = Math.max(wait, this.sent[this.sent.length - this.limit] + this.windowMs - now);
		}
		return wait;
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
				await wait(delay);
			}
			const sentAt = this.clock.now();
			this.sent.push(sentAt);
			return sentAt;
		} finally {
			release();
		}
	}

	/** Learns from the rate-limit headers of a starting request's answer. */
	observe(headers: Record<string, unknown> | undefined, sentAt: number) {
		const limit = Number(header(headers, 'x-ratelimit-limit'));
		if (Number.isInteger(limit) && limit > 0) this.limit = limit;
		const resetAt = parseReset(header(headers, 'x-ratelimit-reset'));
		const remainingRaw = header(headers, 'x-ratelimit-remaining');
		const remaining = remainingRaw === undefined ? undefined : Number(remainingRaw);
		if (resetAt !== undefined) {
			// The reset is when the oldest start counted by the server leaves its window. When that
			// start is ours, the distance to it is the server's window length.
			const now = this.clock.now();
			this.prune(now);
			const oldest = this.sent.length ? Math.min(this.sent[0], sentAt) : sentAt;
			const learned = resetAt - oldest;
			if (learned > 0 && learned <= DEFAULT_WINDOW_MS) this.windowMs = Math.max(1000, learned);
			if (remaining !== undefined && Number.isFinite(remaining) && remaining <= 0) {
				this.blockedUntil = Math.max(this.blockedUntil, resetAt);
			}
		}
	}

	/** A 429: nobody starts anything until the server says so. */
	rateLimited(retryAfterMs: number) {
		this.blockedUntil = Math.max(this.blockedUntil, this.clock.now() + retryAfterMs);
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
