import type { IBinaryKeyData, IDataObject } from 'n8n-workflow';

/**
 * Every redaction of the package: the API key, the Secrets option's values and a custom proxy's
 * password are removed from whatever leaves the node. Applied once, to the finished item (after
 * Output Format parsing and downloads) and to errors (actions/emitOutputs.ts).
 *
 * Forms found: the plain value; as JSON / JavaScript string escapes (`\"`, `\\`, `\/`, `\uXXXX`
 * in either case, `\xXX`); CSV-quoted (`""`); percent-encoded (any hex case, `+` for a space as
 * in form bodies); as HTML entities; in base64 (standard and URL-safe) at any offset of a base64
 * run, e.g. `Basic base64(user:value)`; and mixtures two deep (a %-encoded value inside a JSON
 * string). The usual forms are matched as written; decoded readings of the text (escapes,
 * %-encoding, entities, base64) find the rest. The exact span of the encoded value is replaced
 * by `***`; a JSON text (object or array) is redacted as the value it holds and written again,
 * so it stays valid JSON. A number equal to a value of 4+ characters is replaced too. The walk
 * is iterative (no depth limit) and visits shared or cyclic objects once.
 *
 * Rules for short values, so that a PIN does not corrupt what the user still needs:
 * - under 4 characters: removed only where a whole text (trimmed) equals the value;
 * - 4 to 7 characters ("weak"): removed from free text, but never from an ID or link field
 *   (sessionId, taskId, downloadUrl, liveViewUrl, binaryProperty, pollUrl, webViewURL), nor from
 *   the occurrences of those IDs in other texts (an error naming `session sess-2024-abc`);
 * - 8 characters or more (the API key, real passwords): removed everywhere, IDs included: an ID or
 *   link that carries such a value is a leak, and a chance match of 8 characters does not happen.
 */

export const MASK = '***';
/** Shorter values are removed only where a whole text equals them. */
export const MIN_SECRET_LENGTH = 4;
/** Values at least this long are removed from IDs and links too. */
export const STRONG_SECRET_LENGTH = 8;

/** Fields holding IDs and links the node or the user still needs for requests. */
const ID_FIELDS = new Set([
	'sessionId',
	'taskId',
	'downloadUrl',
	'liveViewUrl',
	'binaryProperty',
	'pollUrl',
	'webViewURL',
]);

/** Binary metadata that may name a secret; `data` and `id` are the file itself. */
const BINARY_TEXT_FIELDS = ['fileName', 'fileExtension', 'directory', 'mimeType', 'fileType'];

interface Secret {
	text: string;
	/** The value's usual encoded forms, searched as they are (the decoded readings find mixtures). */
	needles: string[];
	strong: boolean;
	/** UTF-8 bytes, and Latin-1 bytes when they differ (Basic credentials of older clients). */
	bytes: Buffer[];
}

interface Span {
	start: number;
	end: number;
	strong: boolean;
}

/** A decoded reading of a text, and where each of its characters starts in the original. */
interface View {
	text: string;
	/** Original index of decoded index i (i = text.length: the original's length). Absent: same. */
	at?: (i: number) => number;
}

/**
 * Builds a view from verbatim stretches and decoded pieces. The mapping is kept as the points
 * where it jumps (linear in between), so a long text with few escapes costs little.
 */
class ViewBuilder {
	private readonly parts: string[] = [];
	private readonly decoded: number[] = [];
	private readonly original: number[] = [];
	private length = 0;

	constructor(private readonly source: string) {}

	private mark(from: number) {
		this.decoded.push(this.length);
		this.original.push(from);
	}

	copy(from: number, to: number) {
		if (to <= from) return;
		this.mark(from);
		this.parts.push(this.source.slice(from, to));
		this.length += to - from;
	}

	emit(text: string, from: number) {
		this.mark(from);
		this.parts.push(text);
		this.length += text.length;
	}

	view(): View {
		this.mark(this.source.length);
		const { decoded, original } = this;
		const at = (i: number) => {
			let lo = 0;
			let hi = decoded.length - 1;
			while (lo < hi) {
				const mid = (lo + hi + 1) >> 1;
				if (decoded[mid] <= i) lo = mid;
				else hi = mid - 1;
			}
			return original[lo] + (i - decoded[lo]);
		};
		return { text: this.parts.join(''), at };
	}
}

const HEX = /^[0-9a-fA-F]+$/;
const SIMPLE_ESCAPES: Record<string, string> = {
	'"': '"',
	'\\': '\\',
	'/': '/',
	"'": "'",
	b: '\b',
	f: '\f',
	n: '\n',
	r: '\r',
	t: '\t',
};

