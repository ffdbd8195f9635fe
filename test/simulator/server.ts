/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	@n8n/community-nodes/no-restricted-imports --
	test tooling (the loopback API simulator): runs in Node,
	never shipped or loaded by n8n. See README.md, Development. */
/**
 * HTTP layer of the simulator: routing, auth, rate limit, validation, holds, faults, control endpoints.
 */
import * as http from 'http';
import type { Socket } from 'net';
import { createHash } from 'crypto';
import { Engine, SessionRt, TaskRt } from './engine';
import { FaultQueue, ActiveFault, writeFault } from './faults';
import { FileServer, FileStore, boundaryOf, newFileId, parseMultipart, sha256 } from './files';
import { RateLimiter } from './rateLimit';
import {
	ReadKind,
	ReadResult,
	checkLimits,
	checkOutput,
	checkProxy,
	checkSecrets,
	readRequest,
} from './requests';
import {
	PENDING_MESSAGE,
	modelsBody,
	pollBody,
	startReply,
	streamingOf,
	StartKind,
} from './responses';
import { ScriptMatch, resolveScript } from './scripts';
import { structuredOutput } from './structured';
import type {
	EnvironmentSpec,
	FaultSpec,
	LoggedRequest,
	SimDownload,
	SimSession,
	SimTask,
	SimUpload,
	Simulator,
	SimulatorOptions,
	TaskScript,
} from './types';
import { isObject } from './util';

type EffectiveOptions = Simulator['options'];

interface Reply {
	status: number;
	body?: unknown;
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
	body: unknown;
	bodyError: boolean;
	/** The raw body (multipart uploads). */
	raw: Buffer;
	tooLarge: boolean;
	apiKey?: string;
	headers: Record<string, string>;
	fault?: ActiveFault;
	aborted: boolean;
	cancels: Set<() => void>;
}

const MISSING_KEY = 'API key required. Provide Authorization: Bearer <api_key>';
const RATE_LIMITED = 'Rate limit exceeded. Please try again later.';
const LIMITED_ENDPOINTS = new Set(['run-task', 'start-session', 'send-message', 'upload']);
const BODY_LIMIT = 10 * 1024 * 1024;
const UPLOAD_LIMIT = 64 * 1024 * 1024;
const REQUEST_GENERATIONS = ['any', 'E', 'W1', 'W2'];

/**
 * Sample environments (docs/webrun-api-notes.md#environments shape; 24-hex ids as in the docs'
 * examples).
 */
export const DEFAULT_ENVIRONMENTS: EnvironmentSpec[] = [
	{
		_id: '683a1f2e4b0c1d2e3f4a5b6c',
		name: 'Amazon (logged in)',
		description: 'Chrome profile logged in to amazon.com',
		status: 'ready',
	},
	{
		_id: '683a1f2e4b0c1d2e3f4a5b6d',
		name: 'Salesforce CRM',
		description: 'Sales team login',
		status: 'ready',
	},
	{ _id: '683a1f2e4b0c1d2e3f4a5b6e', name: 'Fresh profile', description: '', status: 'empty' },
];
const ENV_USER_ID = '67f1a2b3c4d5e6f708192a3b';

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
		requestGeneration: o.requestGeneration ?? 'any',
		w2FlatSession: o.w2FlatSession ?? 'ignore',
		environments: o.environments ?? DEFAULT_ENVIRONMENTS,
	};
}

