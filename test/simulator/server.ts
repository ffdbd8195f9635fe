/**
 * HTTP layer of the simulator: routing, auth, rate limit, validation, holds, faults, control endpoints.
 */
import * as http from 'http';
import type { Socket } from 'net';
import { Engine, SessionRt, TaskRt } from './engine';
import { FaultQueue, ActiveFault, writeFault } from './faults';
import { RateLimiter } from './rateLimit';
import {
	PENDING_MESSAGE,
	chatCompletion,
	chatCompletionStream,
	modelsBody,
	pollBody,
	startReply,
	streamingOf,
	StartKind,
} from './responses';
import { ScriptMatch, resolveScript } from './scripts';
import type {
	FaultSpec,
	Generation,
	LoggedRequest,
	SimSession,
	SimTask,
	Simulator,
	SimulatorOptions,
	TaskScript,
} from './types';
import { isObject, pick } from './util';

type EffectiveOptions = Simulator['options'];

interface Reply {
	status: number;
	body?: any;
	text?: string;
	contentType?: string;
	headers?: Record<string, string>;
}

interface Ctx {
	req: http.IncomingMessage;
	res: http.ServerResponse;
	log: LoggedRequest;
	path: string;
	method: string;
	body: any;
	bodyError: boolean;
	apiKey?: string;
	headers: Record<string, string>;
	fault?: ActiveFault;
	aborted: boolean;
	cancels: Set<() => void>;
}

const MISSING_KEY = 'API key required. Provide Authorization: Bearer <api_key>';
const RATE_LIMITED = 'Rate limit exceeded. Please try again later.';
const LIMITED_ENDPOINTS = new Set(['run-task', 'start-session', 'send-message', 'chat-completions']);
const CHAT_HOLD_MS = 15 * 60 * 1000;

function defaults(o: SimulatorOptions = {}): EffectiveOptions {
	return {
		generation: o.generation ?? 'webrun',
		inlineWindowMs: o.inlineWindowMs ?? 50000,
		inlineGuardrail: o.inlineGuardrail ?? 'pending',
		rateLimit: o.rateLimit === undefined ? { limit: 10, windowMs: 60000 } : o.rateLimit,
		apiKeys: o.apiKeys,
		sessionLimit: o.sessionLimit,
		sessionLimitStatus: o.sessionLimitStatus ?? 429,
		busySession: o.busySession ?? 'reject',
		unknownSessionStatus: o.unknownSessionStatus ?? 404,
		defaultScript: o.defaultScript ?? {},
		port: o.port ?? 0,
		pollAuth: o.pollAuth ?? true,
		sessionIdleTimeoutMs: o.sessionIdleTimeoutMs === undefined ? 300000 : o.sessionIdleTimeoutMs,
		defaultBalance: o.defaultBalance ?? 12.5,
	};
}

function classify(method: string, path: string): string {
	const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
	if (method === 'POST') {
		if (p === '/start/run-task') return 'run-task';
		if (p === '/start/start-session') return 'start-session';
		if (p === '/start/send-message') return 'send-message';
		if (p === '/v1/chat/completions') return 'chat-completions';
	}
	if (method === 'GET') {
		if (/^\/task\/[^/]+\/[^/]+$/.test(p)) return 'poll';
		if (p === '/v1/models') return 'models';
		if (p === '/start/health') return 'health';
		if (p === '/start/active-sockets') return 'active-sockets';
	}
	return 'unknown';
}

function bearer(h: string | string[] | undefined): string | undefined {
	const v = Array.isArray(h) ? h[0] : h;
	if (!v) return undefined;
	const m = /^Bearer\s+(.+)$/i.exec(v.trim());
	const key = m?.[1]?.trim();
	return key ? key : undefined;
}

function json(status: number, body: any, headers?: Record<string, string>): Reply {
	return { status, body, headers };
}

/** Coded error envelope: {success:false, message, error (same text), code, details?}. */
function coded(status: number, code: string, message: string, details?: any): Reply {
	const body: any = { success: false, message, error: message, code };
	if (details !== undefined) body.details = details;
	return { status, body };
}

