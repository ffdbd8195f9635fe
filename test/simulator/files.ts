/* eslint-disable @n8n/community-nodes/no-restricted-imports --
	test tooling (the loopback API simulator): runs in Node,
	never shipped or loaded by n8n. See README.md, Development. */
/**
 * Files: the blobs the agent "downloaded" (docs/webrun-api-notes.md#files), served by a second HTTP
 * server on 127.0.0.1 (another port = another origin, like https://blobs.webrun.ai), and the
 * multipart parser of POST /files/upload (docs/webrun-api-notes.md#files).
 */
import { createHash, randomBytes } from 'crypto';
import * as http from 'http';
import type { Socket } from 'net';
import type { DownloadSpec, SimDownload, SimUpload, SimUploadedFile } from './types';

const CHUNK = (() => {
	const b = Buffer.alloc(64 * 1024);
	for (let i = 0; i < b.length; i++) b[i] = (i * 31 + 7) & 0xff;
	return b;
})();

const MIME: Record<string, string> = {
	pdf: 'application/pdf',
	csv: 'text/csv',
	json: 'application/json',
	txt: 'text/plain',
	html: 'text/html',
	xml: 'application/xml',
	zip: 'application/zip',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

export function mimeOf(filename: string): string {
	const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
	return MIME[ext] ?? 'application/octet-stream';
}

export interface Blob {
	id: string;
	taskId: string;
	filename: string;
	content?: Buffer;
	sizeBytes: number;
	contentType: string;
	status?: number;
	chunked: boolean;
	/** Location header of a 3xx `status`. */
	location?: string;
}

/** Blobs, the download log and the uploaded files; shared by the API server and the file server. */
export class FileStore {
	readonly blobs = new Map<string, Blob>();
	readonly downloads: SimDownload[] = [];
	readonly uploads: SimUpload[] = [];
	/** fileId → owner key and file. */
	readonly uploaded = new Map<string, { apiKey?: string; file: SimUploadedFile }>();
	private seq = 0;

	clear(): void {
		this.blobs.clear();
		this.downloads.length = 0;
		this.uploads.length = 0;
		this.uploaded.clear();
		this.seq = 0;
	}

	addBlob(spec: DownloadSpec, taskId: string): Blob {
		const filename = String(spec.filename ?? 'file.bin');
		const content =
			typeof spec.content === 'string' ? Buffer.from(spec.content, 'utf8') : undefined;
		const size = Number(spec.sizeBytes);
		const hasSize = spec.sizeBytes !== undefined && Number.isFinite(size) && size >= 0;
		const blob: Blob = {
			id: spec.blobId ?? randomBytes(8).toString('hex'),
			taskId,
			filename,
			content:
				content ?? (hasSize ? undefined : Buffer.from(`Simulated download: ${filename}\n`, 'utf8')),
			sizeBytes: content ? content.length : hasSize ? Math.floor(size) : 0,
			contentType: spec.contentType ?? mimeOf(filename),
			status: spec.status,
			chunked: spec.chunked === true,
			location: spec.location,
		};
		if (blob.content) blob.sizeBytes = blob.content.length;
		this.blobs.set(blob.id, blob);
		return blob;
	}

	/** Serves GET / HEAD of `<blobId>[/<filename>]`, logging the request. */
	serve(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		origin: 'files' | 'api',
		path: string,
		rest: string,
	): void {
		const method = (req.method ?? 'GET').toUpperCase();
		const blobId = decodeSafe(rest.split('/')[0] ?? '');
		const blob = this.blobs.get(blobId);
		const log: SimDownload = {
			seq: ++this.seq,
			time: Date.now(),
			method,
			path,
			origin,
			hadAuthorization: req.headers.authorization !== undefined,
			blobId: blob?.id,
			filename: blob?.filename,
			taskId: blob?.taskId,
			bytesSent: 0,
		};
		this.downloads.push(log);
		const text = (status: number, body: string) => {
			log.status = status;
			res.writeHead(status, {
				'Content-Type': 'text/plain; charset=utf-8',
				'Content-Length': String(Buffer.byteLength(body)),
				...(blob?.location && status >= 300 && status < 400 ? { Location: blob.location } : {}),
			});
			res.end(method === 'HEAD' ? undefined : body);
			log.endedAt = Date.now();
		};
		if (method !== 'GET' && method !== 'HEAD') return text(405, 'Method not allowed');
		if (!blob) return text(404, 'The specified blob does not exist.');
		if (blob.status !== undefined && blob.status !== 200) {
			return text(
				blob.status,
				blob.status === 404
					? 'The specified blob does not exist.'
					: `Simulated error ${blob.status}`,
			);
		}
		const headers: Record<string, string> = { 'Content-Type': blob.contentType };
		if (!blob.chunked) headers['Content-Length'] = String(blob.sizeBytes);
		log.status = 200;
		res.writeHead(200, headers);
		if (method === 'HEAD') {
			res.end();
			log.endedAt = Date.now();
			return;
		}
		res.on('close', () => {
			if (!res.writableFinished) log.clientAborted = true;
			log.endedAt = log.endedAt ?? Date.now();
		});
		if (blob.content) {
			log.bytesSent = blob.content.length;
			res.end(blob.content, () => (log.endedAt = Date.now()));
			return;
		}
		let remaining = blob.sizeBytes;
		const pump = (): void => {
			while (remaining > 0) {
				if (res.destroyed) return;
				const n = Math.min(remaining, CHUNK.length);
				const ok = res.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n));
				remaining -= n;
				log.bytesSent += n;
				if (!ok) {
					res.once('drain', pump);
					return;
				}
			}
			res.end(() => (log.endedAt = Date.now()));
		};
		pump();
	}
}

