import {
	CLEANUP_REQUEST_TIMEOUT_MS,
	DEFAULT_RETRY_AFTER_MS,
	MAX_STOP_RETRY_AFTER_MS,
	STOP_ATTEMPTS,
	STOP_REQUEST_TIMEOUT_MS,
	STOP_RETRY_WAIT_MS,
} from '../constants';
import type { WebRunError } from '../errors';
import { serverMessage } from '../errors';
import { CancelledError, cancellableSleep } from '../sleep';
import type { WebRunClient } from '../transport/client';
import { isTransportFailure } from '../transport/client';
import { serverWait } from '../transport/headers';
import { stateBody } from '../transport/requests';
import type { ItemContext } from './context';
import { isValidId } from './read';

/**
 * Best effort: terminates a session this node created (after the execution was stopped), so the
 * user stops paying for it. Never throws; it does not wait for the start budget, and it is not
 * bound to the (already aborted) execution signal.
 */
export async function terminateSession(client: WebRunClient, sessionId: string): Promise<boolean> {
	if (!isValidId(sessionId)) return false;
	const response = await client.request('POST', '/start/send-message', {
		body: stateBody(sessionId, 'terminate'),
		timeoutMs: CLEANUP_REQUEST_TIMEOUT_MS,
		ignoreCancel: true,
	});
	return 'statusCode' in response && response.statusCode >= 200 && response.statusCode < 300;
}

/** Errors after which the node cannot follow its own session's task any further. */
const ABANDONED_CODES = new Set(['UNKNOWN_STATUS', 'INVALID_ID']);

/**
 * Runs an item's work on a session this node creates (Run Task, Start Session's first task), and
 * marks the item so. When the execution is stopped meanwhile (n8n's Stop button, or n8n
 * cancelling executions at shutdown) and the item knows its session, which this node created,
 * the session is terminated so that it stops costing money. So it is when WebRun's answers can no
 * longer be followed (a status the node does not know, an invalid task ID): nobody would stop
 * it otherwise. The error goes on (its description then says what became of the session).
 */
export async function terminateOnCancel<T>(item: ItemContext, work: () => Promise<T>): Promise<T> {
	// The session is the node's own: the cost guard terminates it too (rather than stopping a task).
	item.ownsSession = true;
	let failure: unknown;
	try {
		return await work();
	} catch (error) {
		failure = error;
	}
	if (failure instanceof CancelledError && item.sessionId) {
		await terminateSession(item.client, item.sessionId);
	}
	const code = (failure as WebRunError | undefined)?.webRun?.code;
	if (code && ABANDONED_CODES.has(code) && item.sessionId) {
		const error = failure as WebRunError;
		const closed = await terminateSession(item.client, item.sessionId);
		error.description = `${error.description ?? ''} ${
			closed
				? 'The node terminated the session it had started, so that it stops costing money.'
				: 'The node could not terminate the session it had started: terminate it with ' +
					'Control Session or in the WebRun dashboard.'
		}`.trim();
	}
	// Thrown after the catch block (not re-thrown raw there): the original error, unchanged.
	throw failure;
}

/** `terminate` ends the whole session; `stop` ends the current task and keeps the session. */
export type StopAction = 'stop' | 'terminate';

export type StopOutcome = { accepted: true } | { accepted: false; reason: string };

/**
 * Sends `stop` or `terminate` for a task that must not go on (the cost guard) and says whether
 * WebRun accepted it. Both are idempotent, so a failure that may pass (no answer, 5xx, 429) is
 * tried again, up to STOP_ATTEMPTS; a refusal (other 4xx, `success: false`) is not. It does not
 * queue for the start budget: every second of waiting costs money. A 429 is waited out (and
 * shared with the budget) when its Retry-After is reasonable. Never throws for an HTTP failure:
 * the caller reports it (a failed stop is an error of its own).
 */
export async function requestStop(
	item: ItemContext,
	sessionId: string,
	action: StopAction,
): Promise<StopOutcome> {
	if (!isValidId(sessionId)) return { accepted: false, reason: 'the session ID is not valid' };
	let reason = 'no answer';
	for (let attempt = 1; attempt <= STOP_ATTEMPTS; attempt++) {
		const response = await item.client.request('POST', '/start/send-message', {
			body: stateBody(sessionId, action),
			timeoutMs: STOP_REQUEST_TIMEOUT_MS,
			ignoreCancel: true,
		});
		let waitMs = STOP_RETRY_WAIT_MS * attempt;
		if (isTransportFailure(response)) {
			reason = response.reason;
		} else {
			const { statusCode, body } = response;
			const refused =
				typeof body === 'object' &&
				body !== null &&
				(body as { success?: unknown }).success === false;
			if (statusCode >= 200 && statusCode < 300 && !refused) return { accepted: true };
			const text = serverMessage(body);
			reason = `WebRun answered HTTP ${statusCode}${text ? `: ${text}` : ''}`;
			if (statusCode === 429) {
				const asked = serverWait(response.headers, Date.now());
				waitMs = asked?.ms ?? DEFAULT_RETRY_AFTER_MS;
				// Shared with the budget (which caps an absurd wait, see budget.ts).
				item.account.budget.rateLimited(waitMs, asked?.source ?? 'no Retry-After');
				if (waitMs > MAX_STOP_RETRY_AFTER_MS) break;
			} else if (statusCode < 500 && statusCode !== 408) {
				break;
			}
		}
		if (attempt < STOP_ATTEMPTS) await cancellableSleep(waitMs, item.signal);
	}
	return { accepted: false, reason };
}
