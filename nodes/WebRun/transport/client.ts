import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	INode,
} from 'n8n-workflow';

import { createHash } from 'crypto';

import { CREDENTIAL_TYPE, DEFAULT_BASE_URL, MAX_TEXT_BODY_CHARS } from '../constants';
import { Secrets } from '../secrets';
import type { ApiFormat } from './requests';
import { lowerCaseHeaders } from './headers';
import type { HttpContext } from './http';
import { failureText, send } from './http';
import { API_FORMATS } from './requests';

export interface ApiResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	/** Parsed JSON when the body was JSON, otherwise the raw text (or undefined). */
	body: unknown;
	/** False when the body was not (complete) JSON. */
	json: boolean;
}

/** A request that did not get an HTTP answer. */
export interface TransportFailure {
	/** True when the request certainly never reached the server. */
	notSent: boolean;
	/** True when the execution was cancelled. */
	cancelled: boolean;
	reason: string;
}

const NOT_SENT_CODES = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ERR_INVALID_URL',
	'CERT_HAS_EXPIRED',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const REASONS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'DNS lookup failed',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	ECONNRESET: 'connection reset by the server',
	ECONNABORTED: 'no answer in time',
	ETIMEDOUT: 'no answer in time',
	EPIPE: 'connection closed by the server',
	ERR_CANCELED: 'request cancelled',
};

/** What a request that got no HTTP answer ran into: its error code, and the reason in words. */
export function describeFailure(error: unknown): { code?: string; reason: string } {
	const cause = (error as { cause?: { code?: string; message?: string } }).cause;
	const code = (error as { code?: string }).code ?? cause?.code;
	const message = cause?.message ?? (error as Error | undefined)?.message;
	if (code && REASONS[code]) return { code, reason: REASONS[code] };
	if (message && /socket hang up/i.test(message)) {
		return { code, reason: 'connection closed by the server' };
	}
	if (message && /timeout/i.test(message)) return { code, reason: 'no answer in time' };
	return { code, reason: code ? `network error ${code.toLowerCase()}` : 'network error' };
}

export function isTransportFailure(value: unknown): value is TransportFailure {
	return typeof value === 'object' && value !== null && 'notSent' in value && 'reason' in value;
}

/**
 * A JSON body as it is; any other body as text, redacted before it is shortened (a key cut in
 * half would no longer be recognised by the redaction that runs on the finished error).
 */
function parseBody(
	raw: unknown,
	redact: (text: string) => string,
): { body: unknown; json: boolean } {
	if (raw === undefined || raw === null || raw === '') return { body: undefined, json: false };
	if (typeof raw === 'object' && !Buffer.isBuffer(raw)) return { body: raw, json: true };
	const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
	try {
		const parsed = JSON.parse(text);
		if (typeof parsed === 'object' && parsed !== null) return { body: parsed, json: true };
	} catch {
		// not JSON: fall through
	}
	return { body: failureText(text, redact, MAX_TEXT_BODY_CHARS), json: false };
}

/**
 * The node's API client. Every request goes through the package's one transport (`send` in
 * http.ts: the key only to the credential's origin, no redirect followed), to the credential's
 * base URL only. It never throws for HTTP status codes: callers decide what a status means.
 * Built from a running node or from the editor (the Environment list).
 */
export class WebRunClient {
	private constructor(
		private readonly ctx: HttpContext,
		readonly baseUrl: string,
		readonly origin: string,
		/** Names the account (base URL + API key) without holding the key: a SHA-256 hash. */
		readonly accountId: string,
		/** Every value to redact: the API key, then the Secrets option's values, a proxy password. */
		readonly secrets: Secrets,
		/** The credential's "API Format": which request generation's fields the bodies carry. */
		readonly apiFormat: ApiFormat,
	) {}

