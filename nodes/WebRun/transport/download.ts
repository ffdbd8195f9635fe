import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import { DOWNLOAD_IDLE_TIMEOUT_MS, MAX_DOWNLOAD_REDIRECTS, MAX_SLEEP_CHUNK_MS } from '../constants';
import { cancellableSleep, CancelledError } from '../sleep';
import { checkDownloadAddress } from './addresses';
import type { WebRunClient } from './client';
import { describeFailure } from './client';
import { header, lowerCaseHeaders } from './headers';
import type { RawResponse } from './http';
import { send } from './http';

/** What n8n's binary helper stores: a Buffer or a Node.js Readable. */
type BinaryInput = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

/** The body n8n's request helpers return with `encoding: 'stream'`: a Node.js Readable. */
interface ByteStream {
	destroy(error?: Error): unknown;
	/** Readable.prototype.map (Node.js ≥ 16.14): a new Readable of the mapped chunks. */
	map(fn: (chunk: Buffer) => Buffer): ByteStream;
}

export interface DownloadRequest {
	url: string;
	/** Stored as the binary data's file name (last path segment only). */
	fileName: string;
	/** A larger file is refused: from Content-Length before reading, else while streaming. */
	maxBytes: number;
	/** The item's deadline (epoch ms): the download ends there, whatever the server does. */
	deadline?: number;
}

export type DownloadResult =
	| { ok: true; binary: IBinaryData; bytes: number }
	| {
			ok: false;
			reason: string;
			statusCode?: number;
			/** Bytes announced (Content-Length) or read when the file was refused as too large. */
			tooLargeAt?: number;
			cancelled?: boolean;
			/** The item's Timeout passed during the download. */
			timedOut?: boolean;
			/** The address rules refused the link (addresses.ts). */
			refused?: boolean;
	  };

/** The reason of a download ended by the item's Timeout. */
const DEADLINE_REASON = "the item's Timeout passed during the download";

class TooLargeError extends Error {
	constructor(readonly bytes: number) {
		super('file too large');
	}
}

class IdleError extends Error {
	constructor() {
		super(`no data for ${DOWNLOAD_IDLE_TIMEOUT_MS / 1000} s`);
	}
}

class DeadlineError extends Error {
	constructor() {
		super(DEADLINE_REASON);
	}
}

/**
 * The address the connection reached, read from the answer's socket before its body is read
 * (n8n's community-node rules forbid a DNS lookup in the node: `dns` is a restricted import).
 * Undefined when the body is not the raw response (e.g. a decompressing stream).
 */
export function remoteAddressOf(body: unknown): string | undefined {
	const socket = (body as { socket?: { remoteAddress?: unknown } } | undefined)?.socket;
	return typeof socket?.remoteAddress === 'string' ? socket.remoteAddress : undefined;
}

/** A MIME type worth keeping: without parameters, and not the "unknown" octet-stream. */
function mimeTypeOf(contentType: string | undefined): string | undefined {
	const type = contentType?.split(';')[0].trim().toLowerCase();
	if (!type || type === 'application/octet-stream' || !type.includes('/')) return undefined;
	return type;
}

/**
 * Streams `body` into n8n binary data (n8n's binary-data mode decides where it goes: memory,
 * filesystem, S3), counting bytes on the way: past `maxBytes`, or with no data for
 * DOWNLOAD_IDLE_TIMEOUT_MS, or when the execution is stopped, the stream is destroyed (which
 * closes the connection) and nothing is kept.
 */
async function storeStream(
	ctx: IExecuteFunctions,
	body: ByteStream,
	request: DownloadRequest,
	mimeType: string | undefined,
	signal: AbortSignal | undefined,
): Promise<DownloadResult> {
	const deadline = request.deadline ?? Number.POSITIVE_INFINITY;
	let bytes = 0;
	let lastDataAt = Date.now();
	let done = false;
	let finished = () => {};
	const ended = new Promise<void>((resolve) => (finished = resolve));
	const counted = body.map((chunk) => {
		bytes += chunk.length;
		lastDataAt = Date.now();
		if (bytes > request.maxBytes) throw new TooLargeError(bytes);
		return chunk;
	});
	// n8n's helpers offer no idle timeout once a streamed answer has begun: watch it here.
	const watchdog = (async () => {
		while (!done) {
			// Wakes at the deadline itself when it comes sooner than the next look.
			const untilDeadline = Math.max(1, deadline - Date.now());
			await cancellableSleep(Math.min(MAX_SLEEP_CHUNK_MS, untilDeadline), undefined, ended);
			if (done) return;
			if (signal?.aborted) body.destroy(new CancelledError());
			else if (Date.now() >= deadline) body.destroy(new DeadlineError());
			else if (Date.now() - lastDataAt > DOWNLOAD_IDLE_TIMEOUT_MS) body.destroy(new IdleError());
		}
	})();
	try {
		const binary = await ctx.helpers.prepareBinaryData(
			counted as unknown as BinaryInput,
			request.fileName,
			mimeType,
		);
		return { ok: true, binary, bytes };
	} catch (error) {
		body.destroy();
		if (error instanceof TooLargeError) {
			return { ok: false, reason: 'too large', tooLargeAt: error.bytes };
		}
		if (error instanceof CancelledError || signal?.aborted) {
			return { ok: false, reason: 'cancelled', cancelled: true };
		}
		if (error instanceof IdleError) return { ok: false, reason: error.message };
		if (error instanceof DeadlineError || Date.now() >= deadline) {
			return { ok: false, reason: DEADLINE_REASON, timedOut: true };
		}
		return { ok: false, reason: describeFailure(error).reason };
	} finally {
		done = true;
		finished();
		await watchdog;
	}
}

