/**
 * The client's redaction (the API key and the values added with addSecrets): any value, any
 * characters, never a broken JSON value or a thrown error.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { WebRunClient } from '../../nodes/WebRun/transport/client';

const KEY = 'wr_unit_key_0123456789';

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