function classify(method: string, path: string): string {
	const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
	if (method === 'POST') {
		if (p === '/start/run-task') return 'run-task';
		if (p === '/start/start-session') return 'start-session';
		if (p === '/start/send-message') return 'send-message';
		if (p === '/files/upload') return 'upload';
	}
	if (method === 'GET') {
		if (/^\/task\/[^/]+\/[^/]+$/.test(p)) return 'poll';
		if (p === '/v1/models') return 'models';
		if (p === '/start/health') return 'health';
		if (p === '/start/active-sockets') return 'active-sockets';
		if (p === '/environments') return 'environments';
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

function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
	return { status, body, headers };
}

/** Coded error envelope: {success:false, message, error (same text), code, details?}. */
function coded(status: number, code: string, message: string, details?: unknown): Reply {
	const body: Record<string, unknown> = { success: false, message, error: message, code };
	if (details !== undefined) body.details = details;
	return { status, body };
}

const OK_SENT: Reply = {
	status: 200,
	body: { success: true, message: 'Message sent successfully' },
};

/** Reads the whole body; past `limit` bytes it keeps reading but stops keeping (tooLarge). */
function readBody(
	req: http.IncomingMessage,
	limit: number,
): Promise<{ buf: Buffer; tooLarge: boolean }> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		req.on('data', (c: Buffer) => {
			size += c.length;
			if (size > limit) {
				tooLarge = true;
				chunks.length = 0;
			} else chunks.push(c);
		});
		req.on('end', () => resolve({ buf: Buffer.concat(chunks), tooLarge }));
		req.on('error', reject);
		req.on('aborted', () => reject(new Error('aborted')));
	});
}

