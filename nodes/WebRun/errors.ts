import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	DEFAULT_WINDOW_MS,
	MAX_SERVER_MESSAGE_CHARS,
	MAX_SHARED_RATE_LIMIT_WAIT_MS,
} from './constants';

/** What an error message names: the operation and, where known, the ids. */
export interface ErrorContext {
	node: INode;
	operation: string;
	itemIndex: number;
	sessionId?: string;
	taskId?: string;
}

export function describeIds(ctx: { sessionId?: string; taskId?: string }): string {
	const parts: string[] = [];
	if (ctx.sessionId) parts.push(`session ${ctx.sessionId}`);
	if (ctx.taskId) parts.push(`task ${ctx.taskId}`);
	return parts.length ? ` (${parts.join(', ')})` : '';
}

/** Extra fields carried by our errors, so Continue On Fail items can name the task. */
export interface WebRunErrorDetails {
	sessionId?: string;
	taskId?: string;
	code?: string;
	status?: string;
	/** Cost guard: the task's usage when it was stopped, and the caps involved. */
	usage?: IDataObject;
	maxCostUsd?: number;
	totalCostUsd?: number;
	maxTotalCostUsd?: number;
	/** The agent's answer, when the task had completed (over its cost cap) before it was seen. */
	message?: string;
}

export type WebRunError = (NodeApiError | NodeOperationError) & { webRun?: WebRunErrorDetails };

/** Attaches the details a Continue item keeps (undefined values are left out). */
export function attach<T extends NodeApiError | NodeOperationError>(
	error: T,
	details: WebRunErrorDetails,
): T {
	const clean: WebRunErrorDetails = {};
	for (const [key, value] of Object.entries(details)) {
		if (value !== undefined) clean[key as keyof WebRunErrorDetails] = value;
	}
	(error as WebRunError).webRun = clean;
	return error;
}

/** An error about the user's input, raised before any request is sent. */
export function inputError(node: INode, itemIndex: number, message: string, description?: string) {
	return new NodeOperationError(node, message, { itemIndex, description });
}

/**
 * The human text of a WebRun error body, whichever envelope it uses. A text body is cut to
 * MAX_SERVER_MESSAGE_CHARS after `redact` (the client's texts arrive redacted already).
 */
export function serverMessage(
	body: unknown,
	redact: (text: string) => string = (text) => text,
): string | undefined {
	if (typeof body === 'string') {
		return redact(body.trim()).slice(0, MAX_SERVER_MESSAGE_CHARS) || undefined;
	}
	if (typeof body !== 'object' || body === null) return undefined;
	const b = body as IDataObject;
	const err = b.error;
	if (typeof err === 'object' && err !== null && typeof (err as IDataObject).message === 'string') {
		return (err as IDataObject).message as string;
	}
	if (typeof b.message === 'string' && b.message) return b.message;
	if (typeof err === 'string' && err) return err;
	return undefined;
}

/** The error code of a WebRun error body (`code` or `error.code`). */
export function serverCode(body: unknown): string | undefined {
	if (typeof body !== 'object' || body === null) return undefined;
	const b = body as IDataObject;
	if (typeof b.code === 'string') return b.code;
	const err = b.error;
	if (typeof err === 'object' && err !== null && typeof (err as IDataObject).code === 'string') {
		return (err as IDataObject).code as string;
	}
	return undefined;
}

/** Keeps only what is safe and useful from a server body for the error's context. */
function safeBody(body: unknown): JsonObject {
	if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
		const out: JsonObject = {};
		for (const key of ['message', 'error', 'code', 'details', 'balance']) {
			const value = (body as IDataObject)[key];
			if (value !== undefined) out[key] = value as JsonObject[string];
		}
		return out;
	}
	return { message: serverMessage(body) ?? '' };
}

