/* eslint-disable @n8n/community-nodes/no-restricted-imports --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * transport/download.ts with n8n's request helpers replaced: redirects are followed one hop at a
 * time, and each hop decides again whether the API key may go along (n8n's helpers would pass
 * the Authorization header on to another host when they follow a redirect themselves); a
 * redirect back onto the API origin is refused; the address rules use the socket's address.
 */
import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';
import { Readable } from 'stream';

import type { WebRunClient } from '../../../nodes/WebRun/transport/client';
import { downloadFile } from '../../../nodes/WebRun/transport/download';

type Answer = {
	statusCode: number;
	headers?: Record<string, string>;
	body?: string;
	/** The address the fake connection reached (the body stream's socket.remoteAddress). */
	remoteAddress?: string;
};

/** A client whose helpers answer from `answers` (by URL) and record who sent what. */
function fakeClient(answers: Record<string, Answer>) {
	const calls: Array<{ url: string; withKey: boolean; options: IHttpRequestOptions }> = [];
	const respond = (options: IHttpRequestOptions, withKey: boolean) => {
		calls.push({ url: String(options.url), withKey, options });
		const answer = answers[String(options.url)];
		if (!answer) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
		const body = Readable.from([Buffer.from(answer.body ?? '')], { objectMode: false });
		if (answer.remoteAddress) {
			Object.assign(body, { socket: { remoteAddress: answer.remoteAddress } });
		}
		return { statusCode: answer.statusCode, headers: answer.headers ?? {}, body };
	};
	const helpers = {
		httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) =>
			respond(options, true),
		httpRequest: async (options: IHttpRequestOptions) => respond(options, false),
		prepareBinaryData: async (data: Readable, fileName: string, mimeType?: string) => {
			const chunks: Buffer[] = [];
			for await (const chunk of data) chunks.push(chunk as Buffer);
			return { data: Buffer.concat(chunks).toString('base64'), fileName, mimeType: mimeType ?? '' };
		},
	};
	const context = { helpers } as unknown as IExecuteFunctions;
	const client = {
		origin: 'https://api.webrun.test',
		baseUrl: 'https://api.webrun.test',
		signal: undefined,
		context,
		http: context,
	};
	return { client: client as unknown as WebRunClient, calls };
}

const API = 'https://api.webrun.test';
const BLOBS = 'https://blobs.webrun.test';

test('a link on the API origin that redirects to another host: the key stays behind', async () => {
	const { client, calls } = fakeClient({
		[`${API}/files/a.pdf`]: {
			statusCode: 302,
			headers: { location: `${BLOBS}/signed/a.pdf?sig=1` },
		},
		[`${BLOBS}/signed/a.pdf?sig=1`]: {
			statusCode: 200,
			headers: { 'content-type': 'application/pdf', 'content-length': '5' },
			body: '%PDF-',
		},
	});
	const result = await downloadFile(client, {
		url: `${API}/files/a.pdf`,
		fileName: 'a.pdf',
		maxBytes: 100,
	});
	expect(result.ok).toBe(true);
	expect(calls.map((c) => [c.url, c.withKey])).toEqual([
		[`${API}/files/a.pdf`, true],
		[`${BLOBS}/signed/a.pdf?sig=1`, false],
	]);
	expect(calls.every((c) => c.options.disableFollowRedirect === true)).toBe(true);
	expect(calls.every((c) => c.options.encoding === 'stream')).toBe(true);
	if (result.ok) {
		expect(Buffer.from(result.binary.data, 'base64').toString()).toBe('%PDF-');
		expect(result.binary.mimeType).toBe('application/pdf');
	}
});

