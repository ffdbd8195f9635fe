import { attach, taskEndedError, unexpectedResponseError, unknownStatusError } from '../errors';
import type { ItemContext } from './context';
import { guardCost } from './cost';
import type { NormalizedTask } from './read';
import { isValidId, normalizeTaskResponse } from './read';
import type { WaitOptions } from './wait';
import { waitForTask } from './wait';

/**
 * Takes the session and task IDs an answer names for the item, after the same check as typed
 * IDs: an ID such as `..` or `abc/def` would change the path of the polls and stops it goes into.
 * A valid one is kept even when the other is not (the session can then still be terminated).
 */
export function adoptIds(
	item: ItemContext,
	answer: { sessionId?: unknown; taskId?: unknown },
): void {
	const invalid: string[] = [];
	if (answer.sessionId !== undefined) {
		if (isValidId(answer.sessionId)) item.sessionId = answer.sessionId;
		else invalid.push(`session ID ${JSON.stringify(String(answer.sessionId).slice(0, 60))}`);
	}
	if (answer.taskId !== undefined) {
		if (isValidId(answer.taskId)) item.taskId = answer.taskId;
		else invalid.push(`task ID ${JSON.stringify(String(answer.taskId).slice(0, 60))}`);
	}
	if (!invalid.length) return;
	const error = unexpectedResponseError(
		item,
		`it gave an invalid ${invalid.join(' and an invalid ')}, so the node did not use it in any ` +
			'request (WebRun IDs contain only letters, digits, "_", "-", "." or ":")',
	);
	throw attach(error, { ...error.webRun, code: 'INVALID_ID' });
}

/**
 * Follows a task from the answer of its starting request to a terminal state: an inline result
 * is used as it is (no poll at all), a pending one is handed to the shared wait loop. Failed and
 * terminated tasks throw, and so does a status WebRun does not document. Meanwhile the task
 * holds one of the account's sessions.
 */
export async function followTask(item: ItemContext, startBody: unknown): Promise<NormalizedTask> {
	const first = normalizeTaskResponse(startBody);
	adoptIds(item, first);
	if (first.state === 'failed' || first.state === 'terminated' || first.state === 'completed') {
		// Ended inline: its session may be free again for items waiting on the session limit.
		item.account.sessions.sessionFreed();
	}
	// A task already over Max Cost per Task in the start answer is stopped before any poll.
	await guardCost(item, first, first.pollUrl);
	if (first.state === 'failed' || first.state === 'terminated') {
		throw taskEndedError(item, first.state, first);
	}
	if (first.state === 'completed' || first.state === 'guardrail') return first;
	// A start answer without any state is an accepted task (documented); an unknown one is not.
	if (first.unknownStatus !== undefined) throw unknownStatusError(item, first.unknownStatus);
	if (!item.sessionId || !item.taskId) {
		throw unexpectedResponseError(
			item,
			'the task is still running but the answer has no session or task ID to follow it',
		);
	}
	return await followRunning(item, {
		sessionId: item.sessionId,
		taskId: item.taskId,
		pollUrl: first.pollUrl,
	});
}

/** Waits for a task known to be running (e.g. resumed after a guardrail); it holds a session. */
export async function followRunning(
	item: ItemContext,
	options: WaitOptions,
): Promise<NormalizedTask> {
	const { sessions } = item.account;
	sessions.taskStarted();
	try {
		return await waitForTask(item, options);
	} finally {
		sessions.taskEnded();
	}
}
