const FENCE = /```[\w-]*[ \t]*\r?\n?([\s\S]*?)```/g;
// How many never-closed { or [ are read to the end of the answer before giving up.
const MAX_UNCLOSED = 20;

type Parsed = { value: unknown } | { error: string };

function parse(text: string): Parsed {
	try {
		return { value: JSON.parse(text) };
	} catch (error) {
		return { error: (error as Error).message };
	}
}

/** The end (exclusive) of the balanced {...} or [...] span that starts at `start`, or -1. */
function spanEnd(text: string, start: number): number {
	const closers: string[] = [];
	let inString = false;
	for (let i = start; i < text.length; i++) {
		const char = text[i];
		if (inString) {
			if (char === '\\') i++;
			else if (char === '"') inString = false;
		} else if (char === '"') {
			inString = true;
		} else if (char === '{' || char === '[') {
			closers.push(char === '{' ? '}' : ']');
		} else if (char === '}' || char === ']') {
			if (closers.pop() !== char) return -1;
			if (!closers.length) return i + 1;
		}
	}
	return -1;
}

/**
 * The JSON value in the agent's answer: the whole answer when it is JSON, else the first fenced
 * code block (```json or plain ```) that parses, else the first balanced {...} or [...] part of
 * the text that parses. The error says what was wrong, with the JSON parser's message.
 */
export function parseJsonAnswer(message: string): { value: unknown } | { error: string } {
	const text = message.trim();
	if (!text) return { error: 'the answer is empty' };
	const whole = parse(text);
	if ('value' in whole) return whole;
	let fenceError: string | undefined;
	for (const [, block] of text.matchAll(FENCE)) {
		const inFence = parse(block.trim());
		if ('value' in inFence) return inFence;
		fenceError ??= inFence.error;
	}
	let spanError: string | undefined;
	let unclosed = 0;
	for (let start = 0; start < text.length && unclosed < MAX_UNCLOSED; start++) {
		if (text[start] !== '{' && text[start] !== '[') continue;
		const end = spanEnd(text, start);
		if (end === -1) {
			unclosed++;
			continue;
		}
		const inSpan = parse(text.slice(start, end));
		if ('value' in inSpan) return inSpan;
		spanError ??= inSpan.error;
		start = end - 1;
	}
	if (fenceError) return { error: `the code block in the answer is not valid JSON: ${fenceError}` };
	if (/^[[{"]/.test(text)) return { error: `the answer is not valid JSON: ${whole.error}` };
	if (spanError) return { error: `the JSON in the answer is not valid: ${spanError}` };
	if (/[[{]/.test(text)) return { error: 'the answer has a { or [ without its matching } or ]' };
	return { error: 'the answer holds no JSON: no {...} object or [...] list in it' };
}
