/**
 * Structured output (docs/webrun-api-notes.md#structured-output): the agent's answer is always a
 * string in data.message — a JSON text matching outputSchema for structured_json, a CSV text with a
 * header row for structured_csv. The simulator generates plausible values from the schema, and can
 * break them on purpose (TaskScript.structured: 'invalid-json' | 'mismatch').
 */
import type { SimStructuredOutput, StructuredMode } from './types';
import { isObject } from './util';

const MAX_DEPTH = 8;
const NAMES = ['Keychron K2 Wireless Keyboard', 'Logitech MX Keys S'];
const DESCRIPTIONS = [
	'Compact 75% wireless mechanical keyboard',
	'Low-profile keyboard with smart backlight',
];

function typeOf(schema: Record<string, unknown>): string {
	let t = schema.type;
	if (Array.isArray(t)) t = t.find((x) => x !== 'null') ?? t[0];
	if (typeof t === 'string') return t;
	if (isObject(schema.properties)) return 'object';
	if (schema.items !== undefined) return 'array';
	return 'string';
}

function clamp(n: number, schema: Record<string, unknown>): number {
	if (typeof schema.minimum === 'number' && n < schema.minimum) n = schema.minimum;
	if (typeof schema.maximum === 'number' && n > schema.maximum) n = schema.maximum;
	return n;
}

function stringFor(name: string, i: number, format?: string): string {
	const n = name.toLowerCase();
	if (format === 'date-time' || /_at$|[a-z]At$/.test(name) || /time/.test(n)) {
		return new Date(Date.UTC(2026, 1, 15 + i, 10, 30)).toISOString();
	}
	if (format === 'date' || /date|day/.test(n)) return `2026-02-${String(15 + i).padStart(2, '0')}`;
	if (format === 'email' || /e-?mail/.test(n)) return `buyer${i + 1}@example.com`;
	if (format === 'uri' || format === 'url' || /url|link|href|website/.test(n)) {
		return `https://www.example.com/item-${i + 1}`;
	}
	if (/price|cost|amount/.test(n)) return ['$89.99', '$109.00'][i % 2];
	if (/currency/.test(n)) return 'USD';
	if (/country/.test(n)) return ['US', 'GB'][i % 2];
	if (/desc|summary|text|comment|review/.test(n)) return DESCRIPTIONS[i % 2];
	if (/name|title|product|label/.test(n)) return NAMES[i % 2];
	if (/(^|_)id$|Id$/.test(name)) return `item_${String(i + 1).padStart(3, '0')}`;
	return `${name || 'value'} ${i + 1}`;
}

function numberFor(name: string, i: number, integer: boolean): number {
	const n = name.toLowerCase();
	if (integer) {
		if (/count|quantity|qty|reviews|stock|total/.test(n)) return [1287, 643][i % 2];
		if (/rank|position|index/.test(n)) return i + 1;
		if (/year/.test(n)) return [2025, 2026][i % 2];
		return [42, 7][i % 2];
	}
	if (/price|cost|amount/.test(n)) return [89.99, 109][i % 2];
	if (/rating|score|stars/.test(n)) return [4.6, 4.4][i % 2];
	if (/percent|change/.test(n)) return [2.35, -1.2][i % 2];
	return [12.5, 37.25][i % 2];
}

