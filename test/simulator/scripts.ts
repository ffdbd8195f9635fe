import type { DownloadSpec, StructuredMode, TaskScript } from './types';
import { isObject } from './util';

export type ScriptMatch = string | RegExp | ((text: string) => boolean);

export interface ResolvedScript {
	durationMs: number;
	message: string;
	outcome: 'complete' | 'fail' | 'terminate';
	failCode: string;
	failError: string;
	guardrails: Array<{ atMs: number; type: string; value: string }>;
	files: unknown[];
	/** null = build the default single network entry */
	network: unknown[] | null;
	usage: { prompt_tokens: number; completion_tokens: number; cost: number };
	/** USD per working second; undefined = the proportional usage.cost of the built-ins. */
	costPerSecond?: number;
	/** True when the script set `message` (it then wins over a structured answer). */
	messageSet: boolean;
	structured: StructuredMode;
	downloads: DownloadSpec[];
	/** The effective (merged) script, for the public task record. */
	raw: TaskScript;
}

export const DEFAULT_USAGE = { prompt_tokens: 12450, completion_tokens: 3200, cost: 0.0124 };

/**
 * Finds a `[sim {json}]` tag in a task text. Brace matching is string-aware, so the JSON may contain
 * `]` or `}` inside strings. Returns null when there is no tag or its JSON does not parse.
 */
export function extractSimTag(text: string): { script: TaskScript; cleanText: string } | null {
	const re = /\[sim\s*/gi;
	let m: RegExpExecArray | null;
	while ((m = re.exec(text)) !== null) {
		const start = m.index;
		let i = m.index + m[0].length;
		if (text[i] !== '{') continue;
		const jsonStart = i;
		let depth = 0;
		let inString = false;
		let escaped = false;
		for (; i < text.length; i++) {
			const ch = text[i];
			if (inString) {
				if (escaped) escaped = false;
				else if (ch === '\\') escaped = true;
				else if (ch === '"') inString = false;
				continue;
			}
			if (ch === '"') inString = true;
			else if (ch === '{') depth++;
			else if (ch === '}') {
				depth--;
				if (depth === 0) break;
			}
		}
		if (depth !== 0) continue;
		const jsonText = text.slice(jsonStart, i + 1);
		let j = i + 1;
		while (j < text.length && /\s/.test(text[j])) j++;
		if (text[j] !== ']') continue;
		let parsed: unknown;
		try {
			parsed = JSON.parse(jsonText);
		} catch {
			continue;
		}
		if (!isObject(parsed)) continue;
		const cleanText = (text.slice(0, start) + text.slice(j + 1)).replace(/\s{2,}/g, ' ').trim();
		return { script: parsed as TaskScript, cleanText };
	}
	return null;
}

export function matches(match: ScriptMatch, text: string): boolean {
	if (typeof match === 'string') return text.includes(match);
	if (match instanceof RegExp) {
		match.lastIndex = 0;
		return match.test(text);
	}
	try {
		return !!match(text);
	} catch {
		return false;
	}
}

/** Precedence: `[sim {...}]` tag in the text > first matching registered script > defaultScript > built-ins. */
export function resolveScript(
	text: string,
	registered: Array<{ match: ScriptMatch; script: TaskScript }>,
	defaultScript: TaskScript | undefined,
): { script: ResolvedScript; cleanText: string } {
	const tag = extractSimTag(text);
	const cleanText = tag ? tag.cleanText : text;
	let chosen: TaskScript | undefined = tag?.script;
	if (!chosen) {
		for (const r of registered) {
			if (matches(r.match, text)) {
				chosen = r.script;
				break;
			}
		}
	}
	const merged: TaskScript = { ...(defaultScript ?? {}), ...(chosen ?? {}) };
	const usage = { ...DEFAULT_USAGE, ...(merged.usage ?? {}) };
	const d = Number(merged.durationMs);
	const durationMs = merged.durationMs === undefined || !Number.isFinite(d) ? 200 : Math.max(0, d);
	const guardrails = (Array.isArray(merged.guardrails) ? merged.guardrails : [])
		.filter((g) => isObject(g))
		.map((g) => ({
			atMs: Math.max(0, Number(g.atMs) || 0),
			type: typeof g.type === 'string' && g.type ? g.type : 'human_input_needed',
			value: String(g.value ?? 'I need human input to proceed'),
		}))
		.sort((a, b) => a.atMs - b.atMs);
	const outcome =
		merged.outcome === 'fail' || merged.outcome === 'terminate' ? merged.outcome : 'complete';
	const rate = Number(merged.costPerSecond);
	const costPerSecond =
		merged.costPerSecond !== undefined && Number.isFinite(rate) && rate >= 0 ? rate : undefined;
	const structured: StructuredMode =
		merged.structured === 'invalid-json' || merged.structured === 'mismatch'
			? merged.structured
			: 'valid';
	const downloads = (Array.isArray(merged.downloads) ? merged.downloads : []).filter(
		(d): d is DownloadSpec => isObject(d) && typeof d.filename === 'string',
	);
	return {
		cleanText,
		script: {
			durationMs,
			message: typeof merged.message === 'string' ? merged.message : `Completed: ${cleanText}`,
			outcome,
			failCode: merged.failCode ?? 'NAVIGATION_TIMEOUT',
			failError: merged.failError ?? 'Navigation timeout after 30 seconds',
			guardrails,
			files: Array.isArray(merged.files) ? merged.files : [],
			network: Array.isArray(merged.network) ? merged.network : null,
			usage,
			costPerSecond,
			messageSet: typeof merged.message === 'string',
			structured,
			downloads,
			raw: merged,
		},
	};
}