function encodePath(s: string): string {
	return encodeURIComponent(s);
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
	private readonly store = new FileStore();
	private readonly fileServer = new FileServer(this.store);
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
						const text = JSON.stringify({
							success: false,
							message: 'Internal server error',
							error: String(err),
						});
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

	async listen(port: number): Promise<void> {
		await this.fileServer.listen();
		await new Promise<void>((resolve, reject) => {
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

	get filesUrl(): string {
		return this.fileServer.url;
	}

	get downloads(): SimDownload[] {
		return this.store.downloads;
	}

	get uploads(): SimUpload[] {
		return this.store.uploads;
	}

	count429(): number {
		return this.requests.filter((r) => r.status === 429).length;
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
		if (o.requestGeneration !== undefined && !REQUEST_GENERATIONS.includes(o.requestGeneration)) {
			throw new Error(`unknown requestGeneration ${String(o.requestGeneration)} (any, E, W1, W2)`);
		}
		const next: Record<string, unknown> = { ...this.opts };
		for (const [k, v] of Object.entries(o)) {
			if (k === 'port') continue;
			next[k] = v;
		}
		this.opts = next as EffectiveOptions;
	}

	reset(): void {
		this.engine.clear();
		this.store.clear();
		this.requests.length = 0;
		this.scripts = [];
		this.faultQueue.clear();
		this.limiter.reset();
		this.opts = defaults(this.initial);
		this.seq = 0;
	}

	count(endpoint: string): number {
		return this.requests.filter(
			(r) => r.endpoint === endpoint || `${r.endpoint}:${r.action}` === endpoint,
		).length;
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		this.engine.clear();
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
		await Promise.all([
			new Promise<void>((resolve) => {
				this.server.close(() => resolve());
				this.server.closeAllConnections();
				for (const s of this.sockets) s.destroy();
			}),
			this.fileServer.close(),
		]);
	}

	// ---------------------------------------------------------------- request pipeline

	private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const arrived = Date.now();
		const u = new URL(req.url ?? '/', 'http://127.0.0.1');
		const path = u.pathname;
		const method = (req.method ?? 'GET').toUpperCase();
		const endpoint = classify(method, path);
		let raw: Buffer;
		let tooLarge: boolean;
		try {
			({ buf: raw, tooLarge } = await readBody(
				req,
				endpoint === 'upload' ? UPLOAD_LIMIT : BODY_LIMIT,
			));
		} catch {
			return;
		}
		if (path === '/__sim' || path.startsWith('/__sim/'))
			return this.control(method, path, raw.toString('utf8'), res);
		const dl = /^\/files\/download\/(.+)$/.exec(path);
		if (dl && (method === 'GET' || method === 'HEAD'))
			return this.store.serve(req, res, 'api', path, dl[1]);

		let body: unknown = undefined;
		let bodyError = false;
		if (raw.length && endpoint !== 'upload' && !tooLarge) {
			const text = raw.toString('utf8');
			try {
				body = JSON.parse(text);
			} catch {
				body = text;
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
			fields: {},
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
			raw,
			tooLarge,
			apiKey,
			headers: {},
			aborted: false,
			cancels: new Set(),
		};
		res.on('close', () => {
			if (!res.writableFinished) {
				ctx.aborted = true;
				if (log.fault !== 'drop-after-accept' && log.fault !== 'drop-before')
					log.clientAborted = true;
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

	private cannedBody(endpoint: string): unknown {
		if (endpoint === 'poll') {
			return {
				success: true,
				sessionId: 'a1b2c3d4e5f6',
				taskId: 'x9y8z7w6v5u4',
				status: 'running',
				usage: {
					prompt_tokens: 8000,
					completion_tokens: 2100,
					total_tokens: 10100,
					completion_time: 12.3,
					cost: 0.0067,
				},
			};
		}
		if (endpoint === 'models') return modelsBody(this.opts.generation);
		if (endpoint === 'environments') return this.environmentsBody();
		if (endpoint === 'upload') {
			return {
				success: true,
				files: [{ fileId: 'abc123', originalName: 'document.pdf', size: 102400 }],
			};
		}
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
				return json(200, {
					success: true,
					sockets: [],
					count: 0,
					timestamp: new Date().toISOString(),
				});
			case 'models':
				return this.auth(ctx) ?? json(200, modelsBody(this.opts.generation));
			case 'environments':
				return this.auth(ctx) ?? json(200, this.environmentsBody());
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
		if (ctx.tooLarge) return coded(413, 'PAYLOAD_TOO_LARGE', 'Request body too large');
		if (ctx.bodyError) return coded(400, 'INVALID_PARAMETER', 'Malformed JSON body');
		switch (endpoint) {
			case 'run-task':
				return this.runTask(ctx);
			case 'start-session':
				return this.startSession(ctx);
			case 'send-message':
				return this.sendMessage(ctx);
			default:
				return this.upload(ctx);
		}
	}

	private environmentsBody(): unknown {
		const list = Array.isArray(this.opts.environments) ? this.opts.environments : [];
		return {
			success: true,
			environments: list.map((e) => ({
				_id: e._id ?? e.id ?? createHash('sha1').update(String(e.name)).digest('hex').slice(0, 24),
				userId: e.userId ?? ENV_USER_ID,
				name: e.name,
				description: e.description ?? '',
				status: e.status ?? 'ready',
				createdAt: e.createdAt ?? '2026-02-09T12:00:00.000Z',
				updatedAt: e.updatedAt ?? '2026-02-09T12:30:00.000Z',
			})),
		};
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
		if (balance < 0.5)
			return json(402, { success: false, message: 'Insufficient balance.', balance });
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

	// ---------------------------------------------------------------- reading requests

	/** Reads the concepts of the current request generation and records where they came from. */
	private read(ctx: Ctx, kind: ReadKind, body: unknown): ReadResult {
		const r = readRequest(this.opts.requestGeneration, kind, body);
		Object.assign(ctx.log.fields, r.fields);
		return r;
	}

	/** 400 for a missing task text, worded as the generation's docs do. */
	private missingText(kind: ReadKind): Reply {
		if (this.opts.requestGeneration === 'W2') {
			const message =
				kind === 'new-task' || kind === 'guardrail'
					? 'Missing message.prompt'
					: 'Missing task.prompt';
			return json(400, { success: false, message });
		}
		return missingTask();
	}

	/** Validates the values read: caps, reachOutMode, proxy, secrets, outputType/Schema, fileIds. */
	private checkValues(key: string, values: Record<string, unknown>): Reply | null {
		const bad =
			checkLimits(values) ??
			(values.proxy !== undefined ? checkProxy(values.proxy) : null) ??
			(values.secrets !== undefined ? checkSecrets(values.secrets) : null) ??
			checkOutput(values.outputType, values.outputSchema);
		if (bad) return coded(400, 'INVALID_PARAMETER', bad.message, bad.details);
		const files = values.files;
		if (files !== undefined) {
			if (!Array.isArray(files) || files.some((f) => typeof f !== 'string')) {
				return coded(
					400,
					'INVALID_PARAMETER',
					"Invalid parameter 'files': must be an array of fileIds",
					{
						parameter: 'files',
					},
				);
			}
			for (const id of files) {
				const f = this.store.uploaded.get(id);
				if (!f || f.apiKey !== key) {
					return coded(
						400,
						'INVALID_PARAMETER',
						`Invalid parameter 'files': unknown fileId ${id}`,
						{
							parameter: 'files',
							value: id,
						},
					);
				}
			}
		}
		return null;
	}

	// ---------------------------------------------------------------- tasks

	private newTask(
		s: SessionRt,
		text: string,
		read: ReadResult,
		forceTerminate: boolean,
		now: number,
	): TaskRt {
		const { script, cleanText } = resolveScript(text, this.scripts, this.opts.defaultScript);
		const options: Record<string, unknown> = { ...read.values };
		const firstTask = s.pub.taskIds.length === 0;
		const terminateOnCompletion =
			forceTerminate ||
			options.terminateOnCompletion === true ||
			(firstTask && s.pub.terminateOnCompletion);
		const output = script.messageSet
			? null
			: structuredOutput(options.outputType, options.outputSchema, script.structured);
		if (output) script.message = output.message;
		const t = this.engine.createTask(s, {
			text,
			cleanText,
			script,
			terminateOnCompletion,
			maxDuration: typeof options.maxDuration === 'number' ? options.maxDuration : undefined,
			startingUrl: typeof options.startingUrl === 'string' ? options.startingUrl : undefined,
			options,
			fields: { ...read.fields },
			now,
		});
		if (output) t.pub.output = output;
		if (script.downloads.length) this.addDownloads(t);
		return t;
	}

	/**
	 * Blobs for the script's downloads, and their data.files entries
	 * (docs/webrun-api-notes.md#files).
	 */
	private addDownloads(t: TaskRt): void {
		const specs = t.script.downloads;
		const base = t.pub.startedAt ?? t.pub.createdAt;
		t.pub.downloads = [];
		specs.forEach((spec, i) => {
			const blob = this.store.addBlob(spec, t.pub.taskId);
			const name = encodePath(blob.filename);
			const downloadUrl =
				spec.url ??
				(spec.sameOrigin
					? `${this.url}/files/download/${blob.id}/${name}`
					: `${this.fileServer.url}/files/${blob.id}/${name}`);
			t.downloadFiles.push({
				source: spec.source ?? `https://www.example.com/downloads/${name}`,
				downloadUrl,
				filename: blob.filename,
				timestamp: Math.round(base + (t.script.durationMs * (i + 1)) / (specs.length + 1)),
			});
			t.pub.downloads?.push({ blobId: blob.id, filename: blob.filename, downloadUrl });
		});
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
		const read = this.read(ctx, 'run-task', ctx.body);
		const text = read.text;
		if (typeof text !== 'string' || !text.trim()) return this.missingText('run-task');
		const invalid = this.checkValues(key, read.values);
		if (invalid) return invalid;
		const noMoney = this.balanceCheck(key);
		if (noMoney) return noMoney;
		const limited = this.sessionLimitCheck(key);
		if (limited) return limited;
		const now = Date.now();
		const s = this.engine.createSession(key, 'run-task', true, ctx.body, now);
		const t = this.newTask(s, text, read, true, now);
		ctx.log.sessionId = s.pub.sessionId;
		ctx.log.taskId = t.pub.taskId;
		return this.holdAndAnswer(ctx, t, 'run-task');
	}

	private startSession(ctx: Ctx): Reply {
		const key = ctx.apiKey as string;
		const b: Record<string, unknown> = isObject(ctx.body) ? ctx.body : {};
		const read = this.read(ctx, 'start-session', b);
		const text = read.text;
		if (text !== undefined && typeof text !== 'string') {
			return coded(400, 'INVALID_PARAMETER', "Invalid parameter 'taskDetails': must be a string", {
				parameter: 'taskDetails',
			});
		}
		if (
			text === undefined &&
			this.opts.requestGeneration === 'W2' &&
			this.opts.w2FlatSession === 'reject' &&
			[b.taskDetails, b.prompt].some((v) => typeof v === 'string' && v.trim())
		) {
			return this.missingText('start-session');
		}
		const invalid = this.checkValues(key, read.values);
		if (invalid) return invalid;
		const noMoney = this.balanceCheck(key);
		if (noMoney) return noMoney;
		const limited = this.sessionLimitCheck(key);
		if (limited) return limited;
		const now = Date.now();
		const toc = read.values.terminateOnCompletion === true;
		const s = this.engine.createSession(key, 'start-session', toc, ctx.body, now);
		ctx.log.sessionId = s.pub.sessionId;
		let t: TaskRt | undefined;
		if (typeof text === 'string' && text.trim()) {
			t = this.newTask(s, text, read, false, now);
			ctx.log.taskId = t.pub.taskId;
		}
		const body: Record<string, unknown> = { success: true, sessionId: s.pub.sessionId };
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
		if (
			!isObject(b) ||
			b.sessionId === undefined ||
			b.sessionId === null ||
			b.sessionId === '' ||
			!isObject(b.message)
		) {
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
		const m = b.message as Record<string, unknown>;
		const action = m.actionType;
		switch (action) {
			case 'newTask': {
				if (m.newState !== undefined && m.newState !== 'start') {
					return coded(
						400,
						'INVALID_PARAMETER',
						'newState must be "start" for actionType newTask',
						{
							parameter: 'newState',
							value: m.newState,
						},
					);
				}
				const read = this.read(ctx, 'new-task', b);
				const text = read.text;
				if (typeof text !== 'string' || !text.trim()) return this.missingText('new-task');
				const invalid = this.checkValues(key, read.values);
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
				const t = this.newTask(s, text, read, false, now);
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
						return coded(
							400,
							'INVALID_PARAMETER',
							'newState must be one of: pause, resume, stop, terminate',
							{
								parameter: 'newState',
								value: m.newState,
							},
						);
				}
			}
			case 'guardrail': {
				const ns = m.newState === undefined ? 'resume' : m.newState;
				if (ns !== 'resume' && ns !== 'stop') {
					return coded(
						400,
						'INVALID_PARAMETER',
						'newState must be "resume" or "stop" for actionType guardrail',
						{
							parameter: 'newState',
							value: m.newState,
						},
					);
				}
				const read = this.read(ctx, 'guardrail', b);
				const text = read.text;
				const empty = typeof text !== 'string' || !text.trim();
				if (empty && ns === 'resume' && this.opts.requestGeneration === 'W2')
					return this.missingText('guardrail');
				s.lastActivity = now;
				const r = this.engine.guardrailReply(s, now, ns, {
					text,
					newState: ns,
					at: now,
					message: m,
				});
				if (r === 'none') {
					return coded(409, 'NO_GUARDRAIL_PENDING', 'No guardrail is pending in this session', {
						sessionId: sid,
					});
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
				return coded(
					400,
					'INVALID_PARAMETER',
					'actionType must be one of: newTask, state, interaction, guardrail',
					{
						parameter: 'actionType',
						value: action,
					},
				);
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

	// ---------------------------------------------------------------- uploads
	// (docs/webrun-api-notes.md#files)

	private upload(ctx: Ctx): Reply {
		const boundary = boundaryOf(ctx.req.headers['content-type']);
		if (!boundary) {
			return coded(
				400,
				'INVALID_PARAMETER',
				'Content-Type must be multipart/form-data with a boundary',
			);
		}
		const parts = parseMultipart(ctx.raw, boundary);
		if (!parts) return coded(400, 'INVALID_PARAMETER', 'Malformed multipart/form-data body');
		const envPart = parts.find((p) => p.name === 'environmentId' && p.filename === undefined);
		const environmentId = envPart ? envPart.data.toString('utf8') : undefined;
		const fileParts = parts.filter((p) => p.name === 'files');
		ctx.log.body = {
			files: fileParts.map((p) => ({
				filename: p.filename,
				contentType: p.contentType,
				size: p.data.length,
			})),
			...(environmentId !== undefined ? { environmentId } : {}),
		};
		if (!fileParts.length) return json(400, { success: false, message: 'No files provided' });
		const files = fileParts.map((p) => ({
			fileId: newFileId(),
			filename: p.filename ?? 'blob',
			contentType: p.contentType,
			size: p.data.length,
			sha256: sha256(p.data),
		}));
		for (const f of files) this.store.uploaded.set(f.fileId, { apiKey: ctx.apiKey, file: f });
		this.store.uploads.push({
			seq: ctx.log.seq,
			time: ctx.log.time,
			apiKey: ctx.apiKey,
			...(environmentId !== undefined ? { environmentId } : {}),
			fileIds: files.map((f) => f.fileId),
			files,
		});
		return json(200, {
			success: true,
			files: files.map((f) => ({ fileId: f.fileId, originalName: f.filename, size: f.size })),
		});
	}

	// ---------------------------------------------------------------- control endpoints (not logged)

	/** Counters for out-of-process tests (queue-mode e2e): cheap to fetch. */
	private stats(): unknown {
		const byEndpoint: Record<string, number> = {};
		const byStatus: Record<string, number> = {};
		for (const r of this.requests) {
			const e = r.action ? `${r.endpoint}:${r.action}` : r.endpoint;
			byEndpoint[e] = (byEndpoint[e] ?? 0) + 1;
			const st = r.status === undefined ? 'none' : String(r.status);
			byStatus[st] = (byStatus[st] ?? 0) + 1;
		}
		return {
			requests: this.requests.length,
			tasksStarted: this.tasksStarted,
			count429: this.count429(),
			byEndpoint,
			byStatus,
			uploads: this.store.uploads.length,
			downloads: this.store.downloads.length,
			filesUrl: this.filesUrl,
		};
	}

	private control(method: string, path: string, raw: string, res: http.ServerResponse): void {
		const send = (status: number, body: unknown) => {
			const text = JSON.stringify(body);
			res.writeHead(status, {
				'Content-Type': 'application/json; charset=utf-8',
				'Content-Length': String(Buffer.byteLength(text)),
			});
			res.end(text);
		};
		let body: unknown = undefined;
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
			if (method === 'GET' && p === '/__sim/sessions')
				return send(200, [...this.sessions.values()]);
			if (method === 'GET' && p === '/__sim/options') return send(200, this.opts);
			if (method === 'GET' && p === '/__sim/faults') return send(200, this.faultQueue.list());
			if (method === 'GET' && p === '/__sim/downloads') return send(200, this.downloads);
			if (method === 'GET' && p === '/__sim/uploads') return send(200, this.uploads);
			if (method === 'GET' && p === '/__sim/stats') return send(200, this.stats());
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
					return send(400, {
						success: false,
						message: 'body must be {match: string, script: {...}}',
					});
				}
				let match: ScriptMatch;
				if (typeof body.regex === 'string')
					match = new RegExp(body.regex, typeof body.flags === 'string' ? body.flags : '');
				else if (typeof body.match === 'string') match = body.match;
				else
					return send(400, {
						success: false,
						message: 'match (string) or regex (string) is required',
					});
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
