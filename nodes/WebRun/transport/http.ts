/**
 * The package's one way out: every HTTP request (tasks, polls, stops, uploads, the Environment
 * list, downloads) is sent by `send`. It never follows a redirect (n8n's helpers would re-send the
 * credential's Authorization header to whatever host a redirect names), and it attaches the API key
 * (httpRequestWithAuthentication) only to the credential's own origin; any other host gets a
 * plain request. The credential test is declarative (credentials/WebRunApi.credentials.ts) and
 * carries the same `disableFollowRedirect`.
 */
import type {
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../constants';

/** Where requests come from: a running node, or the editor loading a list. */
export type HttpContext = IExecuteFunctions | ILoadOptionsFunctions;

export interface SendRequest {
	method: IHttpRequestMethods;
	url: string;
	/** The credential's origin: the only one that gets the API key. */
	keyOrigin: string;
	timeoutMs: number;
	body?: IHttpRequestOptions['body'];
	headers?: Record<string, string>;
	/** Parse/send JSON (API calls); off for downloads. */
	json?: boolean;
	/** Answer the body as a Node.js Readable (downloads). */
	stream?: boolean;
	/** Do not bind the execution's cancel signal (best-effort cleanup after a stop). */
	ignoreCancel?: boolean;
}

export interface RawResponse {
	statusCode: number;
	headers: unknown;
	body: unknown;
}

function cancelSignal(ctx: HttpContext): AbortSignal | undefined {
	const get = (ctx as Partial<IExecuteFunctions>).getExecutionCancelSignal;
	return typeof get === 'function' ? get.call(ctx) : undefined;
}

/** Sends one request; throws only when no HTTP answer came (the caller describes the failure). */
export async function send(ctx: HttpContext, request: SendRequest): Promise<RawResponse> {
	const url = new URL(request.url);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: url.toString(),
		timeout: request.timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// A redirect is answered as it is: the caller decides (the API paths treat it as an error,
		// a download follows it one hop at a time, deciding again each hop).
		disableFollowRedirect: true,
		headers: { ...(request.headers ?? {}) },
	};
	if (request.json) options.json = true;
	if (request.stream) options.encoding = 'stream';
	if (request.body !== undefined) options.body = request.body;
	if (url.origin !== request.keyOrigin) {
		const signal = request.ignoreCancel ? undefined : cancelSignal(ctx);
		return (await ctx.helpers.httpRequest({
			...options,
			...(signal ? { abortSignal: signal } : {}),
		})) as RawResponse;
	}
	// httpRequestWithAuthentication binds the execution's cancel signal whenever its `this` offers
	// getExecutionCancelSignal: cleanup after a stop gets a `this` without it.
	const thisArg = request.ignoreCancel
		? {
				getCredentials: ctx.getCredentials.bind(ctx),
				getNode: ctx.getNode.bind(ctx),
				helpers: ctx.helpers,
			}
		: ctx;
	return (await ctx.helpers.httpRequestWithAuthentication.call(
		thisArg as IExecuteFunctions,
		CREDENTIAL_TYPE,
		options,
	)) as RawResponse;
}

/** A server text for a message: redacted first, then shortened (a cut key stays recognisable). */
export function failureText(text: string, redact: (text: string) => string, max: number): string {
	return redact(text).slice(0, max);
}
