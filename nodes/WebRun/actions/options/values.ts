/**
 * The one way a number option is read: n8n gives a number, or text when the value comes from an
 * expression. Anything else (empty text, an object) is NaN, which every reader refuses.
 */
export function toNumber(value: unknown): number {
	if (typeof value === 'number') return value;
	if (typeof value === 'string' && value.trim() !== '') return Number(value);
	return Number.NaN;
}

export function isWholeNumber(value: unknown): value is number {
	return typeof value === 'number' && Number.isInteger(value);
}

/** A text value as typed, trimmed; nothing is empty text. */
export function text(value: unknown): string {
	return value === undefined || value === null ? '' : String(value).trim();
}

/** How an option reader fails: an input error for the item, raised before any request is sent. */
export type Fail = (message: string, description?: string) => Error;
