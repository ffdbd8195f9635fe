/* eslint-disable @n8n/community-nodes/no-restricted-imports --
	test tooling (the loopback API simulator): runs in Node,
	never shipped or loaded by n8n. See README.md, Development. */
/**
 * Injected faults. A fault matches by endpoint name ('*' = any API endpoint) and optional actionType,
 * applies to the next `times` matching requests (default 1), first registered first.
 *
 * 'status', 'garbage', 'truncated' and 'drop-before' answer (or drop) WITHOUT processing the request:
 * they model a proxy / load balancer in front of the API, so nothing is started and the request does not
 * count towards the rate limit. 'drop-after-accept' and 'delay' process the request normally.
 */
import type { ServerResponse } from 'http';
import type { FaultKind, FaultSpec } from './types';

export interface ActiveFault extends FaultSpec {
	kind: FaultKind;
	remaining: number;
}

export class FaultQueue {
	private faults: ActiveFault[] = [];

	add(f: FaultSpec): void {
		if (!f || typeof f !== 'object' || typeof f.endpoint !== 'string')
			throw new Error('fault needs an endpoint');
		const kind: FaultKind = f.kind ?? (f.delayMs !== undefined ? 'delay' : 'status');
		const allowed: FaultKind[] = [
			'status',
			'garbage',
			'truncated',
			'drop-before',
			'drop-after-accept',
			'delay',
		];
		if (!allowed.includes(kind)) throw new Error(`unknown fault kind ${kind}`);
		const times = f.times === undefined ? 1 : Math.max(0, Math.floor(Number(f.times)));
		if (times > 0) this.faults.push({ ...f, kind, remaining: times });
	}

	/** Takes (consumes one use of) the first fault matching this request. */
	take(endpoint: string, action: string | undefined): ActiveFault | undefined {
		const i = this.faults.findIndex(
			(f) =>
				f.remaining > 0 &&
				(f.endpoint === '*' ? endpoint !== 'unknown' : f.endpoint === endpoint) &&
				(!f.actionType || f.actionType === action),
		);
		if (i < 0) return undefined;
		const f = this.faults[i];
		f.remaining--;
		if (f.remaining <= 0) this.faults.splice(i, 1);
		return f;
	}

	list(): ActiveFault[] {
		return [...this.faults];
	}

	clear(): void {
		this.faults.length = 0;
	}
}

function defaultStatusBody(status: number): unknown {
	if (status === 503) return { success: false, message: 'No available instances.' };
	if (status === 429) {
		const message = 'Rate limit exceeded. Please try again later.';
		return { success: false, message, error: message, code: 'RATE_LIMIT_EXCEEDED' };
	}
	if (status === 500) return { success: false, message: 'Internal server error' };
	return { success: false, message: `Simulated error ${status}` };
}

/** Writes the answer of a non-processing fault. Returns the status written (undefined when dropped). */
export function writeFault(
	f: ActiveFault,
	res: ServerResponse,
	cannedJson: () => unknown,
): number | undefined {
	const headers = { ...(f.headers ?? {}) };
	switch (f.kind) {
		case 'drop-before':
			res.socket?.destroy();
			return undefined;
		case 'garbage': {
			const status = f.status ?? 200;
			const text = typeof f.body === 'string' ? f.body : '<html>502 Bad Gateway</html>';
			res.writeHead(status, {
				'Content-Type': 'text/html',
				'Content-Length': String(Buffer.byteLength(text)),
				...headers,
			});
			res.end(text);
			return status;
		}
		case 'truncated': {
			const status = f.status ?? 200;
			const full = typeof f.body === 'string' ? f.body : JSON.stringify(f.body ?? cannedJson());
			const half = full.slice(0, Math.max(1, Math.floor(full.length / 2)));
			// No Content-Length: a well-formed chunked HTTP answer whose JSON is cut in half.
			res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
			res.end(half);
			return status;
		}
		default: {
			const status = f.status ?? 500;
			const body = f.body === undefined ? defaultStatusBody(status) : f.body;
			const text = typeof body === 'string' ? body : JSON.stringify(body);
			let isJson = typeof body !== 'string';
			if (!isJson) {
				try {
					JSON.parse(text);
					isJson = true;
				} catch {
					isJson = false;
				}
			}
			res.writeHead(status, {
				'Content-Type': isJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
				'Content-Length': String(Buffer.byteLength(text)),
				...headers,
			});
			res.end(text);
			return status;
		}
	}
}
