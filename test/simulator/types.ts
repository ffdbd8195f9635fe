/**
 * Public types of the WebRun / Enigma API simulator.
 * See test/simulator/README.md for behaviour and the choices made where the docs are silent.
 */

export type Generation = 'webrun' | 'enigma';

/**
 * JSON exactly as a client sent it (request bodies, guardrail replies). Tests read it with plain
 * property access, as a server handler would; the simulator itself never relies on its shape.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped wire JSON, see above
export type ClientJson = any;

/**
 * Request shapes the server reads (docs/webrun-api-notes.md#request-generations): 'any' accepts
 * every alias; 'E' flat `taskDetails`/`startingUrl`; 'W1' start-session `initialTask{taskDetails,
 * startingPoint}`; 'W2' `task{prompt, startingUrl}` and `message.prompt`. See README.md for the
 * exact paths.
 */
export type RequestGeneration = 'any' | 'E' | 'W1' | 'W2';

/** What a structured task answers: a matching value, a text that does not parse, or a wrong value. */
export type StructuredMode = 'valid' | 'invalid-json' | 'mismatch';

/**
 * A file the agent "downloaded" (docs/webrun-api-notes.md#files), served by the simulator's file
 * server.
 */
export interface DownloadSpec {
	filename: string;
	/** Exact content (UTF-8). Default: a short text naming the file, unless sizeBytes is given. */
	content?: string;
	/** Size of a generated content (streamed in chunks, never allocated whole). Ignored with content. */
	sizeBytes?: number;
	/** Default from the extension (application/octet-stream when unknown). */
	contentType?: string;
	/** Answer this status (with a short text body) instead of the file, e.g. 404. */
	status?: number;
	/** true: downloadUrl on the API origin (/files/download/:id/:filename) instead of the file server. */
	sameOrigin?: boolean;
	/** true: no Content-Length (chunked transfer encoding). */
	chunked?: boolean;
	/** data.files[].source (default https://www.example.com/downloads/<filename>). */
	source?: string;
	/** A fixed blob id (the path segment before the file name) instead of a random one. */
	blobId?: string;
	/** data.files[].downloadUrl exactly as given (another test server, an address to refuse). */
	url?: string;
	/** With a 3xx `status`: the Location header of that answer (a redirecting blob). */
	location?: string;
}

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
	files?: unknown[];
	/** W-generation data.network (default: one entry built from the starting URL / task text). */
	network?: unknown[];
	/** Final usage (defaults 12450 / 3200 / 0.0124). Running polls report a share proportional to progress. */
	usage?: { prompt_tokens?: number; completion_tokens?: number; cost?: number };
	/**
	 * USD per second of working time. When set, usage.cost = rate × working seconds so far (6
	 * decimals) in every answer, and replaces usage.cost.
	 */
	costPerSecond?: number;
	/** For a task with a structured outputType (default 'valid'). A script `message` still wins. */
	structured?: StructuredMode;
	/** Files the agent downloaded: appended to data.files (W shapes) and served by the file server. */
	downloads?: DownloadSpec[];
}

export type FaultEndpoint =
	| 'run-task'
	| 'start-session'
	| 'send-message'
	| 'poll'
	| 'models'
	| 'health'
	| 'environments'
	| 'upload'
	| '*';

export type FaultKind =
	| 'status'
	| 'garbage'
	| 'truncated'
	| 'drop-before'
	| 'drop-after-accept'
	| 'delay';

export interface FaultSpec {
	endpoint: FaultEndpoint;
	/** How many matching requests it applies to (default 1). */
	times?: number;
	/** Plain error response (kind 'status', the default kind). Default status 500. */
	status?: number;
	body?: unknown;
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
	/** Request shape the server reads (default 'any' = every alias). */
	requestGeneration?: RequestGeneration;
	/**
	 * W2 start-session whose body has a flat `taskDetails`/`prompt` but no `task.prompt`: 'ignore'
	 * (default: a session without a task, the parameters page's reading) or 'reject' (400 "Missing
	 * task.prompt", the errors page's reading).
	 */
	w2FlatSession?: 'ignore' | 'reject';
	/** GET /environments list (default: three samples). `id` is accepted for `_id`. */
	environments?: EnvironmentSpec[];
}

export interface EnvironmentSpec {
	_id?: string;
	id?: string;
	name: string;
	description?: string;
	/** 'empty' | 'uploading' | 'ready' (docs). Default 'ready'. */
	status?: string;
	userId?: string;
	createdAt?: string;
	updatedAt?: string;
}

