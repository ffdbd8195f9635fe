/* eslint-disable @n8n/community-nodes/no-restricted-globals --
	test tooling (the loopback API simulator): runs in Node,
	never shipped or loaded by n8n. See README.md, Development. */
/**
 * Session / task state machine.
 *
 * Task state is a pure function of accumulated agent *working* time: `workedMs` (frozen part) plus
 * `now - runningSince` while the clock runs. The clock stops while the task is paused (state pause,
 * takeOverControl), while it waits at a guardrail, and once it has ended. `advance()` processes every
 * event (guardrail firing, outcome) whose moment has passed, stamping the exact simulator-clock moment
 * it happened at. Timers are only used to wake `advance()` (so held requests and `endedAt` are updated
 * even if nobody polls); they never decide the timing themselves.
 */
import type { SimSession, SimTask } from './types';
import type { ResolvedScript } from './scripts';
import { randomId, round } from './util';

export interface TaskRt {
	pub: SimTask;
	session: SessionRt;
	script: ResolvedScript;
	cleanText: string;
	/** Working ms at which the outcome happens (min(durationMs, maxDuration)). */
	endAtMs: number;
	outcome: 'complete' | 'fail' | 'terminate';
	failCode: string;
	failError: string;
	nextGuardrail: number;
	waitingGuardrail: { atMs: number; type: string; value: string } | null;
	workedMs: number;
	runningSince: number | null;
	paused: boolean;
	started: boolean;
	timer: NodeJS.Timeout | null;
	waiters: Set<() => void>;
	terminateOnCompletion: boolean;
	startingUrl?: string;
	network?: unknown[];
	/** data.files entries of the script's downloads (appended after script.files). */
	downloadFiles: unknown[];
}

export interface SessionRt {
	pub: SimSession;
	current: TaskRt | null;
	queue: TaskRt[];
	lastActivity: number;
}

export interface NewTaskParams {
	text: string;
	cleanText: string;
	script: ResolvedScript;
	terminateOnCompletion: boolean;
	maxDuration?: number;
	startingUrl?: string;
	options: Record<string, unknown>;
	fields: Record<string, string>;
	now: number;
}

export class Engine {
	readonly tasks: TaskRt[] = [];
	/** Same array instance for the whole simulator life (cleared in place on reset). */
	readonly pubTasks: SimTask[] = [];
	readonly taskById = new Map<string, TaskRt>();
	readonly sessions = new Map<string, SessionRt>();
	/** Same Map instance for the whole simulator life. */
	readonly pubSessions = new Map<string, SimSession>();
	private holds = new Set<() => void>();

	constructor(
		private readonly clock: () => number,
		private readonly idleTimeout: () => number | false,
	) {}

	private uniqueId(taken: (id: string) => boolean): string {
		for (;;) {
			const id = randomId(12);
			if (!taken(id)) return id;
		}
	}

	createSession(
		apiKey: string,
		createdBy: SimSession['createdBy'],
		terminateOnCompletion: boolean,
		body: unknown,
		now: number,
	): SessionRt {
		const sessionId = this.uniqueId((id) => this.sessions.has(id));
		const pub: SimSession = {
			sessionId,
			state: 'active',
			apiKey,
			createdByRunTask: createdBy === 'run-task',
			createdBy,
			terminateOnCompletion,
			createdAt: now,
			taskIds: [],
			body,
		};
		const s: SessionRt = { pub, current: null, queue: [], lastActivity: now };
		this.sessions.set(sessionId, s);
		this.pubSessions.set(sessionId, pub);
		return s;
	}

	/** Creates a task; starts it now, or queues it when the session already has a live task. */
	createTask(s: SessionRt, p: NewTaskParams): TaskRt {
		const taskId = this.uniqueId((id) => this.taskById.has(id));
		const sc = p.script;
		let endAtMs = sc.durationMs;
		let outcome = sc.outcome;
		let failCode = sc.failCode;
		let failError = sc.failError;
		if (p.maxDuration !== undefined && p.maxDuration > 0 && p.maxDuration < sc.durationMs) {
			endAtMs = p.maxDuration;
			outcome = 'fail';
			failCode = 'TASK_TIMEOUT';
			failError = `Task exceeded maximum duration of ${p.maxDuration}ms`;
		}
		const pub: SimTask = {
			sessionId: s.pub.sessionId,
			taskId,
			text: p.text,
			createdAt: p.now,
			state: 'running',
			polls: 0,
			apiKey: s.pub.apiKey,
			guardrailReplies: [],
			guardrailsFired: [],
			options: p.options,
			fields: p.fields,
			script: sc.raw,
		};
		const t: TaskRt = {
			pub,
			session: s,
			script: sc,
			cleanText: p.cleanText,
			endAtMs,
			outcome,
			failCode,
			failError,
			nextGuardrail: 0,
			waitingGuardrail: null,
			workedMs: 0,
			runningSince: null,
			paused: false,
			started: false,
			timer: null,
			waiters: new Set(),
			terminateOnCompletion: p.terminateOnCompletion,
			startingUrl: p.startingUrl,
			downloadFiles: [],
		};
		this.tasks.push(t);
		this.pubTasks.push(pub);
		this.taskById.set(taskId, t);
		s.pub.taskIds.push(taskId);
		s.lastActivity = Math.max(s.lastActivity, p.now);
		if (s.current) s.queue.push(t);
		else this.start(t, p.now);
		this.advance(s, p.now);
		return t;
	}

