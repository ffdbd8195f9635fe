import { taskEndedError, unexpectedResponseError } from '../errors';
import type { ItemContext } from './context';
import { guardCost } from './cost';
import type { NormalizedTask } from './read';
import { normalizeTaskResponse } from './read';
import type { WaitOptions } from './wait';
import { waitForTask } from './wait';

/**
 * Follows a task from the answer of its starting request to a terminal state: an inline result
 * is used as it is (no poll at all), a pending one is handed to the shared wait loop. Failed and
 * terminated tasks throw. Meanwhile the task holds one of the account's sessions.
 */
export async function followTask(item: ItemContext, startBody: unknown): Promise<NormalizedTask> {
	const first = normalizeTaskResponse(startBody);
	item.sessionId = first.sessionId ?? item.sessionId;
	item.taskId = first.taskId ?? item.taskId;
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
