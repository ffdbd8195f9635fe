import type { WebRunClient } from '../transport/client';

/**
 * Best effort: terminates a session this node created (after the execution was stopped), so the
 * user stops paying for it. Never throws; it does not wait for the start budget, and it is not
 * bound to the (already aborted) execution signal.
 */
export async function terminateSession(client: WebRunClient, sessionId: string): Promise<boolean> {
	const response = await client.request('POST', '/start/send-message', {
		body: { sessionId, message: { actionType: 'state', newState: 'terminate' } },
		timeoutMs: 5000,
		ignoreCancel: true,
	});
	return 'statusCode' in response && response.statusCode >= 200 && response.statusCode < 300;
}