test('a relative redirect on the file host, then a redirect onto the API origin: refused', async () => {
	const { client, calls } = fakeClient({
		[`${BLOBS}/a`]: { statusCode: 301, headers: { Location: '/b' } },
		[`${BLOBS}/b`]: { statusCode: 307, headers: { location: `${API}/c` } },
		[`${API}/c`]: { statusCode: 200, body: 'an authenticated API answer' },
	});
	const result = await downloadFile(client, { url: `${BLOBS}/a`, fileName: 'x', maxBytes: 10 });
	expect(result).toMatchObject({ ok: false, refused: true, reason: expect.stringMatching(/API/) });
	// The API origin is never asked, with or without the key.
	expect(calls.map((c) => [c.url, c.withKey])).toEqual([
		[`${BLOBS}/a`, false],
		[`${BLOBS}/b`, false],
	]);
});

test('a host name that connected to a metadata or private address: refused before the body', async () => {
	const { client } = fakeClient({
		[`${BLOBS}/meta`]: { statusCode: 200, body: 'secret', remoteAddress: '169.254.169.254' },
		[`${BLOBS}/lan`]: { statusCode: 200, body: 'lan', remoteAddress: '::ffff:10.0.0.5' },
		[`${BLOBS}/public`]: { statusCode: 200, body: 'ok', remoteAddress: '93.184.215.14' },
	});
	const meta = await downloadFile(client, { url: `${BLOBS}/meta`, fileName: 'x', maxBytes: 10 });
	expect(meta).toMatchObject({
		ok: false,
		refused: true,
		reason: expect.stringMatching(/metadata/),
	});
	const lan = await downloadFile(client, { url: `${BLOBS}/lan`, fileName: 'x', maxBytes: 10 });
	expect(lan).toMatchObject({ ok: false, refused: true, reason: expect.stringMatching(/private/) });
	const ok = await downloadFile(client, { url: `${BLOBS}/public`, fileName: 'x', maxBytes: 10 });
	expect(ok.ok).toBe(true);
});

test('a deadline already passed: nothing is sent', async () => {
	const { client, calls } = fakeClient({ [`${BLOBS}/a`]: { statusCode: 200, body: 'a' } });
	const result = await downloadFile(client, {
		url: `${BLOBS}/a`,
		fileName: 'x',
		maxBytes: 10,
		deadline: Date.now() - 1,
	});
	expect(result).toMatchObject({ ok: false, timedOut: true });
	expect(calls).toHaveLength(0);
});

test('redirects are bounded', async () => {
	const { client, calls } = fakeClient({
		[`${BLOBS}/loop`]: { statusCode: 302, headers: { location: `${BLOBS}/loop` } },
	});
	const result = await downloadFile(client, { url: `${BLOBS}/loop`, fileName: 'x', maxBytes: 10 });
	expect(result).toMatchObject({ ok: false, reason: 'too many redirects' });
	expect(calls).toHaveLength(6);
});

test.each([
	['not a URL', 'no url', /not a valid URL/],
	['another scheme', 'ftp://files.example/a', /not a web address/],
])('a link that is %s is refused before any request', async (_name, url, reason) => {
	const { client, calls } = fakeClient({});
	const result = await downloadFile(client, { url, fileName: 'x', maxBytes: 10 });
	expect(result.ok).toBe(false);
	if (!result.ok) expect(result.reason).toMatch(reason);
	expect(calls).toHaveLength(0);
});

test('an octet-stream Content-Type leaves the MIME type to the file name', async () => {
	const { client } = fakeClient({
		[`${BLOBS}/r.csv`]: {
			statusCode: 200,
			headers: { 'content-type': 'application/octet-stream' },
			body: 'a',
		},
		[`${BLOBS}/t.txt`]: {
			statusCode: 200,
			headers: { 'content-type': 'Text/Plain; charset=utf-8' },
			body: 'a',
		},
	});
	const csv = await downloadFile(client, {
		url: `${BLOBS}/r.csv`,
		fileName: 'r.csv',
		maxBytes: 10,
	});
	const txt = await downloadFile(client, {
		url: `${BLOBS}/t.txt`,
		fileName: 't.txt',
		maxBytes: 10,
	});
	expect(csv.ok && csv.binary.mimeType).toBe('');
	expect(txt.ok && txt.binary.mimeType).toBe('text/plain');
});