	/** A session is busy while it has a live (running / guardrail / queued) task. */
	busy(s: SessionRt): boolean {
		return s.current !== null || s.queue.length > 0;
	}

	private start(t: TaskRt, at: number): void {
		t.started = true;
		t.pub.startedAt = at;
		t.session.current = t;
		t.runningSince = t.paused ? null : at;
	}

	private nextEvent(t: TaskRt): { kind: 'guardrail' | 'end'; atMs: number } {
		const g = t.script.guardrails[t.nextGuardrail];
		if (g && g.atMs <= t.endAtMs) return { kind: 'guardrail', atMs: Math.max(g.atMs, t.workedMs) };
		return { kind: 'end', atMs: Math.max(t.endAtMs, t.workedMs) };
	}

	/** Working time at `now` (never beyond the next event, provided advance(now) ran). */
	workedAt(t: TaskRt, now: number): number {
		return t.workedMs + (t.runningSince !== null ? Math.max(0, now - t.runningSince) : 0);
	}

	/** Working ms that count for usage at `now` (never beyond the outcome). */
	usageWorked(t: TaskRt, now: number): number {
		return Math.min(this.workedAt(t, now), t.endAtMs);
	}

	/**
	 * usage.cost at `now`: costPerSecond × working seconds (6 decimals) when the script sets a rate,
	 * else the script's final cost × share of progress (4 decimals). Frozen once the task has ended.
	 */
	costOf(t: TaskRt, now: number): number {
		const worked = this.usageWorked(t, now);
		const rate = t.script.costPerSecond;
		if (rate !== undefined) return round((rate * worked) / 1000, 6);
		const full = t.script.durationMs;
		const f = full > 0 ? Math.min(1, worked / full) : 1;
		return round(t.script.usage.cost * f, 4);
	}

	/** Process every event due at or before `now` for this session, then re-arm the wake-up timer. */
	advance(s: SessionRt, now: number): void {
		while (s.pub.state === 'active') {
			const t = s.current;
			if (!t || t.runningSince === null) break;
			const ev = this.nextEvent(t);
			const wallAt = t.runningSince + (ev.atMs - t.workedMs);
			if (wallAt > now) break;
			t.workedMs = ev.atMs;
			t.runningSince = null;
			if (ev.kind === 'guardrail') {
				const g = t.script.guardrails[t.nextGuardrail++];
				t.waitingGuardrail = g;
				t.pub.state = 'guardrail';
				t.pub.guardrailsFired.push({ atMs: g.atMs, type: g.type, value: g.value, firedAt: wallAt });
				this.clearTimer(t);
				this.notify(t);
			} else if (t.outcome === 'complete') {
				this.finish(t, 'completed', wallAt);
			} else if (t.outcome === 'fail') {
				this.finish(t, 'failed', wallAt);
			} else {
				this.finish(t, 'terminated', wallAt, 'script');
				this.endSession(s, 'terminated', wallAt);
			}
		}
		const idle = this.idleTimeout();
		if (
			idle !== false &&
			s.pub.state === 'active' &&
			!this.busy(s) &&
			now - s.lastActivity >= idle
		) {
			this.endSession(s, 'expired', s.lastActivity + idle);
		}
		if (s.current) this.arm(s.current);
	}

	advanceAll(now: number): void {
		for (const s of this.sessions.values()) if (s.pub.state === 'active') this.advance(s, now);
	}

	/** Ends a task. Session effects (terminateOnCompletion, start of the next queued task) apply. */
	finish(
		t: TaskRt,
		state: 'completed' | 'failed' | 'terminated',
		at: number,
		reason?: string,
	): void {
		if (t.pub.state !== 'running' && t.pub.state !== 'guardrail') return;
		if (t.runningSince !== null) t.workedMs = this.workedAt(t, at);
		t.pub.state = state;
		t.pub.endedAt = at;
		if (reason) t.pub.endReason = reason;
		t.runningSince = null;
		t.pub.costAtEnd = this.costOf(t, at);
		t.waitingGuardrail = null;
		this.clearTimer(t);
		const s = t.session;
		if (s.current === t) s.current = null;
		else s.queue = s.queue.filter((q) => q !== t);
		s.lastActivity = Math.max(s.lastActivity, at);
		this.notify(t);
		// 'script' = the scripted outcome 'terminate': the caller ends the whole session next.
		if (s.pub.state !== 'active' || reason === 'script') return;
		if (t.terminateOnCompletion) {
			this.endSession(s, 'terminateOnCompletion', at);
		} else if (!s.current && s.queue.length) {
			const next = s.queue.shift() as TaskRt;
			this.start(next, at);
		}
	}