/** A value matching the schema: every property, arrays of 2 items, plausible scalars. */
export function valueFor(schema: unknown, name = 'value', i = 0, depth = 0): unknown {
	if (!isObject(schema)) return stringFor(name, i);
	if (schema.const !== undefined) return schema.const;
	if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[i % schema.enum.length];
	switch (typeOf(schema)) {
		case 'object': {
			const out: Record<string, unknown> = {};
			if (depth >= MAX_DEPTH) return out;
			const props = isObject(schema.properties) ? schema.properties : {};
			for (const [k, s] of Object.entries(props)) out[k] = valueFor(s, k, i, depth + 1);
			return out;
		}
		case 'array': {
			if (depth >= MAX_DEPTH) return [];
			const items = Array.isArray(schema.items) ? schema.items[0] : schema.items;
			const singular = name.endsWith('s') ? name.slice(0, -1) : name;
			return [0, 1].map((j) => valueFor(items ?? { type: 'string' }, singular, j, depth + 1));
		}
		case 'integer':
			return Math.round(clamp(numberFor(name, i, true), schema));
		case 'number':
			return clamp(numberFor(name, i, false), schema);
		case 'boolean':
			return i % 2 === 0;
		case 'null':
			return null;
		default: {
			let s = stringFor(name, i, typeof schema.format === 'string' ? schema.format : undefined);
			if (typeof schema.maxLength === 'number' && s.length > schema.maxLength)
				s = s.slice(0, schema.maxLength);
			if (typeof schema.minLength === 'number') s = s.padEnd(schema.minLength, 'x');
			return s;
		}
	}
}

function pathJoin(base: string, key: string | number): string {
	if (typeof key === 'number') return `${base}[${key}]`;
	return base ? `${base}.${key}` : key;
}

/** Turns the first number of the first array item into a string (depth first, schema order). */
function stringifyNumberInArrayItem(
	schema: unknown,
	value: unknown,
	path: string,
	inItem: boolean,
): string | null {
	if (!isObject(schema)) return null;
	const t = typeOf(schema);
	if (t === 'array' && Array.isArray(value) && value.length) {
		const items = Array.isArray(schema.items) ? schema.items[0] : schema.items;
		return stringifyNumberInArrayItem(items, value[0], pathJoin(path, 0), true);
	}
	if (t === 'object' && isObject(value) && isObject(schema.properties)) {
		const entries = Object.entries(schema.properties);
		if (inItem) {
			for (const [k, s] of entries) {
				if (
					isObject(s) &&
					(typeOf(s) === 'number' || typeOf(s) === 'integer') &&
					typeof value[k] === 'number'
				) {
					value[k] = String(value[k]);
					return pathJoin(path, k);
				}
			}
		}
		for (const [k, s] of entries) {
			const found = stringifyNumberInArrayItem(s, value[k], pathJoin(path, k), inItem);
			if (found !== null) return found;
		}
	}
	return null;
}

/** Deletes the first required property found (top level first, then depth first). */
function dropRequired(schema: unknown, value: unknown, path: string): string | null {
	if (!isObject(schema)) return null;
	const t = typeOf(schema);
	if (t === 'object' && isObject(value)) {
		const req = Array.isArray(schema.required)
			? schema.required.filter((k: unknown) => typeof k === 'string')
			: [];
		const k = req.find((r: string) => r in value);
		if (k !== undefined) {
			delete value[k];
			return pathJoin(path, k);
		}
		const props = isObject(schema.properties) ? schema.properties : {};
		for (const [pk, s] of Object.entries(props)) {
			const found = dropRequired(s, value[pk], pathJoin(path, pk));
			if (found !== null) return found;
		}
	}
	if (t === 'array' && Array.isArray(value) && value.length) {
		const items = Array.isArray(schema.items) ? schema.items[0] : schema.items;
		return dropRequired(items, value[0], pathJoin(path, 0));
	}
	return null;
}

/** Any leaf changes type (last resort when there is no number in an array item and nothing required). */
function flipFirstLeaf(schema: unknown, holder: { v: unknown }, path: string): string {
	const v = holder.v;
	if (isObject(v)) {
		const keys = Object.keys(v);
		if (keys.length) {
			const k = keys[0];
			const sub = { v: v[k] };
			const props = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
			const p = flipFirstLeaf(props[k], sub, pathJoin(path, k));
			v[k] = sub.v;
			return p;
		}
	}
	if (Array.isArray(v) && v.length) {
		const items = isObject(schema) ? schema.items : undefined;
		const sub = { v: v[0] };
		const p = flipFirstLeaf(Array.isArray(items) ? items[0] : items, sub, pathJoin(path, 0));
		v[0] = sub.v;
		return p;
	}
	holder.v = typeof v === 'string' ? 12345 : `wrong-${JSON.stringify(v)}`;
	return path;
}

