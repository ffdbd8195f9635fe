import type { IDataObject } from 'n8n-workflow';

import {
	DEFAULT_RETRY_AFTER_MS,
	MAX_UNAVAILABLE_BACKOFF_MS,
	START_REQUEST_TIMEOUT_MS,
} from '../constants';
import {
	httpError,
	serverCode,
	serverMessage,
	sessionLimitError,
	timeoutError,
	uncertainStartError,
	unreachableError,
	waitTooLongError,
} from '../errors';
import { CancelledError, cancellableSleep } from '../sleep';
import type { ApiResponse, TransportFailure, WebRunClient } from '../transport/client';
import { isTransportFailure } from '../transport/client';
import { rateLimitInfo, retryAfterMs, serverWait } from '../transport/headers';
import type { ItemContext } from './context';
import { assertTotalCost } from './cost';
import { isValidId, normalizeSession, normalizeTaskResponse } from './read';
import { terminateSession } from './stop';

function isSessionLimit(body: unknown): boolean {
	return (
		serverCode(body) === 'SESSION_LIMIT_REACHED' ||
		/maximum concurrent sessions/i.test(serverMessage(body) ?? '')
	);
}

/** Starting requests that create a session of their own, which the node closes when stopped. */
const SESSION_CREATING_PATHS = new Set(['/start/run-task', '/start/start-session']);

/** Terminates the session named by the late answer of a start whose execution was stopped. */
async function closeOrphanSession(
	client: WebRunClient,
	path: string,
	response: ApiResponse | TransportFailure,
) {
	if (
		isTransportFailure(response) ||
		response.statusCode < 200 ||
		response.statusCode >= 300 ||
		!response.json
	)
		return;
	const { sessionId } = normalizeSession(response.body);
	// An ID that fails the typed-ID check never goes into a request.
	if (!sessionId || !isValidId(sessionId)) return;
	// A Run Task whose task already ended closed its session on its own.
	const state = path === '/start/run-task' ? normalizeTaskResponse(response.body).state : undefined;
	if (state === 'completed' || state === 'failed' || state === 'terminated') return;
	await terminateSession(client, sessionId);
}

/**
 * Sends a starting request. One that creates a session is not bound to the execution's signal:
 * when the execution is stopped while the request is held (the inline window lasts up to 50 s),
 * the item stops waiting at once, but the answer is still read in the background so that the
 * session it created (and pays for) is terminated instead of running on unseen.
 */
async function requestStart(item: ItemContext, path: string, body: IDataObject, timeoutMs: number) {
	const { client } = item;
	const signal = item.signal;
	if (!signal || !SESSION_CREATING_PATHS.has(path))
		return await client.request('POST', path, { body, timeoutMs });
	const pending = client.request('POST', path, { body, timeoutMs, ignoreCancel: true });
	let stopped = false;
	try {
		await cancellableSleep(timeoutMs + 5000, signal, pending);
	} catch {
		// cancellableSleep throws only CancelledError: the execution was stopped.
		stopped = true;
	}
	if (stopped) {
		void pending
			.then(async (response) => await closeOrphanSession(client, path, response))
			.catch(() => undefined);
		throw new CancelledError();
	}
	return await pending;
}

/** One request that takes a slot of the account's start budget (see sendLimited). */
export interface LimitedRequest {
	/** Sends the request once; `timeoutMs` bounds this attempt. */
	send(timeoutMs: number): Promise<ApiResponse | TransportFailure>;
	/** The longest one attempt may take (the item's remaining time shortens it). */
	timeoutMs: number;
	/** A start may hold a browser session (and meet the session limit); an upload does not. */
	holdsSession: boolean;
	/** The error of an attempt that may have reached the server without a readable answer. */
	uncertain(reason: string): Error;
}

/** Sends one "starting" request (run-task, start-session, send-message): see sendLimited. */
export async function sendStart(
	item: ItemContext,
	path: string,
	body: IDataObject,
): Promise<ApiResponse> {
	return await sendLimited(item, {
		send: async (timeoutMs) => await requestStart(item, path, body, timeoutMs),
		timeoutMs: START_REQUEST_TIMEOUT_MS,
		holdsSession: true,
		uncertain: (reason) => uncertainStartError(item, reason),
	});
}

/**
 * Waits for a slot of the account's start budget, within the item's Timeout; Max Total Cost is
 * checked again on waking. Returns when the slot was taken.
 */
