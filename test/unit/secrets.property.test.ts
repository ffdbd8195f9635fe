/* eslint-disable no-console --
	Jest test code: prints how many inputs each property tried. See README.md, Development. */
/**
 * Property tests of the secrets module (nodes/WebRun/secrets.ts, issue 18): random secrets ×
 * every encoding × random positions in random text, JSON and CSV answers never leave a secret
 * visible after redaction, JSON and CSV stay well-formed, and a text without the secret is left
 * as it is. "Visible" is judged by this file's own encoders, not by the module's.
 */
import fc from 'fast-check';

import { Secrets } from '../../nodes/WebRun/secrets';

const RUNS = 300;
const tried: Record<string, number> = {};
const count = (name: string) => (tried[name] = (tried[name] ?? 0) + 1);
afterAll(() => {
	const summary = Object.entries(tried)
		.map(([name, n]) => `${name}: ${n}`)
		.join(', ');
	console.log(`secrets properties, inputs tried: ${summary}`);
});

// Characters that stress every encoding: quotes, backslash, %, +, space, &, <, /, non-ASCII
// (Latin-1, BMP and astral). No `*`: the mask itself is made of it.
const CHARS = [
	...'abcXYZ0189',
	...`"\\/%+ &<>',;:=?#@-_.`,
	'ä',
	'ö',
	'ß',
	'€',
	'漢',
	'😀',
	'\n',
	'\t',
];
const secretArb = fc
	.array(fc.constantFrom(...CHARS), { minLength: 4, maxLength: 16 })
	.map((chars) => chars.join(''))
	.filter((s) => s.trim().length >= 4 && s.length >= 4);

const hex4 = (c: string) => c.charCodeAt(0).toString(16).padStart(4, '0');
const b64 = (bytes: Buffer, urlSafe: boolean) =>
	bytes.toString(urlSafe ? 'base64url' : 'base64').replace(/=+$/, '');

