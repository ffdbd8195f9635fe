import type { IDataObject } from 'n8n-workflow';

/**
 * The one place where WebRun / Enigma responses of every documented generation are read.
 *
 * Completed results come nested under `result` (Enigma) or at top level (WebRun); "still running"
 * is `pending: true` and/or `status` in pending/active/running/started; usage is named
 * `prompt_tokens/completion_tokens/total_tokens/completion_time` or
 * `inputTokens/outputTokens/computeTime`, in `data`, in `usage` or in `result.usage`.
 * Everything is read into one camelCase shape. A value the server did not send stays absent.
 *
 * Only documented states are trusted: a `status` (or, without one, a `type`) this module does not
 * know is reported in `unknownStatus`, and an answer that shows no state at all sets `stateless`
 * (a start answer may be one: Start Session's answer names no task state; a poll may not).
 */
import { ID_PATTERN } from '../constants';

export type TaskState = 'completed' | 'guardrail' | 'running' | 'failed' | 'terminated';

export interface TaskUsage {
	promptTokens?: number;
	completionTokens?: number;
	totalTokens?: number;
	completionTime?: number;
	computeTime?: number;
	cost?: number;
}

export interface NormalizedTask {
	state: TaskState;
	sessionId?: string;
	taskId?: string;
	message?: string;
	files?: unknown[];
	network?: unknown[];
	usage?: TaskUsage;
	completedAt?: string;
	guardrail?: { type?: string; value?: string };
	error?: string;
	code?: string;
	pollUrl?: string;
	/** A status (or type) WebRun does not document: the caller stops rather than poll on. */
	unknownStatus?: string;
	/** True when the answer shows no state at all (no status, type, pending or result). */
	stateless?: boolean;
}

/** True for a session or task ID that may go into a request (the same rule as typed IDs). */
export function isValidId(id: unknown): id is string {
	return typeof id === 'string' && ID_PATTERN.test(id);
}

const RUNNING_STATUSES = new Set(['pending', 'active', 'running', 'started', 'queued', 'paused']);
const COMPLETED_STATUSES = new Set(['complete', 'completed', 'task_completed']);
/** Every status some WebRun page documents for a task (and the aliases read below). */
const KNOWN_STATUSES = new Set([
	...RUNNING_STATUSES,
	...COMPLETED_STATUSES,
	'guardrail',
	'guardrail_trigger',
	'failed',
	'terminated',
	'stopped',
]);
const KNOWN_TYPES = new Set([
	'task_completed',
	'guardrail_trigger',
	'failed',
	'error',
	'task_failed',
	'terminated',
]);

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number') return String(value);
	return undefined;
}

function num(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
		return Number(value);
	}
	return undefined;
}

/** Drops the keys whose value is undefined: a value the server did not send stays absent. */
function compact<T extends object>(value: T): T {
	for (const key of Object.keys(value) as Array<keyof T>) {
		if (value[key] === undefined) delete value[key];
	}
	return value;
}

function first<T>(...values: Array<T | undefined>): T | undefined {
	for (const value of values) if (value !== undefined) return value;
	return undefined;
}

/** Reads token and cost figures from every place the docs put them. */
export function normalizeUsage(...sources: unknown[]): TaskUsage | undefined {
	const objects = sources.filter(isObject);
	const pick = (...keys: string[]) => {
		for (const source of objects) {
			for (const key of keys) {
				const value = num(source[key]);
				if (value !== undefined) return value;
			}
		}
		return undefined;
	};
	const usage: TaskUsage = {
		promptTokens: pick('prompt_tokens', 'promptTokens', 'inputTokens', 'input_tokens'),
		completionTokens: pick(
			'completion_tokens',
			'completionTokens',
			'outputTokens',
			'output_tokens',
		),
		totalTokens: pick('total_tokens', 'totalTokens'),
		completionTime: pick('completion_time', 'completionTime'),
		computeTime: pick('computeTime', 'compute_time'),
		cost: pick('cost'),
	};
	compact(usage);
	return Object.keys(usage).length > 0 ? usage : undefined;
}