function decodeSafe(s: string): string {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

/** The second origin: GET/HEAD /files/<blobId>/<filename>. */
export class FileServer {
	url = '';
	port = 0;
	private readonly server: http.Server;
	private readonly sockets = new Set<Socket>();

	constructor(private readonly store: FileStore) {
		this.server = http.createServer((req, res) => {
			const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
			req.resume();
			const m = /^\/files\/(.+)$/.exec(path);
			this.store.serve(req, res, 'files', path, m ? m[1] : '');
		});
		this.server.keepAliveTimeout = 5000;
		this.server.on('connection', (s: Socket) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
		this.server.on('clientError', (_err, socket) => socket.destroy());
	}

	listen(): Promise<void> {
		return new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(0, '127.0.0.1', () => {
				const addr = this.server.address();
				if (addr && typeof addr === 'object') this.port = addr.port;
				this.url = `http://127.0.0.1:${this.port}`;
				this.server.off('error', reject);
				resolve();
			});
		});
	}

	close(): Promise<void> {
		return new Promise<void>((resolve) => {
			if (!this.server.listening) return resolve();
			this.server.close(() => resolve());
			this.server.closeAllConnections();
			for (const s of this.sockets) s.destroy();
		});
	}
}

// ---------------------------------------------------------------- multipart/form-data (RFC 7578)

export interface FormPart {
	name: string;
	filename?: string;
	contentType?: string;
	data: Buffer;
}

export function boundaryOf(contentType: string | undefined): string | null {
	if (!contentType || !/^multipart\/form-data\b/i.test(contentType.trim())) return null;
	const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
	return m ? (m[1] ?? m[2]) : null;
}

function dispositionParams(value: string): Record<string, string> {
	const out: Record<string, string> = {};
	const re = /;\s*([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
	let m: RegExpExecArray | null;
	while ((m = re.exec(value)) !== null) {
		const key = m[1].toLowerCase();
		let v = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
		if (key.endsWith('*')) {
			// RFC 5987: charset'lang'percent-encoded
			const ext = /^([^']*)'[^']*'(.*)$/.exec(v);
			if (ext) v = decodeSafe(ext[2]);
			out[key.slice(0, -1)] = v;
			continue;
		}
		if (out[key] === undefined) out[key] = v;
	}
	return out;
}

/** Binary-safe multipart parser. Returns null when the body is not well-formed. */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] | null {
	const delim = Buffer.from(`--${boundary}`);
	const parts: FormPart[] = [];
	let pos = body.indexOf(delim);
	if (pos < 0) return null;
	for (;;) {
		pos += delim.length;
		if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts; // closing delimiter
		// rest of the delimiter line (transport padding), then CRLF
		const eol = body.indexOf('\r\n', pos);
		if (eol < 0) return null;
		const headerEnd = body.indexOf('\r\n\r\n', eol);
		let headersText = '';
		let dataStart: number;
		if (headerEnd === eol) {
			dataStart = eol + 4; // no headers
		} else {
			if (headerEnd < 0) return null;
			headersText = body.subarray(eol + 2, headerEnd).toString('utf8');
			dataStart = headerEnd + 4;
		}
		const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), dataStart);
		if (next < 0) return null;
		const headers: Record<string, string> = {};
		for (const line of headersText.split('\r\n')) {
			const i = line.indexOf(':');
			if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
		}
		const disp = headers['content-disposition'];
		if (!disp || !/^form-data\b/i.test(disp)) return null;
		const params = dispositionParams(disp);
		if (params.name === undefined) return null;
		parts.push({
			name: params.name,
			filename: params.filename,
			contentType: headers['content-type'],
			data: body.subarray(dataStart, next),
		});
		pos = next + 2;
	}
}

export function newFileId(): string {
	return randomBytes(12).toString('hex');
}

export function sha256(data: Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}