/**
 * Downloads one file the agent downloaded (docs/webrun-api-notes.md#files) into n8n binary data.
 *
 * Sent through the package's one transport (http.ts): the API key goes only to the credential's
 * own origin, any other host (WebRun's blob host) gets a plain request. Redirects are followed
 * here, one hop at a time, so each hop decides again; a redirect onto the API origin is refused
 * (a file host must not obtain an authenticated API answer). Each hop's address is checked
 * (addresses.ts): the link as written before sending, the connected socket's address before the
 * body is read. The whole download ends at the item's deadline. Never throws.
 */
export async function downloadFile(
	client: WebRunClient,
	request: DownloadRequest,
): Promise<DownloadResult> {
	const ctx = client.context;
	const signal = client.signal;
	const deadline = request.deadline ?? Number.POSITIVE_INFINITY;
	let target = request.url;
	for (let hop = 0; ; hop++) {
		let url: URL;
		try {
			url = new URL(target);
		} catch {
			return { ok: false, reason: 'the download link is not a valid URL' };
		}
		if (url.protocol !== 'https:' && url.protocol !== 'http:') {
			return { ok: false, reason: `the download link is not a web address (${url.protocol})` };
		}
		if (hop > 0 && url.origin === client.origin) {
			return {
				ok: false,
				reason: 'the file host redirected the download to the WebRun API itself (not followed)',
				refused: true,
			};
		}
		const verdict = checkDownloadAddress(url.toString(), undefined, client.baseUrl);
		if (!verdict.allowed) return { ok: false, reason: verdict.reason, refused: true };
		const remaining = deadline - Date.now();
		if (remaining <= 0) return { ok: false, reason: DEADLINE_REASON, timedOut: true };
		let response: RawResponse;
		try {
			if (signal?.aborted) throw new CancelledError();
			response = await send(client.http, {
				method: 'GET',
				url: url.toString(),
				keyOrigin: client.origin,
				stream: true,
				timeoutMs: Math.max(1, Math.min(DOWNLOAD_IDLE_TIMEOUT_MS, remaining)),
				// The raw answer keeps its socket, whose address is checked below.
				headers: { 'Accept-Encoding': 'identity' },
			});
		} catch (error) {
			if (error instanceof CancelledError || signal?.aborted) {
				return { ok: false, reason: 'cancelled', cancelled: true };
			}
			if (Date.now() >= deadline) return { ok: false, reason: DEADLINE_REASON, timedOut: true };
			return { ok: false, reason: describeFailure(error).reason };
		}
		const { statusCode, body } = response;
		const headers = lowerCaseHeaders(response.headers);
		const stream = body as ByteStream | Buffer | undefined;
		const discard = () => {
			if (stream && !Buffer.isBuffer(stream)) stream.destroy();
		};
		const reached = checkDownloadAddress(url.toString(), remoteAddressOf(stream), client.baseUrl);
		if (!reached.allowed) {
			discard();
			return { ok: false, reason: reached.reason, refused: true };
		}
		const location = header(headers, 'location');
		if (statusCode >= 300 && statusCode < 400 && location) {
			discard();
			if (hop >= MAX_DOWNLOAD_REDIRECTS) return { ok: false, reason: 'too many redirects' };
			target = new URL(location, url).toString();
			continue;
		}
		if (statusCode < 200 || statusCode >= 300) {
			discard();
			return { ok: false, reason: `HTTP ${statusCode}`, statusCode };
		}
		const declared = Number(header(headers, 'content-length'));
		if (Number.isFinite(declared) && declared > request.maxBytes) {
			discard();
			return { ok: false, reason: 'too large', tooLargeAt: declared };
		}
		const mimeType = mimeTypeOf(header(headers, 'content-type'));
		if (stream === undefined || Buffer.isBuffer(stream) || typeof stream.map !== 'function') {
			// Not streamed (an n8n that ignores `encoding: 'stream'`): the body is already here.
			const buffer = Buffer.isBuffer(stream) ? stream : Buffer.alloc(0);
			if (buffer.length > request.maxBytes) {
				return { ok: false, reason: 'too large', tooLargeAt: buffer.length };
			}
			const binary = await ctx.helpers.prepareBinaryData(buffer, request.fileName, mimeType);
			return { ok: true, binary, bytes: buffer.length };
		}
		return await storeStream(ctx, stream, request, mimeType, signal);
	}
}