/** Turns any documented task response (start, poll, send-message) into a NormalizedTask. */
export function normalizeTaskResponse(input: unknown): NormalizedTask {
	const body: IDataObject = isObject(input) ? input : {};
	const result = isObject(body.result) ? body.result : undefined;
	const data = isObject(body.data)
		? body.data
		: isObject(result?.data)
			? (result?.data as IDataObject)
			: undefined;
	const type = str(body.type) ?? str(result?.type);
	const status = (str(body.status) ?? str(result?.status))?.toLowerCase();

	const task: NormalizedTask = {
		state: 'running',
		sessionId: str(body.sessionId),
		taskId: str(body.taskId),
		pollUrl: str(body.pollUrl),
	};

	const usage = normalizeUsage(
		body.usage,
		result?.usage,
		data,
		isObject(data?.usage) ? data?.usage : undefined,
	);
	if (usage) task.usage = usage;

	if (type === 'guardrail_trigger' || status === 'guardrail_trigger' || status === 'guardrail') {
		task.state = 'guardrail';
		task.guardrail = compact({
			type: str(data?.type) ?? str(body.guardrailType),
			value: str(data?.value) ?? str(data?.message) ?? str(body.message),
		});
	} else if (
		type === 'task_completed' ||
		(status !== undefined && COMPLETED_STATUSES.has(status)) ||
		(result !== undefined && result.success === true && data !== undefined)
	) {
		task.state = 'completed';
	} else if (
		status === 'failed' ||
		type === 'failed' ||
		type === 'error' ||
		type === 'task_failed'
	) {
		task.state = 'failed';
	} else if (status === 'terminated' || type === 'terminated' || status === 'stopped') {
		task.state = 'terminated';
	} else if (body.pending === true || (status !== undefined && RUNNING_STATUSES.has(status))) {
		task.state = 'running';
	} else if (body.success === false && status === undefined) {
		task.state = 'failed';
	}
	// Anything else matched no documented state: still "running" for the code that only reads
	// states (e.g. a late start answer's session is closed), flagged for the waiting code.
	if (task.state === 'running' && status !== undefined && !KNOWN_STATUSES.has(status)) {
		task.unknownStatus = status;
	} else if (task.state === 'running' && status === undefined && body.pending !== true) {
		if (type !== undefined && !KNOWN_TYPES.has(type)) task.unknownStatus = type;
		else task.stateless = true;
	}

	if (task.state === 'completed') {
		task.message = str(data?.message) ?? str(result?.message);
		if (Array.isArray(data?.files)) task.files = data?.files as unknown[];
		if (Array.isArray(data?.network)) task.network = data?.network as unknown[];
		const completedAt = str(body.completedAt) ?? str(result?.completedAt);
		if (completedAt) task.completedAt = completedAt;
	}

	if (task.state === 'failed' || task.state === 'terminated') {
		const error = isObject(body.error) ? (body.error as IDataObject) : undefined;
		task.error =
			str(error?.message) ??
			str(body.error) ??
			str(data?.error) ??
			str(data?.message) ??
			str(body.message) ??
			(task.state === 'terminated' ? 'Session terminated' : undefined);
		task.code = str(body.code) ?? str(error?.code) ?? str(data?.code);
	}

	return compact(task);
}

export interface SessionInfo {
	sessionId?: string;
	taskId?: string;
	liveViewUrl?: string;
	webRtcUrl?: string;
	socketUrl?: string;
	expiresIn?: number;
	balance?: number;
}

/** Reads the start-session answer (same in every generation apart from host names). */
export function normalizeSession(input: unknown): SessionInfo {
	const body: IDataObject = isObject(input) ? input : {};
	const streaming = isObject(body.streaming) ? body.streaming : {};
	return compact<SessionInfo>({
		sessionId: str(body.sessionId),
		taskId: str(body.taskId),
		liveViewUrl: first(str(streaming.webViewURL), str(body.streamingUrl)),
		webRtcUrl: str(streaming.webRTCURL),
		socketUrl: str(body.socketURL),
		expiresIn: num(body.expiresIn),
		balance: num(body.balance),
	});
}

/** The output item of a task, as the product contract describes it. */
export function taskFields(
	task: NormalizedTask,
	ids: { sessionId?: string; taskId?: string },
): IDataObject {
	const item: IDataObject = {
		status: task.state,
		sessionId: task.sessionId ?? ids.sessionId,
		taskId: task.taskId ?? ids.taskId,
	};
	if (task.state === 'guardrail') {
		item.guardrail = { ...task.guardrail };
	} else {
		if (task.message !== undefined) item.message = task.message;
		if (task.files !== undefined) item.files = task.files;
		if (task.network !== undefined) item.network = task.network;
		if (task.completedAt !== undefined) item.completedAt = task.completedAt;
	}
	if (task.usage !== undefined) item.usage = { ...task.usage };
	return compact(item);
}

/**
 * The answer's pollUrl, when its path ends in `/task/<sessionId>/<taskId>` of the checked IDs
 * (a prefix such as `/api` is allowed); otherwise the node builds the path itself.
 */
export function samePollPath(pollUrl: string | undefined, sessionId: string, taskId: string) {
	if (!pollUrl || !URL.canParse(pollUrl, 'http://localhost')) return undefined;
	const { pathname } = new URL(pollUrl, 'http://localhost');
	const own = `/task/${encodeURIComponent(sessionId)}/${encodeURIComponent(taskId)}`;
	return pathname.endsWith(own) ? pollUrl : undefined;
}