/** JSON and JavaScript string escapes. */
function decodeEscapes(text: string): View {
	const out = new ViewBuilder(text);
	let last = 0;
	for (let i = text.indexOf('\\'); i >= 0 && i + 1 < text.length; i = text.indexOf('\\', i)) {
		const next = text[i + 1];
		let char = SIMPLE_ESCAPES[next];
		let width = 2;
		if (char === undefined && (next === 'u' || next === 'x')) {
			const digits = next === 'u' ? 4 : 2;
			const hex = text.slice(i + 2, i + 2 + digits);
			if (hex.length === digits && HEX.test(hex)) {
				char = String.fromCharCode(parseInt(hex, 16));
				width += digits;
			}
		}
		if (char === undefined) {
			i++;
			continue;
		}
		out.copy(last, i);
		out.emit(char, i);
		last = i + width;
		i = last;
	}
	out.copy(last, text.length);
	return out.view();
}

function utf8Length(lead: number): number {
	if (lead < 0x80) return 1;
	if (lead >> 5 === 6) return 2;
	if (lead >> 4 === 14) return 3;
	if (lead >> 3 === 30) return 4;
	return 0;
}

/** %XX runs read as UTF-8 (invalid bytes as Latin-1); `plus`: `+` is a space (form bodies). */
function decodePercent(text: string, plus: boolean): View {
	const out = new ViewBuilder(text);
	const pattern = plus ? /%[0-9a-fA-F]{2}|\+/g : /%[0-9a-fA-F]{2}/g;
	let last = 0;
	for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
		out.copy(last, m.index);
		if (m[0] === '+') {
			out.emit(' ', m.index);
			last = m.index + 1;
			continue;
		}
		const bytes: number[] = [];
		let j = m.index;
		while (text[j] === '%' && HEX.test(text.slice(j + 1, j + 3)) && j + 2 < text.length) {
			bytes.push(parseInt(text.slice(j + 1, j + 3), 16));
			j += 3;
		}
		for (let k = 0; k < bytes.length; ) {
			const len = utf8Length(bytes[k]);
			let valid = len > 1 && k + len <= bytes.length;
			for (let c = 1; valid && c < len; c++) valid = (bytes[k + c] & 0xc0) === 0x80;
			const n = valid ? len : 1;
			const char = valid
				? Buffer.from(bytes.slice(k, k + n)).toString('utf8')
				: String.fromCharCode(bytes[k]);
			out.emit(char, m.index + 3 * k);
			k += n;
		}
		last = j;
		pattern.lastIndex = j;
	}
	out.copy(last, text.length);
	return out.view();
}

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos|nbsp));/g;
const NAMED: Record<string, string> = {
	amp: '&',
	lt: '<',
	gt: '>',
	quot: '"',
	apos: "'",
	nbsp: '\u00a0',
};

/** HTML character references. */
function decodeEntities(text: string): View {
	const out = new ViewBuilder(text);
	let last = 0;
	ENTITY.lastIndex = 0;
	for (let m = ENTITY.exec(text); m; m = ENTITY.exec(text)) {
		const code = m[1] ? parseInt(m[1], 10) : m[2] ? parseInt(m[2], 16) : -1;
		const char = code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : NAMED[m[3]];
		if (char === undefined) continue;
		out.copy(last, m.index);
		out.emit(char, m.index);
		last = m.index + m[0].length;
	}
	out.copy(last, text.length);
	return out.view();
}

interface Decoder {
	/** Cheap test: could the text hold this encoding at all? */
	applies: (text: string) => boolean;
	decode: (text: string) => View;
}

/** Reading `inner` (a view of `outer.text`) in the coordinates of the original text. */
function compose(outer: View, inner: View): View {
	const { at: outerAt } = outer;
	const { at: innerAt } = inner;
	if (!outerAt || !innerAt) return { text: inner.text, at: outerAt ?? innerAt };
	return { text: inner.text, at: (i) => outerAt(innerAt(i)) };
}

const HTML_ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&#39;',
};

/**
 * The plain value and its encodings as common encoders write them, each also CSV-quoted (`"`
 * doubled: a CSV text holding it, or a CSV text inside a JSON string). A decoded reading of `""`
 * would be ambiguous (a closing quote may follow an escaped one), so these forms are matched as
 * they are written.
 */
