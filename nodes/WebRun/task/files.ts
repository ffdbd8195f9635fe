import type { IBinaryKeyData, IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import {
	BYTES_PER_MB,
	DOWNLOAD_TOTAL_FACTOR,
	MAX_DOWNLOAD_TOTAL_BYTES,
	MAX_FILE_NAME_BYTES,
	UPLOAD_REQUEST_TIMEOUT_MS,
} from '../constants';
import type { WebRunError } from '../errors';
import { attach, describeIds, unexpectedResponseError } from '../errors';
import { CancelledError } from '../sleep';
import type { ApiResponse } from '../transport/client';
import type { DownloadResult } from '../transport/download';
import { downloadFile } from '../transport/download';
import type { ItemContext } from './context';
import { isObject } from './read';
import type { ItemResult } from './result';
import { sendLimited } from './start';

/** "Download Files" on: the size cap of one file. */
export interface DownloadSettings {
	maxBytes: number;
	/** The cap as the user typed it, for messages. */
	maxMb: number;
}

/** One binary property of the input item for "Attach Files" (checked before any request). */
export interface Attachment {
	property: string;
	fileName: string;
	mimeType: string;
}

function sizeText(bytes: number): string {
	return bytes >= BYTES_PER_MB
		? `${(bytes / BYTES_PER_MB).toFixed(1)} MB`
		: `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** Control characters (\p{Cc}: NUL, CR, LF, …) and the bidi controls that reorder text. */
const UNSAFE_NAME_CHARS = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** Cuts `text` to at most `bytes` UTF-8 bytes, never inside a character. */
function cutUtf8(text: string, bytes: number): string {
	let out = '';
	let used = 0;
	for (const char of text) {
		const size = Buffer.byteLength(char, 'utf8');
		if (used + size > bytes) break;
		out += char;
		used += size;
	}
	return out;
}

/**
 * A file name safe to store and show: the last path segment only, without control and bidi
 * characters (a name like "invoice\u202Efdp.exe" shows as "invoiceexe.pdf"), at most
 * MAX_FILE_NAME_BYTES UTF-8 bytes with its extension kept; `file_<index>` when nothing is left.
 */
export function cleanFileName(raw: string, index: number): string {
	const segment = raw.split(/[\\/]/).pop() ?? '';
	let name = segment.replace(UNSAFE_NAME_CHARS, '').trim();
	if (!name || name === '.' || name === '..') return `file_${index}`;
	if (Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME_BYTES) {
		const dot = name.lastIndexOf('.');
		const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
		const stem = ext ? name.slice(0, dot) : name;
		name = cutUtf8(stem, MAX_FILE_NAME_BYTES - Buffer.byteLength(ext, 'utf8')).trim() + ext;
	}
	return name || `file_${index}`;
}

/** The name a downloaded file is stored under: the answer's filename, else the link's. */
function fileNameOf(entry: IDataObject, url: string, index: number): string {
	const given = typeof entry.filename === 'string' ? entry.filename : '';
	let fromUrl = '';
	try {
		fromUrl = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
	} catch {
		fromUrl = '';
	}
	// Only the last path segment: a name never places the file anywhere.
	return cleanFileName(given || fromUrl, index);
}

/** A download of one of the task's files failed: names the file and the task. */
function downloadError(
	item: ItemContext,
	fileName: string,
	outcome: Extract<DownloadResult, { ok: false }> & { overTotal?: number },
	settings: DownloadSettings,
	answer: unknown,
): WebRunError {
	const ids = describeIds(item);
	let message: string;
	let description: string;
	let code = 'DOWNLOAD_FAILED';
	if (outcome.tooLargeAt !== undefined && outcome.overTotal) {
		code = 'FILES_TOO_LARGE';
		message =
			`${item.operation}: the task's files together are larger than ` +
			`${sizeText(outcome.overTotal)} (stopped at "${fileName}")${ids}`;
		description =
			`One item keeps at most ${DOWNLOAD_TOTAL_FACTOR} × Max File Size of files ` +
			`(at most ${sizeText(MAX_DOWNLOAD_TOTAL_BYTES)}); nothing of this file was kept. ` +
			'Turn off "Download Files" and use the links in "files", or raise "Max File Size (MB)".';
	} else if (outcome.tooLargeAt !== undefined) {
		code = 'FILE_TOO_LARGE';
		message =
			`${item.operation}: the file "${fileName}" is larger than Max ` +
			`File Size (${settings.maxMb} MB)${ids}`;
		description =
			`The download was stopped at ${sizeText(outcome.tooLargeAt)}; ` +
			`nothing of it was kept. Raise "Max File Size (MB)" in the options, ` +
			`or turn off "Download Files" and use the link in "files".`;
	} else if (outcome.statusCode !== undefined) {
		message =
			`${item.operation}: could not download the file "${fileName}" ` +
			`(HTTP ${outcome.statusCode})${ids}`;
		description =
			outcome.statusCode === 404
				? 'The download link of the file no longer works (WebRun may have ' +
					'deleted the file). Run the task again, or turn off "Download ' +
					'Files" to keep only the links.'
				: 'The file server refused the download. Try again later, or turn ' +
					'off "Download Files" to keep only the links.';
	} else if (outcome.timedOut) {
		message =
			`${item.operation}: could not download the file "${fileName}" in time ` +
			`(${outcome.reason})${ids}`;
		description =
			'The download counts against the item\'s "Timeout". Raise "Timeout" in the options, ' +
			'or turn off "Download Files" to keep only the links.';
	} else if (outcome.refused) {
		code = 'DOWNLOAD_REFUSED';
		message =
			`${item.operation}: refused to download the file "${fileName}" (${outcome.reason})` + ids;
		description =
			"A task's answer must not make n8n read internal services or cloud metadata, or " +
			'the WebRun API with the key. The link stays in "files".';
	} else {
		message =
			`${item.operation}: could not download the file "${fileName}" (${outcome.reason})` + ids;
		description =
			'Check that the n8n host can reach the download link in "files", ' +
			'or turn off "Download Files" to keep only the links.';
	}
	const error = new NodeApiError(
		item.node,
		{ message: outcome.reason },
		{
			message,
			description,
			itemIndex: item.itemIndex,
			...(outcome.statusCode !== undefined ? { httpCode: String(outcome.statusCode) } : {}),
		},
	);
	return attach(error, {
		sessionId: item.sessionId,
		taskId: item.taskId,
		code,
		message: typeof answer === 'string' ? answer : undefined,
	});
}