	/** Ends a session; its live and queued tasks end as terminated at the same moment. */
	endSession(s: SessionRt, reason: string, at: number): void {
		if (s.pub.state !== 'active') return;
		s.pub.state = 'terminated';
		s.pub.endedAt = at;
		s.pub.endReason = reason;
		const live = [...(s.current ? [s.current] : []), ...s.queue];
		for (const t of live)
			this.finish(t, 'terminated', at, reason === 'terminated' ? 'terminate' : reason);
		s.current = null;
		s.queue = [];
	}

	pause(s: SessionRt, now: number): void {
		this.advance(s, now);
		const t = s.current;
		if (!t) return;
		if (t.runningSince !== null) {
			t.workedMs = this.workedAt(t, now);
			t.runningSince = null;
			this.clearTimer(t);
		}
		t.paused = true;
	}

	resume(s: SessionRt, now: number): void {
		this.advance(s, now);
		const t = s.current;
		if (!t) return;
		t.paused = false;
		if (t.pub.state === 'running' && t.runningSince === null) t.runningSince = now;
		this.advance(s, now);
	}

	/** Ends the current task as terminated; the session stays (unless terminateOnCompletion). */
	stopTask(s: SessionRt, now: number, reason: string): TaskRt | null {
		this.advance(s, now);
		const t = s.current;
		if (!t) return null;
		this.finish(t, 'terminated', now, reason);
		this.advance(s, now);
		return t;
	}

	/** Returns 'none' if no task of the session waits at a guardrail. */
	guardrailReply(
		s: SessionRt,
		now: number,
		newState: 'resume' | 'stop',
		reply: unknown,
	): 'none' | 'resumed' | 'stopped' {
		this.advance(s, now);
		const t = s.current;
		if (!t || t.pub.state !== 'guardrail') return 'none';
		t.pub.guardrailReplies.push(reply);
		const fired = t.pub.guardrailsFired[t.pub.guardrailsFired.length - 1];
		if (fired) {
			fired.repliedAt = now;
			fired.reply = reply;
		}
		if (newState === 'stop') {
			this.finish(t, 'terminated', now, 'guardrail-stop');
			this.advance(s, now);
			return 'stopped';
		}
		t.waitingGuardrail = null;
		t.pub.state = 'running';
		if (!t.paused) t.runningSince = now;
		this.advance(s, now);
		return 'resumed';
	}

	/** Resolves when the task leaves 'running' (terminal or guardrail) or after ms. */
	wait(t: TaskRt, ms: number): { promise: Promise<void>; cancel: () => void } {
		let cancel: () => void = () => undefined;
		const promise = new Promise<void>((resolve) => {
			if (t.pub.state !== 'running') return resolve();
			let timer: NodeJS.Timeout | null = null;
			const done = () => {
				if (timer) clearTimeout(timer);
				timer = null;
				t.waiters.delete(done);
				this.holds.delete(done);
				resolve();
			};
			cancel = done;
			timer = setTimeout(done, Math.max(0, ms));
			t.waiters.add(done);
			this.holds.add(done);
		});
		return { promise, cancel: () => cancel() };
	}

	private notify(t: TaskRt): void {
		for (const w of [...t.waiters]) w();
	}

	private arm(t: TaskRt): void {
		this.clearTimer(t);
		if (t.runningSince === null) return;
		const ev = this.nextEvent(t);
		const wallAt = t.runningSince + (ev.atMs - t.workedMs);
		const delay = Math.max(1, Math.ceil(wallAt - this.clock()));
		t.timer = setTimeout(() => {
			t.timer = null;
			this.advance(t.session, this.clock());
		}, delay);
		t.timer.unref();
	}

	private clearTimer(t: TaskRt): void {
		if (t.timer) clearTimeout(t.timer);
		t.timer = null;
	}

	/** Stops every timer, wakes every held request, forgets everything. */
	clear(): void {
		for (const t of this.tasks) this.clearTimer(t);
		for (const h of [...this.holds]) h();
		this.holds.clear();
		this.tasks.length = 0;
		this.pubTasks.length = 0;
		this.taskById.clear();
		this.sessions.clear();
		this.pubSessions.clear();
	}
}