/** An HTTP error answered by WebRun, turned into a message a user understands. */
export function httpError(ctx: ErrorContext, statusCode: number, body: unknown): WebRunError {
	const msg = serverMessage(body);
	const code = serverCode(body);
	const ids = describeIds(ctx);
	const quoted = msg ? `: ${msg}` : '';
	let message: string;
	let description: string;
	switch (statusCode) {
		case 400:
			message = `${ctx.operation}: WebRun rejected the request${quoted}`;
			description = 'Check the node parameters and options against the WebRun documentation.';
			break;
		case 401:
			if (msg && /session/i.test(msg)) {
				message = `${ctx.operation}: WebRun did not accept the session${ids}${quoted}`;
				description =
					'The session has ended (sessions close after a few minutes of inactivity or when terminated), the ID is wrong, or it belongs to another account. Start a new session.';
			} else {
				message = `${ctx.operation}: WebRun rejected the API key (HTTP 401)${quoted}`;
				description =
					'Check the API key in the WebRun credential: it may be mistyped, revoked or expired. Create a key in WebRun under Settings → API Keys.';
			}
			break;
		case 402: {
			const details =
				typeof body === 'object' && body
					? ((body as IDataObject).details as IDataObject)
					: undefined;
			const balance = (body as IDataObject | undefined)?.balance ?? details?.balance;
			message = `${ctx.operation}: insufficient WebRun balance${
				typeof balance === 'number' ? ` ($${balance} left)` : ''
			}`;
			description =
				'Add funds to your WebRun account (Billing in the WebRun dashboard), then run the workflow again. No task was started.';
			break;
		}
		case 403:
			message = `${ctx.operation}: WebRun refused access (HTTP 403)${quoted}`;
			description =
				'The account may be deactivated, or the API key lacks a permission. Check the account in the WebRun dashboard.';
			break;
		case 404:
			message = `${ctx.operation}: WebRun could not find the ${ctx.taskId ? 'task' : 'session'}${ids}${quoted}`;
			description =
				'Check the Session ID and Task ID. Sessions end when terminated, after a task with "Terminate on Completion", or after a few minutes of inactivity.';
			break;
		case 409:
			message = `${ctx.operation}: WebRun cannot do this now${ids}${quoted}`;
			description =
				'A task may already be running in this session. Wait for it to finish, or stop it with Control Session.';
			break;
		case 429:
			message = `${ctx.operation}: WebRun rate limit reached and the timeout passed while waiting${ids}${quoted}`;
			description =
				'WebRun allows 10 starting requests per minute per account. Lower "Parallel Tasks", raise "Timeout", or spread the work over time.';
			break;
		default:
			if (statusCode >= 500) {
				message = `${ctx.operation}: WebRun answered with a server error (HTTP ${statusCode})${ids}${quoted}`;
				description =
					'This is a problem on the WebRun side. Try again later; see status.webrun.ai.';
			} else if (statusCode >= 300 && statusCode < 400) {
				message = `${ctx.operation}: WebRun answered with a redirect (HTTP ${statusCode}), which the node does not follow${ids}`;
				description =
					'The API key is sent only to the Base URL, so redirects are never followed. Check the Base URL in the WebRun credential: it should be the API address itself (e.g. https://connect.webrun.ai), not one that forwards elsewhere.';
			} else {
				message = `${ctx.operation}: WebRun answered HTTP ${statusCode}${ids}${quoted}`;
				description = 'Unexpected answer from WebRun.';
			}
	}
	if (ids && !message.includes(ids)) description += ` IDs:${ids}.`;
	const error = new NodeApiError(ctx.node, safeBody(body), {
		message,
		description,
		httpCode: String(statusCode),
		itemIndex: ctx.itemIndex,
	});
	return attach(error, { sessionId: ctx.sessionId, taskId: ctx.taskId, code });
}

/** A task that ended as failed or terminated on WebRun. */
export function taskEndedError(
	ctx: ErrorContext,
	state: 'failed' | 'terminated',
	info: { error?: string; code?: string },
): WebRunError {
	const ids = describeIds(ctx);
	const code = info.code ?? (state === 'terminated' ? 'TERMINATED' : 'TASK_FAILED');
	const what = state === 'terminated' ? 'was terminated' : 'failed';
	const message = `${ctx.operation}: the WebRun task ${what} [${code}]${info.error ? `: ${info.error}` : ''}${ids}`;
	const description =
		state === 'terminated'
			? `The session or task was stopped before the task finished${ids}.`
			: `WebRun reported the failure code ${code}${ids}. Rephrase the task, check the starting URL, or raise Max Duration.`;
	const error = new NodeApiError(
		ctx.node,
		{ message: info.error ?? message, code },
		{ message, description, itemIndex: ctx.itemIndex },
	);
	return attach(error, { sessionId: ctx.sessionId, taskId: ctx.taskId, code, status: state });
}