/**
 * "Download Files": each entry of a completed task's `files` becomes binary data on the same
 * item, `file_0`, `file_1`, … in the order of `files`, and the entry names it in
 * `binaryProperty`. One file at a time; the first that fails fails the item.
 */
export async function downloadTaskFiles(
	item: ItemContext,
	result: ItemResult,
	settings: DownloadSettings | undefined,
): Promise<ItemResult> {
	const files = result.json.files;
	if (!settings || result.output !== 0 || result.json.status !== 'completed') return result;
	if (!Array.isArray(files) || !files.length) return result;
	const binary: IBinaryKeyData = { ...(result.binary ?? {}) };
	const listed: IDataObject[] = [];
	const totalCap = Math.min(settings.maxBytes * DOWNLOAD_TOTAL_FACTOR, MAX_DOWNLOAD_TOTAL_BYTES);
	let total = 0;
	for (const [index, entry] of files.entries()) {
		const url = isObject(entry) && typeof entry.downloadUrl === 'string' ? entry.downloadUrl : '';
		if (!isObject(entry) || !url) {
			throw unexpectedResponseError(item, `file ${index} in "files" has no download link`);
		}
		const fileName = fileNameOf(entry, url, index);
		const left = totalCap - total;
		const outcome = await downloadFile(item.client, {
			url,
			fileName,
			maxBytes: Math.min(settings.maxBytes, left),
			deadline: item.deadline,
		});
		if (!outcome.ok) {
			if (outcome.cancelled) throw new CancelledError();
			// Too large for what is left of the item's total, not for Max File Size itself.
			const overTotal =
				outcome.tooLargeAt !== undefined && outcome.tooLargeAt <= settings.maxBytes
					? totalCap
					: undefined;
			throw downloadError(item, fileName, { ...outcome, overTotal }, settings, result.json.message);
		}
		total += outcome.bytes;
		const property = `file_${index}`;
		binary[property] = outcome.binary;
		listed.push({ ...entry, binaryProperty: property });
	}
	return { ...result, json: { ...result.json, files: listed }, binary };
}

/** The upload may have reached WebRun, but no answer came: it is not sent again. */
function uncertainUploadError(item: ItemContext, reason: string): WebRunError {
	const error = new NodeApiError(
		item.node,
		{ message: reason },
		{
			message:
				`${item.operation}: the connection to WebRun broke while uploading ` +
				`the attached files (${reason})`,
			description:
				'The files may have arrived, but the node did not send them again ' +
				'and started no task. Run the item again to upload them anew ' +
				'(WebRun deletes uploads that no task uses after an hour).',
			itemIndex: item.itemIndex,
		},
	);
	return attach(error, { status: 'unknown' });
}

/**
 * "Attach Files": uploads all the item's files in one `POST /files/upload` (multipart, field
 * `files` repeated, docs/webrun-api-notes.md#files) and returns their fileIds, in order, for the
 * task's `files`. The upload takes a slot of the account's start budget and follows the start's
 * retry rules (a 429 waits; an upload that may have reached the server is never sent again).
 */
export async function uploadAttachments(
	item: ItemContext,
	attachments: Attachment[] | undefined,
): Promise<string[] | undefined> {
	if (!attachments?.length) return undefined;
	const { helpers } = item.client.context;
	const form = new FormData();
	for (const file of attachments) {
		const buffer = await helpers.getBinaryDataBuffer(item.itemIndex, file.property);
		form.append('files', new Blob([buffer], { type: file.mimeType }), file.fileName);
	}
	let response: ApiResponse | undefined;
	let failure: unknown;
	try {
		response = await sendLimited(item, {
			send: async (timeoutMs) =>
				await item.client.request('POST', '/files/upload', { body: form, timeoutMs }),
			timeoutMs: UPLOAD_REQUEST_TIMEOUT_MS,
			holdsSession: false,
			uncertain: (reason) => uncertainUploadError(item, reason),
		});
	} catch (error) {
		failure = error;
	}
	if (!response) {
		// An HTTP error of the upload: say which request it was (thrown after the catch, unchanged).
		if (failure instanceof NodeApiError && failure.httpCode) {
			failure.description =
				`${failure.description ?? ''} This was the upload of the attached ` +
				`files (POST /files/upload): no task was started.`.trim();
		}
		throw failure;
	}
	const listed = isObject(response.body) ? response.body.files : undefined;
	const fileIds = Array.isArray(listed)
		? listed.map((file) => (isObject(file) && typeof file.fileId === 'string' ? file.fileId : ''))
		: [];
	if (fileIds.length !== attachments.length || fileIds.some((id) => !id)) {
		throw unexpectedResponseError(item, 'the upload answer does not give a fileId for every file');
	}
	return fileIds;
}
