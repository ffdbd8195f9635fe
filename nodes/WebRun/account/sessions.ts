/**
 * The account's browser sessions that this process holds: tasks it follows and starting requests
 * still in flight (a Run Task held for its inline window holds a session too). An item refused
 * with SESSION_LIMIT_REACHED waits for one of them to end; with none, waiting cannot help.
 */
export class SessionSlots {
	private activeTasks = 0;

	private startsInFlight = 0;

	private waiters: Array<() => void> = [];

	/** Counts the moments a session may have been freed: a refusal that raced one is retried. */
	freedCount = 0;

	/** A starting request was sent: until it is answered, it may hold a session. */
	startSent() {
		this.startsInFlight++;
	}

	/** A starting request was answered (or failed); `freed`: its answer holds no live session. */
	startAnswered(freed: boolean) {
		this.startsInFlight = Math.max(0, this.startsInFlight - 1);
		if (freed) this.wake();
	}

	taskStarted() {
		this.activeTasks++;
	}

	taskEnded() {
		this.activeTasks = Math.max(0, this.activeTasks - 1);
		this.wake();
	}

	/** A session may be free again (e.g. a task that ended inline). */
	sessionFreed() {
		this.wake();
	}

	/** Sessions this process may hold for the account. */
	get held() {
		return this.activeTasks + this.startsInFlight;
	}

	/** True when nothing is held and nobody waits. */
	isIdle() {
		return this.held === 0 && this.waiters.length === 0;
	}

	/** Resolves when one of the held sessions ends (or may have). */
	nextFree(): Promise<void> {
		return new Promise((resolve) => this.waiters.push(resolve));
	}

	private wake() {
		this.freedCount++;
		const waiters = this.waiters;
		this.waiters = [];
		for (const resolve of waiters) resolve();
	}
}
