/**
 * Public types of the WebRun / Enigma API simulator.
 * See test/simulator/README.md for behaviour and the choices made where the docs are silent.
 */

export type Generation = 'webrun' | 'enigma';

/** How a task behaves. All times are agent *working* time (pauses and guardrail waits excluded). */
export interface TaskScript {
	/** Agent working time until the outcome (default 200). */
	durationMs?: number;
	/** Completion message (default `Completed: ${taskText}`, with any `[sim {...}]` tag removed). */
	message?: string;
	/** Default 'complete'. 'terminate' ends the task as terminated and also ends its session. */
	outcome?: 'complete' | 'fail' | 'terminate';
	/** For outcome 'fail'. Defaults NAVIGATION_TIMEOUT / "Navigation timeout after 30 seconds". */
	failCode?: string;
	failError?: string;
	/** Pause at atMs of working time until a guardrail reply with newState "resume" arrives; then continue. */
	guardrails?: Array<{ atMs: number; type?: string; value: string }>;
	/** W-generation data.files (default []). */
	files?: any[];
	/** W-generation data.network (default: one entry built from the starting URL / task text). */
	network?: any[];
	/** Final usage (defaults 12450 / 3200 / 0.0124). Running polls report a share proportional to progress. */
	usage?: { prompt_tokens?: number; completion_tokens?: number; cost?: number };
}

export type FaultEndpoint =
	| 'run-task'
	| 'start-session'
	| 'send-message'
	| 'poll'
	| 'models'
	| 'chat-completions'
	| 'health'
	| '*';

export type FaultKind = 'status' | 'garbage' | 'truncated' | 'drop-before' | 'drop-after-accept' | 'delay';

export interface FaultSpec {
	endpoint: FaultEndpoint;
	/** How many matching requests it applies to (default 1). */
	times?: number;
	/** Plain error response (kind 'status', the default kind). Default status 500. */
	status?: number;
	body?: any;
	headers?: Record<string, string>;
	/**
	 * status: answer `status`/`body`/`headers` without processing.
	 * garbage: 200 text/html "<html>502 Bad Gateway</html>" without processing.
	 * truncated: 200 application/json with the first half of a JSON body, then end (not processed).
	 * drop-before: destroy the socket without processing (no task started).
	 * drop-after-accept: process normally (task IS started and counted), then destroy the socket instead of answering.
	 * delay: process normally, write the answer delayMs later than it would have been written.
	 */
	kind?: FaultKind;
	delayMs?: number;
	/** Optional: only apply to send-message requests with this message.actionType. */
	actionType?: string;
}

export interface ApiKeyConfig {
	balance?: number;
	deactivated?: boolean;
	sessionLimit?: number;
}

export interface SimulatorOptions {
	/** Response shapes to emit (default 'webrun'). */
	generation?: Generation;
	/** Default 50000. run-task / send-message newTask hold the request up to this long. */
	inlineWindowMs?: number;
	/** What a start request answers when a guardrail fires inside the window (default 'pending'). */
	inlineGuardrail?: 'inline' | 'pending';
	/** Default {limit: 10, windowMs: 60000}, sliding window per API key. */
	rateLimit?: { limit: number; windowMs: number } | false;
	/** Default: any non-empty bearer token accepted, balance 12.5. */
	apiKeys?: Record<string, ApiKeyConfig>;
	/** Concurrent live sessions per key (default unlimited). */
	sessionLimit?: number;
	/** HTTP status of SESSION_LIMIT_REACHED (default 429). */
	sessionLimitStatus?: number;
	/** newTask while a task is live: 'reject' (default, 409 TASK_ALREADY_RUNNING) or 'queue'. */
	busySession?: 'reject' | 'queue';
	/** send-message to an unknown / ended session: 404 SESSION_NOT_FOUND (default) or documented 401. */
	unknownSessionStatus?: 401 | 404;
	/** Merged under every task's script. */
	defaultScript?: TaskScript;
	/** Default 0 (random). Always binds 127.0.0.1. */
	port?: number;
	/** Extra: does GET /task/:sid/:tid require the bearer token? (default true) */
	pollAuth?: boolean;
	/** Extra: idle sessions (no live task) end after this long (default 300000; false = never). Checked lazily. */
	sessionIdleTimeoutMs?: number | false;
	/** Extra: balance for keys not listed in apiKeys (default 12.5). */
	defaultBalance?: number;
}

