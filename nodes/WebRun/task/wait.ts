import {
	MAX_POLL_BACKOFF_MS,
	POLL_RATE_LIMITED_WAIT_MS,
	POLL_REQUEST_TIMEOUT_MS,
} from '../constants';
import {
	httpError,
	taskEndedError,
	timeoutError,
	unexpectedResponseError,
	unknownStatusError,
} from '../errors';
import { CancelledError, cancellableSleep } from '../sleep';
import { isTransportFailure } from '../transport/client';
import { serverWait } from '../transport/headers';
import type { ItemContext } from './context';
import { guardCost } from './cost';
import type { NormalizedTask } from './read';
import { isValidId, normalizeTaskResponse, samePollPath } from './read';

export interface WaitOptions {
	sessionId: string;
	taskId: string;
	pollUrl?: string;
	/** Poll at once instead of after one interval (Get Task). */
	pollImmediately?: boolean;
	/** Return after the first good answer, whatever the state (Get Task without waiting). */
	once?: boolean;
}

/**
 * The shared wait loop of every waiting operation.
 *
 * Polls `GET /task/:sessionId/:taskId` every `pollInterval` (measured from the start of the
 * previous poll, so a slow answer does not add to the cadence) until a terminal state:
 * `task_completed` and `guardrail_trigger` are returned, `failed` and `terminated` throw, and so
 * does any state WebRun does not document (or an answer naming none): only the documented running
 * states keep the node polling.
 * 5xx answers, network errors, non-JSON or truncated bodies and slow answers are transient: the
 * loop backs off and keeps polling until the item's timeout. 404 and other 4xx answers throw. A
 * 429 whose Retry-After (or X-RateLimit-Reset) lies beyond the item's deadline fails it at once.
 * A stopped execution ends the wait at once.
 */
export async function waitForTask(
	item: ItemContext,
	options: WaitOptions,
): Promise<NormalizedTask> {
	const { client, settings } = item;
	// Typed IDs were checked when read, server-given ones when adopted: this is the last guard
	// before they enter a path.
	for (const id of [options.sessionId, options.taskId]) {
		if (!isValidId(id)) {
			throw unexpectedResponseError(item, `not a valid WebRun ID: ${JSON.stringify(id)}`);
		}
	}
	item.sessionId = options.sessionId;
	item.taskId = options.taskId;
	const pollUrl = samePollPath(options.pollUrl, options.sessionId, options.taskId);
	const url = client.pollUrlFor(options.sessionId, options.taskId, pollUrl);
	let failures = 0;
	let nextPollAt = options.pollImmediately ? Date.now() : Date.now() + settings.pollIntervalMs;

	for (;;) {
		item.throwIfCancelled();
		const now = Date.now();
		if (now >= item.deadline) throw timeoutError(item, item.waitedSeconds(), 'wait');
		// The last poll happens at the deadline rather than never.
		const pollAt = Math.min(nextPollAt, item.deadline - 1);
		if (pollAt > now) await cancellableSleep(pollAt - now, item.signal);

		const pollStartedAt = Date.now();
		const timeoutMs = Math.max(
			1000,
			Math.min(POLL_REQUEST_TIMEOUT_MS, item.deadline - pollStartedAt),
		);
		const response = await client.request('GET', url, { timeoutMs });
		const transient = () => {
			failures++;
			const backoff = settings.pollIntervalMs * Math.min(2 ** (failures - 1), 16);
			nextPollAt =
				pollStartedAt + Math.min(MAX_POLL_BACKOFF_MS, Math.max(settings.pollIntervalMs, backoff));
		};

		if (isTransportFailure(response)) {
			if (response.cancelled) throw new CancelledError();
			transient();
			continue;
		}
		const res = response;
		if (res.statusCode >= 200 && res.statusCode < 300) {
			if (!res.json) {
				transient();
				continue;
			}
			item.lastRaw = res.body;
			const task = normalizeTaskResponse(res.body);
			// Over Max Cost per Task: stopped, polled once more, and thrown.
			await guardCost(item, task, options.pollUrl);
			if (task.state === 'failed' || task.state === 'terminated') {
				throw taskEndedError(item, task.state, task);
			}
			if (task.unknownStatus !== undefined || task.stateless) {
				throw unknownStatusError(item, task.unknownStatus);
			}
			if (options.once || task.state === 'completed' || task.state === 'guardrail') return task;
			failures = 0;
			nextPollAt = pollStartedAt + settings.pollIntervalMs;
			continue;
		}
		if (res.statusCode === 429) {
			const at = Date.now();
			const asked = serverWait(res.headers, at);
			if (asked) item.refuseWaitPastDeadline(asked, 'wait', 429, at);
			nextPollAt = at + Math.max(settings.pollIntervalMs, asked?.ms ?? POLL_RATE_LIMITED_WAIT_MS);
			continue;
		}
		if (res.statusCode >= 500 || res.statusCode === 408) {
			transient();
			continue;
		}
		throw httpError(item, res.statusCode, res.body);
	}
}