function encodedForms(value: string): string[] {
	const json = JSON.stringify(value).slice(1, -1);
	const hex4 = (c: string) => c.charCodeAt(0).toString(16).padStart(4, '0');
	const uri = encodeURIComponent(value);
	const forms = [
		value,
		json,
		json.replace(/[\u007f-\uffff]/g, (c) => `\\u${hex4(c)}`),
		json.replace(/[\u007f-\uffff]/g, (c) => `\\u${hex4(c).toUpperCase()}`),
		uri,
		uri.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
		uri.split('%20').join('+'),
		value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]),
	];
	const csv = forms.filter((form) => form.includes('"')).map((form) => form.split('"').join('""'));
	const jsonOfCsv = csv.length ? [JSON.stringify(csv[0]).slice(1, -1)] : [];
	return [...new Set([...forms, ...csv, ...jsonOfCsv])];
}

const BASE64_RUN = /[A-Za-z0-9+/_-]{6,}/g;

/** Original-text span of decoded bytes [b, b + n) of base64 that starts at char `offset`. */
function base64Span(offset: number, b: number, n: number): [number, number] {
	const e = b + n - 1;
	const start = offset + 4 * Math.floor(b / 3) + (b % 3);
	const end = offset + 4 * Math.floor(e / 3) + (e % 3) + 2;
	return [start, end];
}

export class Secrets {
	private readonly long: Secret[] = [];

	/** Values under MIN_SECRET_LENGTH: removed only where a whole text equals one. */
	private readonly short = new Set<string>();

	private decoders: Decoder[] = [];

	constructor(values: Iterable<unknown> = []) {
		this.add(values);
	}

	get empty(): boolean {
		return this.long.length === 0 && this.short.size === 0;
	}

	/** A number that is a value of 4+ characters (a PIN written as a number); not `123`. */
	private isNumberSecret(text: string): boolean {
		return this.long.some((s) => s.text === text);
	}

	/** Adds values to remove (empty and non-text values are ignored). */
	add(values: Iterable<unknown>): void {
		for (const raw of values) {
			if (typeof raw !== 'string' || raw.trim() === '') continue;
			// Spaces typed around a value are not part of it (every occurrence holds the rest),
			// unless the rest is too short to be looked for inside texts.
			const value = raw.trim().length >= MIN_SECRET_LENGTH ? raw.trim() : raw;
			if (value.length < MIN_SECRET_LENGTH) {
				this.short.add(value.trim());
				continue;
			}
			if (this.long.some((s) => s.text === value)) continue;
			const utf8 = Buffer.from(value, 'utf8');
			// Every UTF-16 code unit fits in one Latin-1 byte.
			const latin1 = /^[^\u0100-\uffff]*$/.test(value) ? Buffer.from(value, 'latin1') : undefined;
			const bytes = latin1 && !latin1.equals(utf8) ? [utf8, latin1] : [utf8];
			this.long.push({
				text: value,
				needles: encodedForms(value),
				strong: value.length >= STRONG_SECRET_LENGTH,
				bytes,
			});
		}
		// Longer values first, so that no tail of one is left behind by a shorter one.
		this.long.sort((a, b) => b.text.length - a.text.length);
		this.decoders = this.makeDecoders();
	}

	private makeDecoders(): Decoder[] {
		const decoders: Decoder[] = [
			{ applies: (t) => t.includes('\\'), decode: decodeEscapes },
			{ applies: (t) => t.includes('%'), decode: (t) => decodePercent(t, false) },
			{ applies: (t) => t.includes('&'), decode: decodeEntities },
		];
		if (this.long.some((s) => s.text.includes(' '))) {
			decoders.push({ applies: (t) => t.includes('+'), decode: (t) => decodePercent(t, true) });
		}
		return decoders;
	}

