/**
 * Reads response headers: names are lower-cased once (`lowerCaseHeaders`, by the client and the
 * download), so lookups here are by lower-case name only; WebRun's rate-limit headers become numbers.
 */

export type Headers = Record<string, unknown>;

/** What an answer says about the account's start budget. */
export interface RateLimitInfo {
	limit?: number;
	remaining?: number;
	/** When the oldest counted start leaves the server's window (epoch ms). */
	resetAt?: number;
}

/** The headers of an answer with lower-case names (n8n may hand over an AxiosHeaders object). */
export function lowerCaseHeaders(headers: unknown): Headers {
	const out: Headers = {};
	if (headers && typeof headers === 'object') {
		const source =
			typeof (headers as { toJSON?: () => unknown }).toJSON === 'function'
				? ((headers as { toJSON: () => unknown }).toJSON() as Headers)
				: (headers as Headers);
		for (const [key, value] of Object.entries(source)) out[key.toLowerCase()] = value;
	}
	return out;
}

/** One header's value (the first, when repeated), by lower-case name. */
export function header(headers: Headers | undefined, name: string): string | undefined {
	const value = headers?.[name];
	if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** The Retry-After header of an answer, in milliseconds from `now`. */
export function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
	return parseRetryAfter(header(headers, 'retry-after'), now);
}

/** X-RateLimit-Reset is Unix seconds; returns epoch milliseconds (milliseconds are tolerated). */
export function parseReset(value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const seconds = Number(value);
	if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
	return seconds > 1e12 ? seconds : seconds * 1000;
}

/** The X-RateLimit-* headers of an answer; undefined when it carries none of them. */
export function rateLimitInfo(headers: Headers | undefined): RateLimitInfo | undefined {
	const limitRaw = header(headers, 'x-ratelimit-limit');
	const remainingRaw = header(headers, 'x-ratelimit-remaining');
	const resetRaw = header(headers, 'x-ratelimit-reset');
	if (limitRaw === undefined && remainingRaw === undefined && resetRaw === undefined)
		return undefined;
	const info: RateLimitInfo = {};
	const limit = Number(limitRaw);
	if (Number.isInteger(limit) && limit > 0) info.limit = limit;
	const remaining = remainingRaw === undefined ? Number.NaN : Number(remainingRaw);
	if (Number.isInteger(remaining) && remaining >= 0) info.remaining = remaining;
	const resetAt = parseReset(resetRaw);
	if (resetAt !== undefined) info.resetAt = resetAt;
	return info;
}

/** A wait a rate-limited answer asks for, and the header that asked (for messages). */
export interface ServerWait {
	ms: number;
	source: 'Retry-After' | 'X-RateLimit-Reset';
}

/** The wait a 429 names: Retry-After, else until X-RateLimit-Reset; undefined when it names none. */
export function serverWait(headers: Headers | undefined, now: number): ServerWait | undefined {
	const retry = retryAfterMs(headers, now);
	if (retry !== undefined) return { ms: retry, source: 'Retry-After' };
	const resetAt = rateLimitInfo(headers)?.resetAt;
	return resetAt !== undefined
		? { ms: Math.max(0, resetAt - now), source: 'X-RateLimit-Reset' }
		: undefined;
}
