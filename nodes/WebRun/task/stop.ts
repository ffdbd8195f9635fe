import { CLEANUP_REQUEST_TIMEOUT_MS } from '../constants';
import { CancelledError } from '../sleep';
import type { WebRunClient } from '../transport/client';
import { stateBody } from '../transport/requests';
import type { ItemContext } from './context';

/**
 * Best effort: terminates a session this node created (after the execution was stopped), so the
 * user stops paying for it. Never throws; it does not wait for the start budget, and it is not
 * bound to the (already aborted) execution signal.
 */
export async function terminateSession(client: WebRunClient, sessionId: string): Promise<boolean> {
	const response = await client.request('POST', '/start/send-message', {
		body: stateBody(sessionId, 'terminate'),
		timeoutMs: CLEANUP_REQUEST_TIMEOUT_MS,
		ignoreCancel: true,
	});
	return 'statusCode' in response && response.statusCode >= 200 && response.statusCode < 300;
}

/**
 * Runs an item's work. When the execution is stopped meanwhile (n8n's Stop button, or n8n
 * cancelling executions at shutdown) and the item knows its session, which this node created,
 * the session is terminated so that it stops costing money. Any error goes on unchanged.
 */
export async function terminateOnCancel<T>(item: ItemContext, work: () => Promise<T>): Promise<T> {
	let failure: unknown;
	try {
		return await work();
	} catch (error) {
		failure = error;
	}
	if (failure instanceof CancelledError && item.sessionId) {
		await terminateSession(item.client, item.sessionId);
	}
	// Thrown after the catch block (not re-thrown raw there): the original error, unchanged.
	throw failure;
}
