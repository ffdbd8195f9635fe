import type { IDataObject } from 'n8n-workflow';

import type { ApiResponse } from '../transport/client';
import { isTransportFailure, START_REQUEST_TIMEOUT_MS } from '../transport/client';
import {
	httpError,
	sessionLimitError,
	timeoutError,
	uncertainStartError,
	unreachableError,
} from './errors';
import type { ItemContext } from './itemContext';
import { CancelledError, cancellableSleep } from './sleep';
import { parseReset, parseRetryAfter } from './startBudget';

/** Starting requests wait at most this long on one 429 when the server names no time. */
const DEFAULT_RETRY_AFTER_MS = 60_000;
const MAX_UNAVAILABLE_BACKOFF_MS = 30_000;

function bodyCode(body: unknown): string | undefined {
	if (typeof body !== 'object' || body === null) return undefined;
	const b = body as IDataObject;
	if (typeof b.code === 'string') return b.code;
	if (typeof b.error === 'object' && b.error && typeof (b.error as IDataObject).code === 'string') {
		return (b.error as IDataObject).code as string;
	}
	return undefined;
}

function bodyText(body: unknown): string | undefined {
	if (typeof body !== 'object' || body === null) return undefined;
	const b = body as IDataObject;
	if (typeof b.error === 'string') return b.error;
	return typeof b.message === 'string' ? b.message : undefined;
}

function isSessionLimit(body: unknown): boolean {
	return (
		bodyCode(body) === 'SESSION_LIMIT_REACHED' ||
		/maximum concurrent sessions/i.test(bodyText(body) ?? '')
	);
}

/**
 * Sends one rate-limited "starting" request (run-task, start-session, send-message) and returns
 * its 2xx answer.
 *
 * - Waits for a slot in the execution's start budget, so parallel items do not provoke 429s.
 * - 429: waits for Retry-After (or X-RateLimit-Reset) and tries again; every other start waits too.
 * - 503 (no browsers available): backs off 2 s, 4 s, 8 s… and tries again.
 * - SESSION_LIMIT_REACHED: waits for one of this execution's own tasks to end and tries again.
 * All of it within the item's timeout. A request that may have reached the server (timeout,
 * dropped connection, unreadable answer) is never sent again: that could start a second,
 * billable task. Every other HTTP error is reported at once.
 */
export async function sendStart(item: ItemContext, path: string, body: IDataObject): Promise<ApiResponse> {
	const { client } = item;
	const budget = client.budget;
	let unavailable = 0;
	for (;;) {
		item.throwIfCancelled();
		const sentAt = await budget.acquire((ms) => item.waitOrTimeout(ms, 'start'));
		const remaining = item.remainingMs();
		if (remaining < 1000) throw timeoutError(item, item.waitedSeconds(), 'start');
		const response = await client.request('POST', path, {
			body,
			timeoutMs: Math.min(START_REQUEST_TIMEOUT_MS, remaining),
		});
		if (isTransportFailure(response)) {
			if (response.cancelled) throw new CancelledError();
			if (response.notSent) throw unreachableError(item, client.origin, response.reason);
			throw uncertainStartError(item, response.reason);
		}
		budget.observe(response.headers, sentAt);
		const { statusCode } = response;
		if (statusCode >= 200 && statusCode < 300) {
			if (!response.json) throw uncertainStartError(item, 'the answer was not valid JSON');
			item.lastRaw = response.body;
			return response;
		}
		if (isSessionLimit(response.body)) {
			if (budget.runningTasks === 0) throw sessionLimitError(item, bodyText(response.body));
			// Wait until one of this execution's tasks ends (or the item's deadline).
			await cancellableSleep(item.remainingMs(), item.signal, budget.nextTaskEnd());
			if (item.remainingMs() <= 0) throw sessionLimitError(item, bodyText(response.body));
			continue;
		}
		if (statusCode === 429) {
			const now = Date.now();
			const resetAt = parseReset(response.headers['x-ratelimit-reset'] as string | undefined);
			const retryMs =
				parseRetryAfter(response.headers['retry-after'] as string | undefined, now) ??
				(resetAt !== undefined ? Math.max(0, resetAt - now) : DEFAULT_RETRY_AFTER_MS);
			budget.rateLimited(retryMs);
			if (now + retryMs >= item.deadline) {
				throw httpError(item, 429, response.body);
			}
			continue;
		}
		if (statusCode === 503) {
			const retryMs = parseRetryAfter(response.headers['retry-after'] as string | undefined, Date.now());
			const backoff = retryMs ?? Math.min(MAX_UNAVAILABLE_BACKOFF_MS, 2000 * 2 ** unavailable);
			unavailable++;
			await item.waitOrTimeout(backoff, 'start');
			continue;
		}
		throw httpError(item, statusCode, response.body);
	}
}