	/** Every span of `view` (in original coordinates) that holds a secret, plain or base64. */
	private find(view: View, secrets: Secret[], spans: Span[], base64: boolean) {
		const { text } = view;
		const at = view.at ?? ((i: number) => i);
		for (const secret of secrets) {
			// Decoded readings hold the plain value; the encoded forms are looked for as written.
			for (const needle of view.at ? [secret.text] : secret.needles) {
				for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
					spans.push({ start: at(i), end: at(i + needle.length), strong: secret.strong });
				}
			}
		}
		if (!base64) return;
		BASE64_RUN.lastIndex = 0;
		for (let m = BASE64_RUN.exec(text); m; m = BASE64_RUN.exec(text)) {
			// A plain lower-case word is not decoded (base64 of 4+ bytes is hardly ever one).
			if (/^[a-z]+$/.test(m[0])) continue;
			for (let k = 0; k < 4 && m[0].length - k >= 6; k++) {
				const part = m[0].slice(k);
				const decoded = Buffer.from(
					part.slice(0, part.length - (part.length % 4 === 1 ? 1 : 0)),
					'base64',
				);
				for (const secret of secrets) {
					for (const bytes of secret.bytes) {
						let b = decoded.indexOf(bytes);
						while (b >= 0) {
							const [start, end] = base64Span(m.index + k, b, bytes.length);
							spans.push({
								start: at(start),
								end: at(Math.min(end, text.length)),
								strong: secret.strong,
							});
							b = decoded.indexOf(bytes, b + 1);
						}
					}
				}
			}
		}
	}

	/**
	 * One text without any secret. `idField`: the text is an ID or link (only strong values are
	 * removed); `keep`: IDs whose occurrences in the text weak values must not touch.
	 */
	redactText(text: string, idField = false, keep: ReadonlySet<string> = new Set()): string {
		if (this.empty || text === '') return text;
		if (!idField && !keep.has(text) && this.short.has(text.trim())) return MASK;
		const secrets = idField ? this.long.filter((s) => s.strong) : this.long;
		if (!secrets.length) return text;
		const spans: Span[] = [];
		this.find({ text }, secrets, spans, true);
		// Decoded readings, and one more decoding of each (e.g. %-encoding inside a JSON string).
		// Base64 is looked for in the text and in its escapes' reading (`\/` in a JSON string).
		for (const first of this.decoders) {
			if (!first.applies(text)) continue;
			const once = first.decode(text);
			this.find(once, secrets, spans, first.decode === decodeEscapes);
			for (const second of this.decoders) {
				if (second.applies(once.text))
					this.find(compose(once, second.decode(once.text)), secrets, spans, false);
			}
		}
		if (!spans.length) return text;
		const shields: Array<[number, number]> = [];
		for (const id of keep) {
			for (let i = text.indexOf(id); id && i >= 0; i = text.indexOf(id, i + 1)) {
				shields.push([i, i + id.length]);
			}
		}
		const kept = spans
			.filter((s) => s.strong || !shields.some(([a, b]) => s.start < b && a < s.end))
			.sort((a, b) => a.start - b.start);
		if (!kept.length) return text;
		const structured = this.redactJsonText(text, keep);
		if (structured !== undefined) return structured;
		let out = '';
		let cursor = 0;
		for (let i = 0; i < kept.length; ) {
			const start = kept[i].start;
			let end = kept[i++].end;
			while (i < kept.length && kept[i].start < end) end = Math.max(end, kept[i++].end);
			out += text.slice(cursor, start) + MASK;
			cursor = end;
		}
		return out + text.slice(cursor);
	}

	/**
	 * A JSON text (object or array) with secrets is redacted as the value it holds and written
	 * again (indentation kept): replacing spans of the text could take a closing quote with an
	 * escaped one (`"aaa\""`: a value `aaa"`, or a CSV-quoted `aaa\"`?). Undefined: not JSON.
	 */
	private redactJsonText(text: string, keep: ReadonlySet<string>): string | undefined {
		const body = text.trim();
		if (!/^[[{]/.test(body)) return undefined;
		let parsed: unknown;
		try {
			parsed = JSON.parse(body);
		} catch {
			return undefined;
		}
		const indent = /^[[{]\s*?\n([ \t]+)\S/.exec(body)?.[1];
		const start = text.indexOf(body[0]);
		let clean: string;
		try {
			clean = JSON.stringify(this.redact(parsed, keep), null, indent);
		} catch {
			// Nested too deep for JSON.stringify: the spans are replaced instead.
			return undefined;
		}
		return text.slice(0, start) + clean + text.slice(start + body.length);
	}

	/** The strings of ID and link fields anywhere in `values` (iterative; cycles visited once). */
	idsIn(...values: unknown[]): Set<string> {
		const ids = new Set<string>();
		const seen = new Set<object>();
		const stack: unknown[] = [...values];
		while (stack.length) {
			const value = stack.pop();
			if (typeof value !== 'object' || value === null || seen.has(value)) continue;
			seen.add(value);
			for (const [key, entry] of Object.entries(value)) {
				if (typeof entry === 'string' && ID_FIELDS.has(key) && entry) ids.add(entry);
				else if (typeof entry === 'object') stack.push(entry);
			}
		}
		return ids;
	}

	/**
	 * `value` without any secret: strings, object keys, at any depth. Plain objects and arrays
	 * are copied when something changed; other objects are read as their JSON. The IDs it holds
	 * (and `keep`) are protected from weak values.
	 */
	redact<T>(value: T, keep?: ReadonlySet<string>): T {
		if (this.empty) return value;
		const ids = keep ?? this.idsIn(value);
		let changed = false;
		const copies = new Map<object, unknown>();
		const root: { value?: unknown } = {};
		const stack: Array<[unknown, Record<string | number, unknown>, string | number, boolean]> = [
			[value, root, 'value', false],
		];
		while (stack.length) {
			const [src, parent, slot, idField] = stack.pop() as (typeof stack)[number];
			if (typeof src === 'string') {
				const clean = this.redactText(src, idField, ids);
				if (clean !== src) changed = true;
				parent[slot] = clean;
				continue;
			}
			if (typeof src === 'number' && !idField && this.isNumberSecret(String(src))) {
				// A number that is a secret (a PIN the agent wrote as a number).
				changed = true;
				parent[slot] = MASK;
				continue;
			}
			if (typeof src !== 'object' || src === null) {
				parent[slot] = src;
				continue;
			}
			const copy = copies.get(src);
			if (copy !== undefined) {
				parent[slot] = copy;
				continue;
			}
			if (Array.isArray(src)) {
				const out: unknown[] = new Array(src.length);
				copies.set(src, out);
				parent[slot] = out;
				src.forEach((entry, i) => stack.push([entry, out as never, i, false]));
				continue;
			}
			const proto = Object.getPrototypeOf(src) as unknown;
			let source = src as Record<string, unknown>;
			if (proto !== Object.prototype && proto !== null) {
				if (src instanceof Date || ArrayBuffer.isView(src)) {
					parent[slot] = src;
					continue;
				}
				try {
					const text = JSON.stringify(src);
					source = text === undefined ? {} : (JSON.parse(text) as Record<string, unknown>);
				} catch {
					// Not JSON (a cycle, a BigInt): its own fields, as they are.
				}
			}
			const out: Record<string, unknown> = {};
			copies.set(src, out);
			parent[slot] = out;
			for (const [key, entry] of Object.entries(source)) {
				const cleanKey = this.redactText(key, false, ids);
				if (cleanKey !== key) changed = true;
				out[cleanKey] = undefined;
				stack.push([entry, out, cleanKey, ID_FIELDS.has(key)]);
			}
		}
		return (changed ? root.value : value) as T;
	}

	/** A finished item: its JSON (IDs and links kept) and its binary data's names and metadata. */
	redactItem<I extends { json: IDataObject; binary?: IBinaryKeyData }>(item: I): I {
		if (this.empty) return item;
		const ids = this.idsIn(item.json);
		const out = { ...item, json: this.redact(item.json, ids) };
		if (item.binary) {
			const binary: IBinaryKeyData = {};
			for (const [property, data] of Object.entries(item.binary)) {
				const clean = { ...data };
				for (const field of BINARY_TEXT_FIELDS) {
					const text = (clean as unknown as IDataObject)[field];
					if (typeof text === 'string') {
						(clean as unknown as IDataObject)[field] = this.redactText(text, false, ids);
					}
				}
				binary[property] = clean;
			}
			out.binary = binary;
		}
		return out;
	}

	/**
	 * Everything an n8n error carries out of the node: message, description, context, the server's
	 * body, the stack, the details a Continue item shows, and the error's copy of the node's
	 * parameters. The IDs the error names (webRun.sessionId / taskId, context) are kept intact for
	 * a later Get Task. Changes the error in place.
	 */
	redactError(error: Error): void {
		if (this.empty) return;
		const e = error as Error & {
			description?: string | null;
			context?: IDataObject;
			messages?: string[];
			errorResponse?: unknown;
			cause?: unknown;
			webRun?: unknown;
			node?: { parameters?: unknown };
		};
		const keep = this.idsIn(e.webRun, e.context);
		e.message = this.redact(e.message, keep);
		if (e.description) e.description = this.redact(e.description, keep);
		if (e.stack) e.stack = this.redact(e.stack, keep);
		if (e.context) e.context = this.redact(e.context, keep);
		if (Array.isArray(e.messages)) e.messages = this.redact(e.messages, keep);
		if (e.errorResponse !== undefined) e.errorResponse = this.redact(e.errorResponse, keep);
		if (e.cause !== undefined && !(e.cause instanceof Error)) e.cause = this.redact(e.cause, keep);
		if (e.webRun !== undefined) e.webRun = this.redact(e.webRun, keep);
		if (e.node?.parameters) e.node.parameters = this.redact(e.node.parameters, keep);
	}
}