export function structuredJson(
	schema: Record<string, unknown>,
	mode: StructuredMode,
): SimStructuredOutput {
	const value = valueFor(schema);
	const text = JSON.stringify(value);
	if (mode === 'invalid-json') {
		return {
			format: 'json',
			kind: mode,
			message: text.slice(0, Math.max(1, Math.floor(text.length / 2))),
		};
	}
	if (mode === 'mismatch') {
		let wrongPath = stringifyNumberInArrayItem(schema, value, '', false);
		if (wrongPath === null) wrongPath = dropRequired(schema, value, '');
		const holder = { v: value };
		if (wrongPath === null) wrongPath = flipFirstLeaf(schema, holder, '');
		return {
			format: 'json',
			kind: mode,
			message: JSON.stringify(holder.v),
			value: holder.v,
			wrongPath,
		};
	}
	return { format: 'json', kind: 'valid', message: text, value };
}

/** RFC 4180 field quoting. */
export function csvField(s: string): string {
	return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV with the header row and 2 data rows. In row-major order, the first data cell contains a comma,
 * the second a double quote, the third a newline (with fewer than 3 cells the last one carries the rest).
 * Records are separated by "\n" (as in the docs' example).
 */
export function structuredCsv(columns: string[], mode: StructuredMode): SimStructuredOutput {
	let header = columns.map(String);
	const rows: string[][] = [0, 1].map((r) => header.map((c) => stringFor(c, r)));
	const cells = rows.length * header.length;
	const specials = [
		(s: string) => `${s}, 2nd edition`,
		(s: string) => `${s} 15" model`,
		(s: string) => `${s}\nsecond line`,
	];
	for (let k = 0; k < specials.length; k++) {
		const idx = Math.min(k, cells - 1);
		const r = Math.floor(idx / header.length);
		const c = idx % header.length;
		rows[r][c] = specials[k](rows[r][c]);
	}
	let wrongPath: string | undefined;
	if (mode === 'mismatch') {
		// the header does not match the requested columns: the last column is missing (or renamed)
		wrongPath = header[header.length - 1];
		if (header.length > 1) {
			header = header.slice(0, -1);
			for (const row of rows) row.pop();
		} else header = [`${header[0]}_other`];
	}
	const lines = [header, ...rows].map((row) => row.map(csvField).join(','));
	let message = lines.join('\n');
	if (mode === 'invalid-json') {
		// not parseable as CSV: a quoted field that never closes
		message += `\n"unterminated,${header.map(() => 'x').join(',')}`;
		return { format: 'csv', kind: mode, message };
	}
	const value = rows.map((row) => Object.fromEntries(header.map((h, i) => [h, row[i]])));
	return {
		format: 'csv',
		kind: mode === 'mismatch' ? 'mismatch' : 'valid',
		message,
		value,
		wrongPath,
	};
}

/** The structured answer for a task's outputType / outputSchema, or null for text. */
export function structuredOutput(
	outputType: unknown,
	outputSchema: unknown,
	mode: StructuredMode | undefined,
): SimStructuredOutput | null {
	const m: StructuredMode = mode === 'invalid-json' || mode === 'mismatch' ? mode : 'valid';
	const isColumns =
		Array.isArray(outputSchema) &&
		outputSchema.length > 0 &&
		outputSchema.every((c) => typeof c === 'string');
	if ((outputType === 'structured_json' || outputType === 'structured') && isObject(outputSchema)) {
		return structuredJson(outputSchema, m);
	}
	if ((outputType === 'structured_csv' || outputType === 'structured') && isColumns) {
		return structuredCsv(outputSchema as string[], m);
	}
	return null;
}
