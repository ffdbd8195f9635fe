import { randomBytes } from 'crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Random lowercase alphanumeric id (the docs describe ids as "12-character alphanumeric"). */
export function randomId(length = 12): string {
	const bytes = randomBytes(length);
	let out = '';
	for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] % ALPHABET.length];
	return out;
}

export function round(n: number, digits: number): number {
	const f = Math.pow(10, digits);
	return Math.round(n * f) / f;
}

export function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** First defined value among the candidates. */
export function pick<T = unknown>(...candidates: unknown[]): T | undefined {
	for (const c of candidates) if (c !== undefined && c !== null) return c as T;
	return undefined;
}
