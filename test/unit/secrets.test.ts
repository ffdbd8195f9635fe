/**
 * Redaction (nodes/WebRun/secrets.ts, through the client and directly): the API key and the
 * values added with addSecrets, any value, any characters, encoded forms, never a broken JSON
 * value or a thrown error; the rules for short values and IDs; the error's parameter copy.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { splitProxyUrl } from '../../nodes/WebRun/actions/options/proxy';
import { hideSecretParameters } from '../../nodes/WebRun/actions/options/secrets';
import { Secrets } from '../../nodes/WebRun/secrets';
import { WebRunClient } from '../../nodes/WebRun/transport/client';

const KEY = 'wr_unit_dummy_key_0123456789';

async function client(apiFormat?: string) {
	const ctx = {
		getCredentials: async () => ({ apiKey: KEY, baseUrl: 'https://connect.webrun.ai', apiFormat }),
		getNode: () => ({ name: 'WebRun' }),
	} as unknown as IExecuteFunctions;
	return await WebRunClient.create(ctx);
}

test.each([
	[undefined, 'auto'],
	['auto', 'auto'],
	['e', 'e'],
	['w1', 'w1'],
	['w2', 'w2'],
	['something else', 'auto'],
])('credential API Format %p → client.apiFormat %p', async (given, expected) => {
	expect((await client(given)).apiFormat).toBe(expected);
});

test('secrets with JSON-special characters are removed from nested values and keys', async () => {
	const c = await client();
	const tricky = 'pa"ss\\wo}rd,';
	c.addSecrets([tricky, 'hunter2']);
	const value = {
		message: `typed ${tricky} and hunter2`,
		list: [`x${KEY}y`, 42, null, true],
		[`key-${tricky}`]: { deep: 'hunter2hunter2' },
	};
	expect(c.redact(value)).toEqual({
		message: 'typed *** and ***',
		list: ['x***y', 42, null, true],
		'key-***': { deep: '******' },
	});
	// The original is not changed.
	expect(value.message).toContain(tricky);
});

test('a numeric or structural secret never breaks the value (numbers are not text)', async () => {
	const c = await client();
	c.addSecrets(['1234', 'true', 'null']);
	const value = { cost: 0.01234, ok: true, none: null, text: 'PIN 1234, true story' };
	expect(c.redact(value)).toEqual({
		cost: 0.01234,
		ok: true,
		none: null,
		text: 'PIN ***, *** story',
	});
});

test('values under 4 characters: only a whole value equal to one is removed', async () => {
	const c = await client();
	c.addSecrets(['123', '']);
	expect(c.redact({ a: '123', b: ' 123 ', c: 'code 1234', d: 123 })).toEqual({
		a: '***',
		b: '***',
		c: 'code 1234',
		d: 123,
	});
});

test('a longer secret is removed before a shorter one it contains', async () => {
	const c = await client();
	c.addSecrets(['abcd', 'abcdefgh']);
	expect(c.redact('x abcdefgh y abcd')).toBe('x *** y ***');
});

test('nothing to remove: the same value comes back', async () => {
	const c = await client();
	const value = { a: 'nothing secret', b: [1, 2] };
	expect(c.redact(value)).toBe(value);
});

describe('the secrets module (nodes/WebRun/secrets.ts)', () => {
	test('a weak value (4–7 characters) never touches IDs and links, nor their mentions', () => {
		const secrets = new Secrets(['2024']);
		const item = {
			sessionId: 'sess-2024-abc',
			taskId: 'task-2024',
			liveViewUrl: 'https://sess-2024-abc.webrun.ai',
			message: 'PIN 2024 typed in session sess-2024-abc',
			files: [
				{ downloadUrl: 'https://f/2024/a.pdf', filename: '2024.pdf', binaryProperty: 'file_0' },
			],
		};
		expect(secrets.redact(item)).toEqual({
			...item,
			message: 'PIN *** typed in session sess-2024-abc',
			files: [{ ...item.files[0], filename: '***.pdf' }],
		});
	});

	test('a strong value (8+ characters, the API key) is removed from IDs too', () => {
		const secrets = new Secrets([KEY]);
		expect(secrets.redact({ sessionId: `s-${KEY}`, downloadUrl: `https://f/?k=${KEY}` })).toEqual({
			sessionId: 's-***',
			downloadUrl: 'https://f/?k=***',
		});
	});

	test('binary metadata is redacted, the data and the property names are not', () => {
		const secrets = new Secrets(['2024']);
		const binary = {
			file_0: {
				data: 'MjAyNA==',
				mimeType: 'application/pdf',
				fileName: 'inv-2024.pdf',
				directory: '/tmp/2024',
				fileExtension: 'pdf',
			},
		};
		const out = secrets.redactItem({ json: { sessionId: 'x' }, binary });
		expect(out.binary?.file_0).toEqual({
			...binary.file_0,
			fileName: 'inv-***.pdf',
			directory: '/tmp/***',
		});
	});

	test('no depth limit (10,000 levels) and cycles are handled', () => {
		const secrets = new Secrets([KEY]);
		let deep: Record<string, unknown> = { key: KEY };
		for (let i = 0; i < 10_000; i++) deep = { d: deep };
		let clean = secrets.redact(deep) as Record<string, unknown>;
		for (let i = 0; i < 10_000; i++) clean = clean.d as Record<string, unknown>;
		expect(clean).toEqual({ key: '***' });
		const cycle: Record<string, unknown> = { text: `key ${KEY}` };
		cycle.self = cycle;
		const out = secrets.redact(cycle) as Record<string, unknown>;
		expect(out.text).toBe('key ***');
		expect(out.self).toBe(out);
	});

	test.each([
		['JSON text', '{"pw":"pa\\"ss"}', 'pa"ss', '{"pw":"***"}'],
		['\\u escapes, upper case', '"p\\u00C4ss1"', 'pÄss1', '"***"'],
		['double JSON escaping', '{"raw":"{\\"pw\\":\\"pa\\\\\\"ss\\"}"}', 'pa"ss', null],
		['%-encoding, lower-case hex', 'pw=p%c3%a4ss%21', 'päss!', 'pw=***'],
		['form encoding', 'pw=two+words%21', 'two words!', 'pw=***'],
		['%-encoding inside a JSON string', '{"url":"/x?pw=a%2Fb%22c"}', 'a/b"c', null],
		['HTML entities', '<td>Tr0ub4dor&amp;3</td>', 'Tr0ub4dor&3', '<td>***</td>'],
		['CSV quoting', 'a,"x""y12",b', 'x"y12', 'a,"***",b'],
		['base64 URL-safe', `t=${Buffer.from('??>>secret!').toString('base64url')}`, 'secret!', null],
		['Basic credentials', `Basic ${Buffer.from('bob:2024').toString('base64')}`, '2024', null],
		['a number equal to the value', '{"pin":2024}', '2024', '{"pin":"***"}'],
	])('%s', (_, text, secret, expected) => {
		const out = new Secrets([secret]).redact(text);
		if (expected !== null) expect(out).toBe(expected);
		expect(out).toContain('***');
		expect(out).not.toContain(secret);
		expect(out).not.toContain(Buffer.from(secret).toString('base64').slice(0, 4));
	});

	test('spaces typed around a value are not needed to find it', () => {
		expect(new Secrets([' Hunter2! ']).redact('pw Hunter2! ok')).toBe('pw *** ok');
	});

	test('a JSON text nested 20,000 deep (beyond JSON.stringify) is still redacted', () => {
		let text = `"${KEY}"`;
		for (let i = 0; i < 20_000; i++) text = `[${text}]`;
		const out = new Secrets([KEY]).redact(text);
		expect(out).not.toContain(KEY);
		expect(out).toContain('***');
	});

	test('a JSON text keeps its indentation and stays valid', () => {
		const text = JSON.stringify({ a: { pw: 'pa"ss' }, b: [1] }, null, 2);
		const out = new Secrets(['pa"ss']).redact(text);
		expect(out).toBe(JSON.stringify({ a: { pw: '***' }, b: [1] }, null, 2));
	});
});

describe('secret parameters in an error (actions/options/secrets.ts)', () => {
	const errorWith = (options: IDataObject) => ({ node: { parameters: { options } } });
	const field = (value: string) => ({
		secrets: { secret: [{ match: 'all', fields: { field: [{ name: 'pw', value }] } }] },
	});
	const valueOf = (e: ReturnType<typeof errorWith>) =>
		JSON.stringify(e.node.parameters.options.secrets).match(/"value":"([^"]*)"/)?.[1];

	test.each([
		['Hunter2!', '***'],
		['=Hunter2!', '***'],
		['=pre{{ $json.pw }}', '***'],
		['={{ $json.pw }}', '={{ $json.pw }}'],
	])('a secret value %p is shown as %p', (value, shown) => {
		expect(valueOf(hideSecretParameters(errorWith(field(value))))).toBe(shown);
	});

	test.each([
		['http://bob:2024/Summer!@proxy:8080', 'http://***@proxy:8080'],
		['=http://bob:2024/Summer!@proxy:8080', '=http://***@proxy:8080'],
		['http://u:p@ss@proxy:8080', 'http://***@proxy:8080'],
		['http://u:pw@proxy:8080/path', 'http://***@proxy:8080/path'],
		['socks5://proxy:1080', 'socks5://proxy:1080'],
		['={{ $json.proxy }}', '={{ $json.proxy }}'],
		['pw Hunter2! at host', '***'],
		['user:pw@proxy:8080', '***'],
	])('a proxy URL %p is shown as %p', (proxyUrl, shown) => {
		const e = hideSecretParameters(errorWith({ proxyUrl }));
		expect(e.node.parameters.options.proxyUrl).toBe(shown);
	});

	test.each([
		['http://bob:2024/Summer!@proxy:8080', 'http://proxy:8080', 'bob:2024/Summer!'],
		['http://u:p@ss@proxy:8080/', 'http://proxy:8080/', 'u:p@ss'],
		['http://proxy:8080', 'http://proxy:8080', undefined],
		['http://u:p@proxy:8080/x', 'http://u:p@proxy:8080/x', undefined],
	])('splitProxyUrl(%p)', (raw, hostUrl, userinfo) => {
		expect(splitProxyUrl(raw)).toEqual(userinfo ? { hostUrl, userinfo } : { hostUrl });
	});
});