/** The item's whole wait passed its timeout. */
export function timeoutError(
	ctx: ErrorContext,
	waitedSeconds: number,
	phase: 'start' | 'wait',
): WebRunError {
	const ids = describeIds(ctx);
	const message =
		phase === 'wait'
			? `${ctx.operation}: the WebRun task is still running after ${waitedSeconds} s (timeout)${ids}`
			: `${ctx.operation}: timed out after ${waitedSeconds} s before WebRun accepted the task; no task was started`;
	const description =
		phase === 'wait'
			? `The task keeps running on WebRun. To pick it up later, use the Get Task operation with Session ID "${ctx.sessionId ?? ''}" and Task ID "${ctx.taskId ?? ''}", or raise "Timeout" in the options. To stop it, use Control Session with action Stop.`
			: 'WebRun was busy (rate limit or no free browsers) for the whole timeout. Raise "Timeout" in the options or try again later.';
	const error = new NodeOperationError(ctx.node, message, {
		itemIndex: ctx.itemIndex,
		description,
	});
	return attach(error, { sessionId: ctx.sessionId, taskId: ctx.taskId, status: 'timeout' });
}

/** The connection broke while a starting request was in flight: the task may have started. */
export function uncertainStartError(ctx: ErrorContext, reason: string): WebRunError {
	const message = `${ctx.operation}: the connection to WebRun broke after the request was sent (${reason}); the task may have started`;
	const description =
		'The node did not send the request again, so that no second (billable) task is started. Check the WebRun dashboard for a new session before running this item again.';
	const error = new NodeApiError(
		ctx.node,
		{ message: reason },
		{ message, description, itemIndex: ctx.itemIndex },
	);
	return attach(error, { sessionId: ctx.sessionId, taskId: ctx.taskId, status: 'unknown' });
}

/** The connection could not be made at all: nothing was sent. */
export function unreachableError(ctx: ErrorContext, origin: string, reason: string): WebRunError {
	const message = `${ctx.operation}: could not reach WebRun at ${origin} (${reason})`;
	const description =
		'Nothing was sent, so no task was started. Check the Base URL in the WebRun credential and the network connection of the n8n host.';
	const error = new NodeApiError(
		ctx.node,
		{ message: reason },
		{ message, description, itemIndex: ctx.itemIndex },
	);
	return attach(error, { sessionId: ctx.sessionId, taskId: ctx.taskId });
}

/** An answer that is not a WebRun response at all (not JSON, or missing the ids). */
export function unexpectedResponseError(ctx: ErrorContext, what: string): WebRunError {
	const message = `${ctx.operation}: unexpected answer from WebRun${describeIds(ctx)}: ${what}`;
	const error = new NodeApiError(
		ctx.node,
		{ message: what },
		{
			message,
			description: 'Check that the Base URL in the WebRun credential points at the WebRun API.',
			itemIndex: ctx.itemIndex,
		},
	);
	return attach(error, { sessionId: ctx.sessionId, taskId: ctx.taskId });
}

/** The account's concurrent-session limit is reached by sessions this execution does not own. */
export function sessionLimitError(ctx: ErrorContext, serverText?: string): WebRunError {
	const message = `${ctx.operation}: your WebRun plan's concurrent session limit is reached${
		serverText ? `: ${serverText}` : ''
	}`;
	const description =
		'Other sessions of this account are open (this execution has none running to wait for). Terminate idle sessions with Control Session, lower "Parallel Tasks", or upgrade the plan.';
	const error = new NodeApiError(
		ctx.node,
		{ message: serverText ?? message, code: 'SESSION_LIMIT_REACHED' },
		{
			message,
			description,
			itemIndex: ctx.itemIndex,
		},
	);
	return attach(error, { code: 'SESSION_LIMIT_REACHED' });
}