export interface LoggedRequest {
	seq: number;
	/** Arrival time (Date.now()). */
	time: number;
	method: string;
	path: string;
	/** run-task | start-session | send-message | poll | models | chat-completions | health | active-sockets | unknown */
	endpoint: string;
	/** send-message only: message.actionType. */
	action?: string;
	apiKey?: string;
	headers: Record<string, string | string[] | undefined>;
	body: any;
	/** HTTP status written (undefined if the socket was dropped / the client went away). */
	status?: number;
	/** Fault kind applied to this request, if any. */
	fault?: string;
	/** When the answer was written (Date.now()). */
	respondedAt?: number;
	/** True if the client closed the connection before the answer was written. */
	clientAborted?: boolean;
	/** Task started by this request, if any. */
	taskId?: string;
	/** Session created or addressed by this request, if any. */
	sessionId?: string;
}

export interface GuardrailFired {
	atMs: number;
	type: string;
	value: string;
	/** Simulator-clock moment (Date.now() ms) the guardrail fired. */
	firedAt: number;
	/** When a reply (resume / stop) arrived. */
	repliedAt?: number;
	reply?: any;
}

export interface SimTask {
	sessionId: string;
	taskId: string;
	text: string;
	/** When the request that created it arrived. */
	createdAt: number;
	/** When the agent started working (later than createdAt only for queued tasks). */
	startedAt?: number;
	/** Exact simulator-clock moment the task reached a terminal state. */
	endedAt?: number;
	state: 'running' | 'guardrail' | 'completed' | 'failed' | 'terminated';
	/** Number of GET /task polls answered for it. */
	polls: number;
	apiKey: string;
	guardrailReplies: any[];
	/** Every guardrail that fired, with the moment it fired. */
	guardrailsFired: GuardrailFired[];
	/** Why it became terminated: 'stop' | 'terminate' | 'guardrail-stop' | 'script' | 'session-ended' | 'expired' */
	endReason?: string;
	/** Request-level task options the client sent (terminateOnCompletion, maxDuration, startingUrl...). */
	options: Record<string, any>;
	/** The resolved script. */
	script: TaskScript;
}

export interface SimSession {
	sessionId: string;
	state: 'active' | 'terminated';
	apiKey: string;
	createdByRunTask: boolean;
	createdBy: 'run-task' | 'start-session' | 'chat-completions';
	terminateOnCompletion: boolean;
	createdAt: number;
	endedAt?: number;
	endReason?: string;
	taskIds: string[];
	/** The body of the creating request. */
	body: any;
}

export interface Simulator {
	url: string;
	port: number;
	/** Every API request, in arrival order (body parsed if JSON). Control endpoints are not logged. */
	requests: LoggedRequest[];
	/** Every task ever started (state brought up to date on access). */
	tasks: SimTask[];
	readonly tasksStarted: number;
	sessions: Map<string, SimSession>;
	script(match: string | RegExp | ((text: string) => boolean), s: TaskScript): void;
	fault(f: FaultSpec): void;
	configure(o: Partial<SimulatorOptions>): void;
	reset(): void;
	count(endpoint: string): number;
	close(): Promise<void>;
	/** Extra: current effective options. */
	readonly options: Required<Omit<SimulatorOptions, 'apiKeys' | 'sessionLimit' | 'port'>> &
		Pick<SimulatorOptions, 'apiKeys' | 'sessionLimit' | 'port'>;
	/** Extra: find a task by id. */
	task(taskId: string): SimTask | undefined;
}