/** Every encoding a secret may be written in (what the answer holds). */
const ENCODINGS: Record<string, (s: string, user: string) => string> = {
	plain: (s) => s,
	json: (s) => JSON.stringify(s).slice(1, -1),
	uLower: (s) =>
		JSON.stringify(s)
			.slice(1, -1)
			.replace(/[^\x20-\x7e]/g, (c) => `\\u${hex4(c)}`),
	uUpper: (s) =>
		JSON.stringify(s)
			.slice(1, -1)
			.replace(/[^\x20-\x7e]/g, (c) => `\\u${hex4(c).toUpperCase()}`),
	csv: (s) => s.split('"').join('""'),
	uri: (s) => encodeURIComponent(s),
	uriLower: (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
	form: (s) => encodeURIComponent(s).split('%20').join('+'),
	base64: (s) => Buffer.from(s).toString('base64'),
	base64url: (s) => Buffer.from(s).toString('base64url'),
	basic: (s, user) => `Basic ${Buffer.from(`${user}:${s}`).toString('base64')}`,
	jsonOfUri: (s) => JSON.stringify(encodeURIComponent(s)).slice(1, -1),
	jsonOfCsv: (s) => JSON.stringify(s.split('"').join('""')).slice(1, -1),
};
const encodingArb = fc.constantFrom(...Object.keys(ENCODINGS));

/**
 * The base64 characters fully determined by the secret, for each of the 3 byte alignments it can
 * have inside a longer base64 text (the edge characters also hold bits of the neighbours).
 */
function base64Cores(secret: string): string[] {
	const bytes = Buffer.from(secret);
	const cores: string[] = [];
	for (const align of [0, 1, 2]) {
		const total = align + bytes.length;
		const encoded = b64(Buffer.concat([Buffer.alloc(align), bytes]), false);
		const end = 4 * Math.floor(total / 3) + [0, 1, 2][total % 3];
		const core = encoded.slice([0, 2, 3][align], end);
		cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
	}
	return cores;
}

/** What must not be found anywhere in the redacted output. */
function needles(secret: string): string[] {
	const forms = Object.entries(ENCODINGS)
		.filter(([name]) => !name.startsWith('base64') && name !== 'basic')
		.map(([, encode]) => encode(secret, ''));
	// A base64 core of under 8 characters could occur by chance in random text.
	return [...forms, ...base64Cores(secret).filter((core) => core.length >= 8)];
}

/** Every string of a value (keys too), and its JSON text. */
function texts(value: unknown): string[] {
	const out: string[] = [JSON.stringify(value)];
	const stack: unknown[] = [value];
	while (stack.length) {
		const v = stack.pop();
		if (typeof v === 'string') out.push(v);
		else if (typeof v === 'object' && v !== null) {
			for (const [key, entry] of Object.entries(v)) {
				out.push(key);
				stack.push(entry);
			}
		}
	}
	return out;
}

function visible(secret: string, value: unknown): string | undefined {
	const bytes = Buffer.from(secret);
	for (const text of texts(value)) {
		for (const needle of needles(secret)) if (text.includes(needle)) return needle;
		// Any base64 run that still decodes to the secret, at any alignment.
		for (const run of text.match(/[A-Za-z0-9+/_-]{6,}/g) ?? []) {
			for (let k = 0; k < 4; k++) {
				if (Buffer.from(run.slice(k), 'base64').includes(bytes)) return `base64 ${run}`;
			}
		}
	}
	return undefined;
}

/** Random surrounding text: printable ASCII and some of the secret alphabet. */
const filler = fc.string({ maxLength: 30 });
const placed = fc.record({
	secret: secretArb,
	encoding: encodingArb,
	user: fc.string({ unit: fc.constantFrom(...'abcdefgh0123'), maxLength: 9 }),
	// Not ending in a backslash: it would escape the encoded secret's first character and make it
	// another text (`\` + `\"` reads as `\\` + `"`).
	before: filler.filter((text) => !text.endsWith('\\')),
	after: filler,
});
const settings = { numRuns: RUNS };

test('text answers: every encoding at a random position is removed', () => {
	fc.assert(
		fc.property(placed, ({ secret, encoding, user, before, after }) => {
			count('text');
			const answer = `${before} ${ENCODINGS[encoding](secret, user)} ${after}`;
			const out = new Secrets([secret]).redact(answer);
			expect(visible(secret, out)).toBeUndefined();
		}),
		settings,
	);
});

test('JSON answers: the secret at a random place of a random JSON value is removed, JSON stays valid', () => {
	fc.assert(
		fc.property(
			placed,
			fc.jsonValue({ maxDepth: 3 }),
			fc.nat(),
			({ secret, encoding, user, before, after }, context, where) => {
				count('json');
				const leaf = `${before}${ENCODINGS[encoding](secret, user)}${after}`;
				// The secret in a string value or in a key, beside or inside the random value.
				const doc = [
					{ note: leaf, context },
					{ [leaf]: context },
					[context, [leaf]],
					{ a: { b: { c: leaf } }, context },
				][where % 4];
				const text = JSON.stringify(doc);
				const secrets = new Secrets([secret]);
				const outText = secrets.redact(text);
				const outDoc = secrets.redact(doc);
				expect(visible(secret, outText)).toBeUndefined();
				expect(visible(secret, outDoc)).toBeUndefined();
				expect(() => JSON.parse(outText)).not.toThrow();
			},
		),
		settings,
	);
});

const quote = (cell: string) => `"${cell.split('"').join('""')}"`;

test('CSV answers: the secret in a random cell is removed, rows and cells stay whole', () => {
	fc.assert(
		fc.property(
			placed,
			fc.array(fc.array(filler, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
			fc.nat(),
			({ secret, encoding, user, before, after }, rows, where) => {
				count('csv');
				const row = rows[where % rows.length];
				// The cell is CSV-quoted below: a CSV-encoded secret would be quoted twice.
				const form = encoding === 'csv' ? 'plain' : encoding;
				row[where % row.length] = `${before}${ENCODINGS[form](secret, user)}${after}`;
				const csv = rows.map((cells) => cells.map(quote).join(',')).join('\n');
				const out = new Secrets([secret]).redact(csv);
				expect(visible(secret, out)).toBeUndefined();
				// Every quote still pairs up: no cell was cut open by the redaction.
				expect(out.split('"').length % 2).toBe(1);
			},
		),
		settings,
	);
});

test('a text that holds no form of the secret comes back unchanged', () => {
	fc.assert(
		fc.property(secretArb, fc.string({ maxLength: 200 }), (secret, text) => {
			fc.pre(visible(secret, text) === undefined);
			count('unchanged');
			expect(new Secrets([secret]).redact(text)).toBe(text);
		}),
		settings,
	);
});