async function acquireStartSlot(item: ItemContext): Promise<number> {
	const { budget } = item.account;
	return await budget.acquire(async (ms, wake) => {
		// A server-given block outlasting the item's Timeout: no sleeping to the deadline.
		const block = budget.currentBlock();
		const left = item.remainingMs();
		// (A start needs a second of the item's time left, see sendLimited.)
		if (block && block.remainingMs + 1000 >= left) {
			throw waitTooLongError(item, {
				askedMs: block.askedMs,
				source: block.source,
				leftMs: left,
				phase: 'start',
			});
		}
		await item.waitOrTimeout(ms, 'start', wake);
		assertTotalCost(item);
	});
}

/**
 * Sends one rate-limited request (a start, or POST /files/upload, which WebRun counts in the same
 * 10 per minute) and returns its 2xx answer.
 *
 * - Waits for a slot in the account's start budget (shared by every execution in this process),
 *   so parallel items and simultaneous executions do not provoke 429s.
 * - 429: waits for Retry-After (or X-RateLimit-Reset) and tries again; every other start waits too.
 *   A wait longer than what is left of the item's Timeout fails it at once with RATE_LIMITED, and
 *   so does a block of the shared budget that outlasts it (see budget.ts for its 10-minute cap).
 * - 503 (no browsers available): backs off 2 s, 4 s, 8 s… and tries again.
 * - SESSION_LIMIT_REACHED: waits for one of the sessions this process holds for the account (tasks
 *   it follows, starting requests in flight) to end and tries again; with none, it fails at once.
 * All of it within the item's timeout. A request that may have reached the server (timeout,
 * dropped connection, unreadable answer) is never sent again: that could start a second,
 * billable task. Every other HTTP error is reported at once.
 */
export async function sendLimited(
	item: ItemContext,
	request: LimitedRequest,
): Promise<ApiResponse> {
	const { client } = item;
	const { budget, sessions } = item.account;
	let unavailable = 0;
	for (;;) {
		item.throwIfCancelled();
		// Max Total Cost: an item not started yet is not started once the run's total is reached,
		// also when that happens while it waits for a slot.
		assertTotalCost(item);
		const sentAt = await acquireStartSlot(item);
		assertTotalCost(item);
		const remaining = item.remainingMs();
		if (remaining < 1000) throw timeoutError(item, item.waitedSeconds(), 'start');
		const freedBefore = sessions.freedCount;
		if (request.holdsSession) sessions.startSent();
		const response = await request.send(Math.min(request.timeoutMs, remaining));
		// A 2xx answer may hold a session (followTask tells when its task ends); a refusal for the
		// session limit frees nothing; any other error or failure created no session to wait for.
		const answered2xx =
			!isTransportFailure(response) && response.statusCode >= 200 && response.statusCode < 300;
		if (request.holdsSession) {
			const failed = isTransportFailure(response) || !isSessionLimit(response.body);
			sessions.startAnswered(!answered2xx && failed);
		}
		if (isTransportFailure(response)) {
			if (response.cancelled) throw new CancelledError();
			if (response.notSent) throw unreachableError(item, client.origin, response.reason);
			throw request.uncertain(response.reason);
		}
		budget.observe(rateLimitInfo(response.headers), sentAt, response.statusCode);
		const { statusCode } = response;
		if (statusCode >= 200 && statusCode < 300) {
			if (!response.json) throw request.uncertain('the answer was not valid JSON');
			item.lastRaw = response.body;
			return response;
		}
		if (request.holdsSession && isSessionLimit(response.body)) {
			// One of the sessions held here ended while the request was on its way: try again now.
			if (sessions.freedCount !== freedBefore) continue;
			if (sessions.held === 0) throw sessionLimitError(item, serverMessage(response.body));
			// Wait until one of them ends (or the item's deadline); they include starting requests
			// still held for their inline window.
			await cancellableSleep(item.remainingMs(), item.signal, sessions.nextFree());
			if (item.remainingMs() <= 0) throw sessionLimitError(item, serverMessage(response.body));
			continue;
		}
		if (statusCode === 429) {
			const now = Date.now();
			const wait = serverWait(response.headers, now) ?? {
				ms: DEFAULT_RETRY_AFTER_MS,
				source: "no Retry-After: WebRun's one-minute window",
			};
			budget.rateLimited(wait.ms, wait.source);
			item.refuseWaitPastDeadline(wait, 'start', 429, now);
			continue;
		}
		if (statusCode === 503) {
			const retryMs = retryAfterMs(response.headers, Date.now());
			if (retryMs !== undefined) {
				item.refuseWaitPastDeadline({ ms: retryMs, source: 'Retry-After' }, 'start', 503);
			}
			const backoff = retryMs ?? Math.min(MAX_UNAVAILABLE_BACKOFF_MS, 2000 * 2 ** unavailable);
			unavailable++;
			await item.waitOrTimeout(backoff, 'start');
			continue;
		}
		throw httpError(item, statusCode, response.body);
	}
}