/** A wait in words: "45 s", "12 minutes", "5 hours", "1157 days". */
export function formatWait(ms: number): string {
	const seconds = Math.max(0, ms) / 1000;
	if (seconds < 120) return `${Math.ceil(seconds)} s`;
	if (seconds < 120 * 60) return `${Math.round(seconds / 60)} minutes`;
	if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)} hours`;
	const days = seconds / 86400;
	return days > 1e7 ? 'more than 10000000 days' : `${Math.round(days)} days`;
}

/**
 * A wait longer than what is left of the item's Timeout, asked for by a 429 (rate limit) or a 503
 * with Retry-After (no free browser), or by the account's shared block: the item fails at once
 * rather than sleeping to its deadline.
 */
export function waitTooLongError(
	ctx: ErrorContext,
	wait: {
		askedMs: number;
		source: string;
		leftMs: number;
		phase: 'start' | 'wait';
		/** The answer that asked for the wait; none: the account's shared block. */
		status?: 429 | 503;
	},
): WebRunError {
	const unavailable = wait.status === 503;
	const code = unavailable ? 'UNAVAILABLE' : 'RATE_LIMITED';
	const ids = describeIds(ctx);
	const left = formatWait(wait.leftMs);
	const asker = unavailable
		? 'WebRun had no free browser (HTTP 503) and asked to wait'
		: "WebRun's rate limit asked to wait";
	const message =
		`${ctx.operation}: ${asker} ${formatWait(wait.askedMs)} ` +
		`(${wait.source}), more than the ${left} left of this item's Timeout [${code}]${ids}`;
	const what =
		wait.phase === 'start'
			? 'No task was started for this item.'
			: 'The task may still be running: pick it up later with Get Task, or stop it with ' +
				'Control Session.';
	const cap = formatWait(MAX_SHARED_RATE_LIMIT_WAIT_MS);
	let description: string;
	if (unavailable) {
		description = `${what} Try again later, or raise "Timeout" so that the item can wait this long.`;
	} else if (wait.askedMs <= DEFAULT_WINDOW_MS + 1000) {
		description =
			`${what} WebRun allows 10 starting requests per minute per account. Lower "Parallel ` +
			'Tasks", raise "Timeout", or spread the work over time.';
	} else {
		description =
			`${what} WebRun allows 10 starting requests per minute per account, so a wait this ` +
			"long points at a server or proxy problem. The account's other starts in this n8n " +
			`pause for at most ${cap} because of it, then go on. Try again later.`;
	}
	const error = new NodeApiError(
		ctx.node,
		{ message, code },
		{
			message,
			description,
			itemIndex: ctx.itemIndex,
			...(wait.status ? { httpCode: String(wait.status) } : {}),
		},
	);
	return attach(error, { sessionId: ctx.sessionId, taskId: ctx.taskId, code });
}

/**
 * WebRun named a task status this node does not know (or none at all, on a poll): it stops
 * waiting rather than poll until the Timeout for a state that may never change.
 */
export function unknownStatusError(ctx: ErrorContext, status: string | undefined): WebRunError {
	const code = 'UNKNOWN_STATUS';
	const ids = describeIds(ctx);
	// The status is the server's text: shown short, one line.
	const shown =
		status === undefined ? undefined : JSON.stringify(status.replace(/\s+/g, ' ').slice(0, 60));
	const message =
		shown === undefined
			? `${ctx.operation}: WebRun answered without a task status, which this node cannot follow [${code}]${ids}`
			: `${ctx.operation}: WebRun reported the status ${shown}, which this node does not know [${code}]${ids}`;
	const description =
		'Only the documented states (pending, queued, active, running, started, paused) keep the ' +
		'node waiting; completed, guardrail, failed and terminated end it. The node stopped ' +
		'instead of polling until the Timeout. Check the task with Get Task or in the WebRun ' +
		'dashboard.';
	const error = new NodeApiError(
		ctx.node,
		{ message, code },
		{ message, description, itemIndex: ctx.itemIndex },
	);
	return attach(error, { sessionId: ctx.sessionId, taskId: ctx.taskId, code, status: 'unknown' });
}