const OK_SENT: Reply = { status: 200, body: { success: true, message: 'Message sent successfully' } };

function readBody(req: http.IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (c: Buffer) => {
			size += c.length;
			if (size > 10 * 1024 * 1024) {
				reject(new Error('body too large'));
				req.destroy();
			} else chunks.push(c);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
		req.on('aborted', () => reject(new Error('aborted')));
	});
}

/** Task-level fields: flat (E / W1 run-task), initialTask (W1), task (W2). */
function taskLevel(b: Record<string, any>): Record<string, any> | undefined {
	if (isObject(b.task)) return b.task;
	if (isObject(b.initialTask)) return b.initialTask;
	return undefined;
}

function validateParams(objs: Array<Record<string, any> | undefined>): Reply | null {
	const limits: Array<[string, number]> = [
		['maxDuration', 300000],
		['maxInputTokens', 100000],
		['maxOutputTokens', 100000],
	];
	for (const o of objs) {
		if (!o) continue;
		for (const [field, max] of limits) {
			const v = o[field];
			if (v === undefined || v === null) continue;
			if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
				return coded(400, 'INVALID_PARAMETER', `Invalid parameter '${field}': must be a non-negative number`, {
					parameter: field,
					value: v,
				});
			}
			if (v > max) {
				return coded(400, 'INVALID_PARAMETER', `Invalid parameter '${field}': must be at most ${max}`, {
					parameter: field,
					value: v,
					max,
				});
			}
		}
		if (o.reachOutMode !== undefined && !['off', 'guardrail_only', 'full'].includes(o.reachOutMode)) {
			return coded(400, 'INVALID_PARAMETER', 'reachOutMode must be one of: off, guardrail_only, full', {
				parameter: 'reachOutMode',
				value: o.reachOutMode,
			});
		}
	}
	return null;
}

function missingTask(): Reply {
	return coded(400, 'MISSING_REQUIRED_FIELD', 'taskDetails is required', { field: 'taskDetails' });
}

export class SimulatorImpl implements Simulator {
	url = '';
	port = 0;
	readonly requests: LoggedRequest[] = [];
	private readonly engine: Engine;
	private readonly limiter = new RateLimiter();
	private readonly faultQueue = new FaultQueue();
	private scripts: Array<{ match: ScriptMatch; script: TaskScript }> = [];
	private opts: EffectiveOptions;
	private readonly initial: SimulatorOptions;
	private readonly server: http.Server;
	private readonly sockets = new Set<Socket>();
	private readonly timers = new Set<NodeJS.Timeout>();
	private seq = 0;
	private closed = false;