/** One GET/HEAD on the file server (or on /files/download/... of the API origin). */
export interface SimDownload {
	seq: number;
	time: number;
	method: string;
	path: string;
	/** 'files' = the file server origin; 'api' = the API origin (sameOrigin downloads). */
	origin: 'files' | 'api';
	/** Whether the request carried an Authorization header (its value is not kept). */
	hadAuthorization: boolean;
	blobId?: string;
	filename?: string;
	taskId?: string;
	status?: number;
	/** Body bytes written. */
	bytesSent: number;
	/** When the answer ended (or was cut). */
	endedAt?: number;
	/** True if the client closed the connection before the whole body was written. */
	clientAborted?: boolean;
}

export interface SimUploadedFile {
	fileId: string;
	filename: string;
	contentType?: string;
	size: number;
	/** Hex SHA-256 of the content. */
	sha256: string;
}

/** One POST /files/upload that succeeded. */
export interface SimUpload {
	/** seq of the logged request. */
	seq: number;
	time: number;
	apiKey?: string;
	environmentId?: string;
	fileIds: string[];
	files: SimUploadedFile[];
}

/** The structured answer generated for a task (TaskScript.structured). */
export interface SimStructuredOutput {
	format: 'json' | 'csv';
	kind: StructuredMode;
	/** The exact data.message text. */
	message: string;
	/** Parsed value sent (json), or the data rows keyed by the header sent (csv); absent for 'invalid-json'. */
	value?: unknown;
	/** 'mismatch' only: what was broken, e.g. `results[0].price` (json) or the column name (csv). */
	wrongPath?: string;
}

export interface LoggedRequest {
	seq: number;
	/** Arrival time (Date.now()). */
	time: number;
	method: string;
	path: string;
	/** run-task | start-session | send-message | poll | models | health | active-sockets | environments | upload | unknown */
	endpoint: string;
	/** send-message only: message.actionType. */
	action?: string;
	apiKey?: string;
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON body; for /files/upload a summary {files:[{filename, contentType, size}], environmentId?}. */
	body: ClientJson;
	/** Concept the server read → body path it came from, e.g. {taskText: 'task.prompt'} ({} when none). */
	fields: Record<string, string>;
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
	reply?: ClientJson;
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
	guardrailReplies: ClientJson[];
	/** Every guardrail that fired, with the moment it fired. */
	guardrailsFired: GuardrailFired[];
	/** Why it became terminated: 'stop' | 'terminate' | 'guardrail-stop' | 'script' | 'session-ended' | 'expired' */
	endReason?: string;
	/**
	 * Concept values the server read for this task (taskText excluded), keyed by concept:
	 * startingUrl, maxDuration, maxInputTokens, maxOutputTokens, avoidDomains, mode,
	 * terminateOnCompletion, environmentId, outputType, outputSchema, files (fileIds), secrets,
	 * webhook, policyId, proxy, reachOutMode. Only concepts read by the request generation appear.
	 */
	options: Record<string, unknown>;
	/** Concept → body path, as in the creating request's LoggedRequest.fields. */
	fields: Record<string, string>;
	/** The resolved script. */
	script: TaskScript;
	/** usage.cost when the task reached its terminal state (frozen from then on). */
	costAtEnd?: number;
	/** The structured answer, when the task had a structured outputType. */
	output?: SimStructuredOutput;
	/** Blobs created from script.downloads, in data.files order (after script.files). */
	downloads?: Array<{ blobId: string; filename: string; downloadUrl: string }>;
}

export interface SimSession {
	sessionId: string;
	state: 'active' | 'terminated';
	apiKey: string;
	createdByRunTask: boolean;
	createdBy: 'run-task' | 'start-session';
	terminateOnCompletion: boolean;
	createdAt: number;
	endedAt?: number;
	endReason?: string;
	taskIds: string[];
	/** The body of the creating request. */
	body: ClientJson;
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
	/** Number of API answers with status 429 (rate limit, session limit at 429, or a 429 fault). */
	count429(): number;
	/** Origin of the second (file) server, e.g. http://127.0.0.1:PORT. */
	readonly filesUrl: string;
	/** Every request to the file server and to /files/download/... of the API origin. */
	readonly downloads: SimDownload[];
	/** Every successful POST /files/upload. */
	readonly uploads: SimUpload[];
	close(): Promise<void>;
	/** Extra: current effective options. */
	readonly options: Required<Omit<SimulatorOptions, 'apiKeys' | 'sessionLimit' | 'port'>> &
		Pick<SimulatorOptions, 'apiKeys' | 'sessionLimit' | 'port'>;
	/** Extra: find a task by id. */
	task(taskId: string): SimTask | undefined;
}