	static async create(ctx: HttpContext): Promise<WebRunClient> {
		const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
		const raw = String(credentials.baseUrl || DEFAULT_BASE_URL).trim();
		// The caller wraps these errors in a NodeOperationError with a hint to check the credential.
		if (!URL.canParse(raw)) {
			throw new Error(`The Base URL in the WebRun credential is not a valid URL: "${raw}"`);
		}
		const url = new URL(raw);
		if (url.protocol !== 'https:' && url.protocol !== 'http:') {
			throw new Error(
				`The Base URL in the WebRun credential must start with https:// (got "${raw}")`,
			);
		}
		const baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
		const key = typeof credentials.apiKey === 'string' ? credentials.apiKey : '';
		const accountId = createHash('sha256').update(`${baseUrl}\n${key}`).digest('hex');
		const format = String(credentials.apiFormat ?? 'auto') as ApiFormat;
		const apiFormat = API_FORMATS.includes(format) ? format : 'auto';
		const secrets = new Secrets([key]);
		return new WebRunClient(ctx, baseUrl, url.origin, accountId, secrets, apiFormat);
	}

	get node(): INode {
		return this.ctx.getNode();
	}

	get signal(): AbortSignal | undefined {
		return (this.ctx as Partial<IExecuteFunctions>).getExecutionCancelSignal?.call(this.ctx);
	}

	/** The context requests are sent from (http.ts `send`). */
	get http(): HttpContext {
		return this.ctx;
	}

	/**
	 * n8n's execution context, for the binary data helpers of the file transfers (download.ts);
	 * only operations use those, never the editor's list search.
	 */
	get context(): IExecuteFunctions {
		return this.ctx as IExecuteFunctions;
	}

	/**
	 * Adds values to redact exactly like the API key (the Secrets option's values, a proxy
	 * password). The rules are secrets.ts's.
	 */
	addSecrets(values: string[]) {
		this.secrets.add(values);
	}

	/** Removes the API key and every added secret from any value about to leave the node. */
	redact<T>(value: T): T {
		return this.secrets.redact(value);
	}

	/** `/task/:sessionId/:taskId` on the credential's base URL, ids URL-encoded. */
	taskUrl(sessionId: string, taskId: string): string {
		return `${this.baseUrl}/task/${encodeURIComponent(sessionId)}/${encodeURIComponent(taskId)}`;
	}

	/** A pollUrl from the server is used only on the credential's own origin. */
	pollUrlFor(sessionId: string, taskId: string, pollUrl?: string): string {
		if (pollUrl) {
			try {
				const url = new URL(pollUrl, this.baseUrl);
				if (url.origin === this.origin && url.pathname.startsWith('/')) return url.toString();
			} catch {
				// ignore a malformed pollUrl
			}
		}
		return this.taskUrl(sessionId, taskId);
	}

	async request(
		method: IHttpRequestMethods,
		pathOrUrl: string,
		options: { body?: IDataObject | FormData; timeoutMs: number; ignoreCancel?: boolean },
	): Promise<ApiResponse | TransportFailure> {
		const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
		if (new URL(url).origin !== this.origin) {
			// Defence in depth: the key goes only to the credential's origin.
			return {
				notSent: true,
				cancelled: false,
				reason: 'refused to send the API key to another host',
			};
		}
		try {
			const response = await send(this.ctx, {
				method,
				url,
				keyOrigin: this.origin,
				json: true,
				timeoutMs: options.timeoutMs,
				headers: { Accept: 'application/json' },
				// A FormData body (POST /files/upload) goes out as multipart/form-data.
				body: options.body as IHttpRequestOptions['body'] | undefined,
				ignoreCancel: options.ignoreCancel,
			});
			const { body, json } = parseBody(response.body, (text) => this.redact(text));
			return {
				statusCode: response.statusCode,
				headers: lowerCaseHeaders(response.headers),
				body,
				json,
			};
		} catch (error) {
			const { code, reason } = describeFailure(error);
			const cancelled = !options.ignoreCancel && (this.signal?.aborted ?? false);
			return { notSent: code !== undefined && NOT_SENT_CODES.has(code), cancelled, reason };
		}
	}
}