	constructor(o: SimulatorOptions = {}) {
		this.initial = { ...o };
		this.opts = defaults(o);
		this.engine = new Engine(
			() => Date.now(),
			() => this.opts.sessionIdleTimeoutMs,
		);
		this.server = http.createServer((req, res) => {
			this.onRequest(req, res).catch((err) => {
				try {
					if (!res.headersSent && !res.destroyed) {
						const text = JSON.stringify({ success: false, message: 'Internal server error', error: String(err) });
						res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
						res.end(text);
					}
				} catch {
					/* ignore */
				}
			});
		});
		this.server.keepAliveTimeout = 5000;
		this.server.on('connection', (s: Socket) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
		this.server.on('clientError', (_err, socket) => {
			try {
				socket.destroy();
			} catch {
				/* ignore */
			}
		});
	}

	listen(port: number): Promise<void> {
		return new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, '127.0.0.1', () => {
				const addr = this.server.address();
				if (addr && typeof addr === 'object') this.port = addr.port;
				this.url = `http://127.0.0.1:${this.port}`;
				this.server.off('error', reject);
				resolve();
			});
		});
	}

	// ---------------------------------------------------------------- public API

	get tasks(): SimTask[] {
		this.engine.advanceAll(Date.now());
		return this.engine.pubTasks;
	}

	get tasksStarted(): number {
		return this.engine.tasks.length;
	}

	get sessions(): Map<string, SimSession> {
		this.engine.advanceAll(Date.now());
		return this.engine.pubSessions;
	}

	get options(): EffectiveOptions {
		return this.opts;
	}

	task(taskId: string): SimTask | undefined {
		const t = this.engine.taskById.get(taskId);
		if (!t) return undefined;
		this.engine.advance(t.session, Date.now());
		return t.pub;
	}

	script(match: ScriptMatch, s: TaskScript): void {
		this.scripts.push({ match, script: s });
	}

	fault(f: FaultSpec): void {
		this.faultQueue.add(f);
	}

	configure(o: Partial<SimulatorOptions>): void {
		if (!isObject(o)) return;
		if (o.generation !== undefined && o.generation !== 'webrun' && o.generation !== 'enigma') {
			throw new Error(`unknown generation ${String(o.generation)}`);
		}
		const next: any = { ...this.opts };
		for (const [k, v] of Object.entries(o)) {
			if (k === 'port') continue;
			next[k] = v;
		}
		this.opts = next;
	}

	reset(): void {
		this.engine.clear();
		this.requests.length = 0;
		this.scripts = [];
		this.faultQueue.clear();
		this.limiter.reset();
		this.opts = defaults(this.initial);
		this.seq = 0;
	}

	count(endpoint: string): number {
		return this.requests.filter((r) => r.endpoint === endpoint || `${r.endpoint}:${r.action}` === endpoint).length;
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		this.engine.clear();
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
			for (const s of this.sockets) s.destroy();
		});
	}

	// ---------------------------------------------------------------- request pipeline

	private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const arrived = Date.now();
		const u = new URL(req.url ?? '/', 'http://127.0.0.1');
		const path = u.pathname;
		const method = (req.method ?? 'GET').toUpperCase();
		let raw: string;
		try {
			raw = await readBody(req);
		} catch {
			return;
		}
		if (path === '/__sim' || path.startsWith('/__sim/')) return this.control(method, path, raw, res);

		const endpoint = classify(method, path);
		let body: any = undefined;
		let bodyError = false;
		if (raw.length) {
			try {
				body = JSON.parse(raw);
			} catch {
				body = raw;
				bodyError = true;
			}
		}
		const apiKey = bearer(req.headers.authorization);
		const log: LoggedRequest = {
			seq: ++this.seq,
			time: arrived,
			method,
			path,
			endpoint,
			apiKey,
			headers: { ...req.headers },
			body,
		};
		if (endpoint === 'send-message' && isObject(body) && isObject(body.message)) {
			const a = body.message.actionType;
			if (typeof a === 'string') log.action = a;
		}
		this.requests.push(log);
		const ctx: Ctx = {
			req,
			res,
			log,
			path,
			method,
			body,
			bodyError,
			apiKey,
			headers: {},
			aborted: false,
			cancels: new Set(),
		};
		res.on('close', () => {
			if (!res.writableFinished) {
				ctx.aborted = true;
				if (log.fault !== 'drop-after-accept' && log.fault !== 'drop-before') log.clientAborted = true;
				for (const c of [...ctx.cancels]) c();
			}
		});

		const fault = this.faultQueue.take(endpoint, log.action);
		if (fault) {
			log.fault = fault.kind;
			if (fault.kind !== 'drop-after-accept' && fault.kind !== 'delay') {
				const status = writeFault(fault, res, () => this.cannedBody(endpoint));
				log.status = status;
				if (status !== undefined) log.respondedAt = Date.now();
				return;
			}
			ctx.fault = fault;
		}

		let reply: Reply;
		try {
			reply = await this.route(ctx);
		} catch (err) {
			reply = coded(500, 'INTERNAL_ERROR', `Internal server error: ${String(err)}`);
		}
		await this.send(ctx, reply);
	}

	private async send(ctx: Ctx, reply: Reply): Promise<void> {
		const { res, log, fault } = ctx;
		if (fault?.kind === 'delay' && (fault.delayMs ?? 0) > 0) {
			await new Promise<void>((resolve) => {
				const t = setTimeout(() => {
					this.timers.delete(t);
					resolve();
				}, fault.delayMs);
				this.timers.add(t);
				ctx.cancels.add(() => {
					clearTimeout(t);
					this.timers.delete(t);
					resolve();
				});
			});
		}
		if (fault?.kind === 'drop-after-accept') {
			res.socket?.destroy();
			return;
		}
		if (ctx.aborted || this.closed || res.destroyed || res.headersSent) return;
		const payload = reply.text ?? JSON.stringify(reply.body ?? {});
		const headers: Record<string, string> = {
			'Content-Type': reply.contentType ?? 'application/json; charset=utf-8',
			'Content-Length': String(Buffer.byteLength(payload)),
			...ctx.headers,
			...(reply.headers ?? {}),
		};
		res.writeHead(reply.status, headers);
		res.end(payload);
		log.status = reply.status;
		log.respondedAt = Date.now();
	}

	private cannedBody(endpoint: string): any {
		if (endpoint === 'poll') {
			return {
				success: true,
				sessionId: 'a1b2c3d4e5f6',
				taskId: 'x9y8z7w6v5u4',
				status: 'running',
				usage: { prompt_tokens: 8000, completion_tokens: 2100, total_tokens: 10100, completion_time: 12.3, cost: 0.0067 },
			};
		}
		if (endpoint === 'models') return modelsBody(this.opts.generation);
		return {
			success: true,
			sessionId: 'a1b2c3d4e5f6',
			taskId: 'x9y8z7w6v5u4',
			status: 'pending',
			pollUrl: `${this.url}/task/a1b2c3d4e5f6/x9y8z7w6v5u4`,
			message: PENDING_MESSAGE,
		};
	}

	private async route(ctx: Ctx): Promise<Reply> {
		const endpoint = ctx.log.endpoint;
		switch (endpoint) {
			case 'health':
				return json(200, {
					success: true,
					status: 'healthy',
					instancesAvailable: true,
					instanceCount: 5,
					timestamp: new Date().toISOString(),
				});
			case 'active-sockets':
				return json(200, { success: true, sockets: [], count: 0, timestamp: new Date().toISOString() });
			case 'models':
				return this.auth(ctx) ?? json(200, modelsBody(this.opts.generation));
			case 'poll': {
				if (this.opts.pollAuth) {
					const a = this.auth(ctx);
					if (a) return a;
				}
				return this.poll(ctx);
			}
			default:
				break;
		}
		if (!LIMITED_ENDPOINTS.has(endpoint)) {
			return json(404, { success: false, message: `Cannot ${ctx.method} ${ctx.path}` });
		}
		const a = this.auth(ctx);
		if (a) return a;
		const r = this.rateLimit(ctx);
		if (r) return r;
		if (ctx.bodyError) return coded(400, 'INVALID_PARAMETER', 'Malformed JSON body');
		switch (endpoint) {
			case 'run-task':
				return this.runTask(ctx);
			case 'start-session':
				return this.startSession(ctx);
			case 'send-message':
				return this.sendMessage(ctx);
			default:
				return this.chat(ctx);
		}
	}

	// ---------------------------------------------------------------- middleware

	private auth(ctx: Ctx): Reply | null {
		const key = ctx.apiKey;
		if (!key) return json(401, { success: false, message: MISSING_KEY });
		const keys = this.opts.apiKeys;
		if (keys) {
			const cfg = Object.prototype.hasOwnProperty.call(keys, key) ? keys[key] : undefined;
			if (!cfg) return coded(401, 'INVALID_API_KEY', 'Invalid or revoked API key');
			if (cfg.deactivated) return json(403, { success: false, message: 'Account is deactivated' });
		}
		return null;
	}

	private rateLimit(ctx: Ctx): Reply | null {
		const rl = this.opts.rateLimit;
		if (!rl) return null;
		const d = this.limiter.check(ctx.apiKey as string, rl.limit, rl.windowMs, Date.now());
		Object.assign(ctx.headers, d.headers);
		if (d.allowed) return null;
		return coded(429, 'RATE_LIMIT_EXCEEDED', RATE_LIMITED);
	}

	private balanceOf(key: string): number {
		const b = this.opts.apiKeys?.[key]?.balance;
		return typeof b === 'number' ? b : this.opts.defaultBalance;
	}

	private balanceCheck(key: string): Reply | null {
		const balance = this.balanceOf(key);
		if (balance < 0.5) return json(402, { success: false, message: 'Insufficient balance.', balance });
		return null;
	}

	private sessionLimitCheck(key: string): Reply | null {
		const limit = this.opts.apiKeys?.[key]?.sessionLimit ?? this.opts.sessionLimit;
		if (limit === undefined || limit === null) return null;
		const now = Date.now();
		let current = 0;
		for (const s of this.engine.sessions.values()) {
			if (s.pub.apiKey !== key || s.pub.state !== 'active') continue;
			this.engine.advance(s, now);
			if (s.pub.state === 'active') current++;
		}
		if (current < limit) return null;
		return coded(
			this.opts.sessionLimitStatus,
			'SESSION_LIMIT_REACHED',
			`Maximum concurrent sessions reached (limit: ${limit})`,
			{ current, limit },
		);
	}

	// ---------------------------------------------------------------- tasks

	private newTask(
		s: SessionRt,
		text: string,
		levels: Array<Record<string, any> | undefined>,
		forceTerminate: boolean,
		now: number,
	): TaskRt {
		const { script, cleanText } = resolveScript(text, this.scripts, this.opts.defaultScript);
		const options: Record<string, any> = {};
		for (const l of levels) {
			if (!l) continue;
			for (const k of [
				'maxDuration',
				'maxInputTokens',
				'maxOutputTokens',
				'startingUrl',
				'startingPoint',
				'terminateOnCompletion',
				'outputType',
				'outputSchema',
				'avoidDomains',
				'files',
				'secrets',
				'webhook',
				'environmentId',
				'profileId',
				'policyId',
				'proxy',
				'reachOutMode',
				'mode',
			]) {
				if (l[k] !== undefined && options[k] === undefined) options[k] = l[k];
			}
		}
		const firstTask = s.pub.taskIds.length === 0;
		const terminateOnCompletion =
			forceTerminate || options.terminateOnCompletion === true || (firstTask && s.pub.terminateOnCompletion);
		const startingUrl = pick<string>(options.startingUrl, options.startingPoint);
		const t = this.engine.createTask(s, {
			text,
			cleanText,
			script,
			terminateOnCompletion,
			maxDuration: typeof options.maxDuration === 'number' ? options.maxDuration : undefined,
			startingUrl: typeof startingUrl === 'string' ? startingUrl : undefined,
			options,
			now,
		});
		return t;
	}

	private async hold(ctx: Ctx, t: TaskRt, ms: number): Promise<void> {
		const w = this.engine.wait(t, ms);
		ctx.cancels.add(w.cancel);
		await w.promise;
		ctx.cancels.delete(w.cancel);
		this.engine.advance(t.session, Date.now());
	}

	private async holdAndAnswer(ctx: Ctx, t: TaskRt, kind: StartKind): Promise<Reply> {
		await this.hold(ctx, t, this.opts.inlineWindowMs);
		const body = startReply(
			this.opts.generation,
			kind,
			this.engine,
			t,
			Date.now(),
			this.url,
			this.opts.inlineGuardrail,
		);
		return json(200, body);
	}

	private async runTask(ctx: Ctx): Promise<Reply> {
		const key = ctx.apiKey as string;
		const b: Record<string, any> = isObject(ctx.body) ? ctx.body : {};
		const tl = taskLevel(b);
		const text = pick(b.taskDetails, b.prompt, tl?.prompt, tl?.taskDetails);
		if (typeof text !== 'string' || !text.trim()) return missingTask();
		const invalid = validateParams([b, tl]);
		if (invalid) return invalid;
		const noMoney = this.balanceCheck(key);
		if (noMoney) return noMoney;
		const limited = this.sessionLimitCheck(key);
		if (limited) return limited;
		const now = Date.now();
		const s = this.engine.createSession(key, 'run-task', true, ctx.body, now);
		const t = this.newTask(s, text, [tl, b], true, now);
		ctx.log.sessionId = s.pub.sessionId;
		ctx.log.taskId = t.pub.taskId;
		return this.holdAndAnswer(ctx, t, 'run-task');
	}

	private startSession(ctx: Ctx): Reply {
		const key = ctx.apiKey as string;
		const b: Record<string, any> = isObject(ctx.body) ? ctx.body : {};
		const tl = taskLevel(b);
		const text = pick(tl?.prompt, tl?.taskDetails, b.taskDetails, b.prompt);
		if (text !== undefined && typeof text !== 'string') {
			return coded(400, 'INVALID_PARAMETER', "Invalid parameter 'taskDetails': must be a string", {
				parameter: 'taskDetails',
			});
		}
		const invalid = validateParams([b, tl]);
		if (invalid) return invalid;
		const noMoney = this.balanceCheck(key);
		if (noMoney) return noMoney;
		const limited = this.sessionLimitCheck(key);
		if (limited) return limited;
		const now = Date.now();
		const toc = pick(tl?.terminateOnCompletion, b.terminateOnCompletion) === true;
		const s = this.engine.createSession(key, 'start-session', toc, ctx.body, now);
		ctx.log.sessionId = s.pub.sessionId;
		let t: TaskRt | undefined;
		if (typeof text === 'string' && text.trim()) {
			t = this.newTask(s, text, [tl, b], false, now);
			ctx.log.taskId = t.pub.taskId;
		}
		const body: Record<string, any> = { success: true, sessionId: s.pub.sessionId };
		if (t) body.taskId = t.pub.taskId;
		body.socketURL = this.url;
		body.streaming = streamingOf(this.opts.generation, s.pub.sessionId);
		if (typeof text === 'string' && text) body.initialPrompt = text;
		body.expiresIn = 300000;
		body.balance = this.balanceOf(key);
		body.message = 'Connect to instance using sessionId in auth';
		return json(200, body);
	}

	private unknownSession(sid: string): Reply {
		if (this.opts.unknownSessionStatus === 401) {
			return json(401, { success: false, message: 'Session not found or unauthorized' });
		}
		return coded(404, 'SESSION_NOT_FOUND', `Session ${sid} does not exist or has expired`);
	}

	private async sendMessage(ctx: Ctx): Promise<Reply> {
		const key = ctx.apiKey as string;
		const b = ctx.body;
		if (!isObject(b) || b.sessionId === undefined || b.sessionId === null || b.sessionId === '' || !isObject(b.message)) {
			return coded(400, 'MISSING_REQUIRED_FIELD', 'sessionId and message are required', {
				field: !isObject(b) || !b.sessionId ? 'sessionId' : 'message',
			});
		}
		const sid = String(b.sessionId);
		const now = Date.now();
		const s = this.engine.sessions.get(sid);
		if (s) this.engine.advance(s, now);
		if (!s || s.pub.state !== 'active' || s.pub.apiKey !== key) return this.unknownSession(sid);
		ctx.log.sessionId = sid;
		const m = b.message as Record<string, any>;
		const action = m.actionType;
		switch (action) {
			case 'newTask': {
				if (m.newState !== undefined && m.newState !== 'start') {
					return coded(400, 'INVALID_PARAMETER', 'newState must be "start" for actionType newTask', {
						parameter: 'newState',
						value: m.newState,
					});
				}
				const tl = isObject(m.task) ? m.task : undefined;
				const text = pick(m.taskDetails, m.prompt, tl?.prompt, tl?.taskDetails);
				if (typeof text !== 'string' || !text.trim()) return missingTask();
				const invalid = validateParams([m, tl]);
				if (invalid) return invalid;
				const noMoney = this.balanceCheck(key);
				if (noMoney) return noMoney;
				if (this.engine.busy(s) && this.opts.busySession !== 'queue') {
					return coded(409, 'TASK_ALREADY_RUNNING', 'A task is already running in this session', {
						sessionId: sid,
						taskId: s.current?.pub.taskId,
					});
				}
				s.lastActivity = now;
				const t = this.newTask(s, text, [tl, m], false, now);
				ctx.log.taskId = t.pub.taskId;
				return this.holdAndAnswer(ctx, t, 'send-message');
			}
			case 'state': {
				s.lastActivity = now;
				switch (m.newState) {
					case 'pause':
						this.engine.pause(s, now);
						return OK_SENT;
					case 'resume':
						this.engine.resume(s, now);
						return OK_SENT;
					case 'stop':
						this.engine.stopTask(s, now, 'stop');
						return OK_SENT;
					case 'terminate':
						this.engine.endSession(s, 'terminated', now);
						return OK_SENT;
					default:
						return coded(400, 'INVALID_PARAMETER', 'newState must be one of: pause, resume, stop, terminate', {
							parameter: 'newState',
							value: m.newState,
						});
				}
			}
			case 'guardrail': {
				const ns = m.newState === undefined ? 'resume' : m.newState;
				if (ns !== 'resume' && ns !== 'stop') {
					return coded(400, 'INVALID_PARAMETER', 'newState must be "resume" or "stop" for actionType guardrail', {
						parameter: 'newState',
						value: m.newState,
					});
				}
				s.lastActivity = now;
				const text = pick(m.taskDetails, m.prompt);
				const r = this.engine.guardrailReply(s, now, ns, { text, newState: ns, at: now, message: m });
				if (r === 'none') {
					return coded(409, 'NO_GUARDRAIL_PENDING', 'No guardrail is pending in this session', { sessionId: sid });
				}
				return OK_SENT;
			}
			case 'interaction': {
				s.lastActivity = now;
				const type = isObject(m.action) ? m.action.type : undefined;
				if (type === 'takeOverControl') this.engine.pause(s, now);
				else if (type === 'releaseControl') this.engine.resume(s, now);
				return OK_SENT;
			}
			default:
				return coded(400, 'INVALID_PARAMETER', 'actionType must be one of: newTask, state, interaction, guardrail', {
					parameter: 'actionType',
					value: action,
				});
		}
	}

	private poll(ctx: Ctx): Reply {
		const parts = ctx.path.replace(/\/$/, '').split('/');
		let sid = parts[2] ?? '';
		let tid = parts[3] ?? '';
		try {
			sid = decodeURIComponent(sid);
			tid = decodeURIComponent(tid);
		} catch {
			/* keep raw */
		}
		const t = this.engine.taskById.get(tid);
		const ownerOk = !this.opts.pollAuth || !ctx.apiKey || t?.pub.apiKey === ctx.apiKey;
		if (!t || t.pub.sessionId !== sid || !ownerOk) {
			return coded(404, 'TASK_NOT_FOUND', `Task ${tid} not found in session ${sid}`);
		}
		ctx.log.sessionId = sid;
		ctx.log.taskId = tid;
		const now = Date.now();
		this.engine.advance(t.session, now);
		t.pub.polls++;
		return json(200, pollBody(this.opts.generation, this.engine, t, now));
	}

	private async chat(ctx: Ctx): Promise<Reply> {
		const key = ctx.apiKey as string;
		const b: Record<string, any> = isObject(ctx.body) ? ctx.body : {};
		const oaError = (status: number, message: string, type: string, code: string): Reply =>
			json(status, { error: { message, type, code } });
		if (!Array.isArray(b.messages) || b.messages.length === 0) {
			return oaError(400, 'messages is required', 'invalid_request_error', 'invalid_request');
		}
		if (typeof b.model !== 'string' || !b.model) {
			return oaError(400, 'model is required', 'invalid_request_error', 'invalid_request');
		}
		const users = b.messages.filter((m: any) => isObject(m) && m.role === 'user');
		const last = users[users.length - 1];
		let text = '';
		if (last) {
			if (typeof last.content === 'string') text = last.content;
			else if (Array.isArray(last.content)) {
				text = last.content.map((p: any) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join(' ');
			}
		}
		if (!text.trim()) return oaError(400, 'a user message is required', 'invalid_request_error', 'invalid_request');
		const noMoney = this.balanceCheck(key);
		if (noMoney) return noMoney;
		const limited = this.sessionLimitCheck(key);
		if (limited) return limited;
		const now = Date.now();
		const s = this.engine.createSession(key, 'chat-completions', true, ctx.body, now);
		const t = this.newTask(s, text, [b], true, now);
		ctx.log.sessionId = s.pub.sessionId;
		ctx.log.taskId = t.pub.taskId;
		await this.hold(ctx, t, CHAT_HOLD_MS);
		const at = Date.now();
		const gen: Generation = this.opts.generation;
		switch (t.pub.state) {
			case 'completed':
				if (b.stream === true) {
					return {
						status: 200,
						text: chatCompletionStream(gen, this.engine, t, at, b.model),
						contentType: 'text/event-stream',
					};
				}
				return json(200, chatCompletion(gen, this.engine, t, at, b.model));
			case 'guardrail': {
				const g = t.pub.guardrailsFired[t.pub.guardrailsFired.length - 1];
				this.engine.endSession(s, 'guardrail', at);
				return oaError(400, `Guardrail triggered: ${g?.value ?? ''}`, 'guardrail_error', 'guardrail_triggered');
			}
			case 'failed':
				return oaError(500, t.failError, 'task_failed', t.failCode);
			case 'terminated':
				return oaError(500, 'Session terminated', 'task_failed', 'session_terminated');
			default:
				return oaError(504, 'Task still running', 'timeout', 'timeout');
		}
	}

	// ---------------------------------------------------------------- control endpoints (not logged)

	private control(method: string, path: string, raw: string, res: http.ServerResponse): void {
		const send = (status: number, body: any) => {
			const text = JSON.stringify(body);
			res.writeHead(status, {
				'Content-Type': 'application/json; charset=utf-8',
				'Content-Length': String(Buffer.byteLength(text)),
			});
			res.end(text);
		};
		let body: any = undefined;
		if (raw.length) {
			try {
				body = JSON.parse(raw);
			} catch {
				return send(400, { success: false, message: 'Malformed JSON body' });
			}
		}
		const p = path.replace(/\/$/, '');
		try {
			if (method === 'GET' && p === '/__sim/requests') return send(200, this.requests);
			if (method === 'GET' && p === '/__sim/tasks') return send(200, this.tasks);
			if (method === 'GET' && p === '/__sim/sessions') return send(200, [...this.sessions.values()]);
			if (method === 'GET' && p === '/__sim/options') return send(200, this.opts);
			if (method === 'GET' && p === '/__sim/faults') return send(200, this.faultQueue.list());
			if (method === 'POST' && p === '/__sim/reset') {
				this.reset();
				return send(200, { success: true });
			}
			if (method === 'POST' && p === '/__sim/configure') {
				this.configure(body ?? {});
				return send(200, { success: true, options: this.opts });
			}
			if (method === 'POST' && p === '/__sim/fault') {
				const list = Array.isArray(body) ? body : [body];
				for (const f of list) this.fault(f);
				return send(200, { success: true });
			}
			if (method === 'POST' && p === '/__sim/script') {
				if (!isObject(body) || !isObject(body.script)) {
					return send(400, { success: false, message: 'body must be {match: string, script: {...}}' });
				}
				let match: ScriptMatch;
				if (typeof body.regex === 'string') match = new RegExp(body.regex, typeof body.flags === 'string' ? body.flags : '');
				else if (typeof body.match === 'string') match = body.match;
				else return send(400, { success: false, message: 'match (string) or regex (string) is required' });
				this.script(match, body.script);
				return send(200, { success: true });
			}
		} catch (err) {
			return send(400, { success: false, message: String((err as Error)?.message ?? err) });
		}
		return send(404, { success: false, message: `Unknown control endpoint ${method} ${path}` });
	}
}

export async function startSimulator(o: SimulatorOptions = {}): Promise<Simulator> {
	const sim = new SimulatorImpl(o);
	await sim.listen(o.port ?? 0);
	return sim;
}
