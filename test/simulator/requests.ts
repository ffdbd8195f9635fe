/**
 * Request generations (docs/webrun-api-notes.md#request-generations): which body paths the server
 * reads for each concept. 'any' accepts every alias (the simulator's historical behaviour); 'E', 'W1'
 * and 'W2' read only the fields of that generation and ignore everything else.
 */
import type { RequestGeneration } from './types';
import { isObject } from './util';

export type ReadKind = 'run-task' | 'start-session' | 'new-task' | 'guardrail';

export const CONCEPTS = [
	'taskText',
	'startingUrl',
	'maxDuration',
	'maxInputTokens',
	'maxOutputTokens',
	'avoidDomains',
	'mode',
	'terminateOnCompletion',
	'environmentId',
	'outputType',
	'outputSchema',
	'files',
	'secrets',
	'webhook',
	'policyId',
	'proxy',
	'reachOutMode',
] as const;

export type Concept = (typeof CONCEPTS)[number];

type PathTable = Partial<Record<Concept, string[]>>;

/** The same list of concepts, each read from `prefix + concept`. */
function flat(prefix: string, concepts: Concept[]): PathTable {
	const t: PathTable = {};
	for (const c of concepts) t[c] = [prefix + c];
	return t;
}

const LIMITS: Concept[] = ['maxDuration', 'maxInputTokens', 'maxOutputTokens'];
const W_TASK: Concept[] = ['outputType', 'outputSchema', 'files', 'secrets', 'webhook'];

// ---------------------------------------------------------------- E (flat everywhere)

const E_START: PathTable = {
	taskText: ['taskDetails'],
	startingUrl: ['startingUrl'],
	...flat('', [...LIMITS, 'avoidDomains', 'mode', 'terminateOnCompletion']),
};
const E_NEW_TASK: PathTable = {
	taskText: ['message.taskDetails'],
	startingUrl: ['message.startingUrl'],
	...flat('message.', [...LIMITS, 'avoidDomains', 'terminateOnCompletion']),
};

// ---------------------------------------------------------------- W1 (initialTask for start-session)

const W1_RUN_TASK: PathTable = {
	taskText: ['taskDetails'],
	startingUrl: ['startingUrl', 'startingPoint'],
	...flat('', [...LIMITS, 'avoidDomains', 'mode', 'terminateOnCompletion', ...W_TASK]),
	environmentId: ['environmentId', 'profileId'],
};
const W1_START_SESSION: PathTable = {
	environmentId: ['environmentId', 'profileId'],
	mode: ['mode'],
	taskText: ['initialTask.taskDetails'],
	startingUrl: ['initialTask.startingPoint'],
	...flat('initialTask.', [...LIMITS, 'avoidDomains', 'terminateOnCompletion', ...W_TASK]),
};
const W1_NEW_TASK: PathTable = {
	taskText: ['message.taskDetails'],
	startingUrl: ['message.startingPoint'],
	...flat('message.', [...LIMITS, 'avoidDomains', 'terminateOnCompletion', ...W_TASK]),
};

// ---------------------------------------------------------------- W2 (task{} and message.prompt)

const W2_START: PathTable = {
	taskText: ['task.prompt'],
	startingUrl: ['task.startingUrl'],
	...flat('task.', [...LIMITS, 'terminateOnCompletion', ...W_TASK]),
	...flat('', ['environmentId', 'policyId', 'proxy', 'reachOutMode', 'mode']),
};
const W2_NEW_TASK: PathTable = {
	taskText: ['message.prompt'],
	startingUrl: ['message.startingUrl'],
	...flat('message.', [...LIMITS, 'terminateOnCompletion', ...W_TASK]),
};

// ---------------------------------------------------------------- any (every alias)

const TASK_LEVEL: Concept[] = [...LIMITS, 'avoidDomains', 'terminateOnCompletion', ...W_TASK];
const TOP_LEVEL: Concept[] = ['policyId', 'proxy', 'reachOutMode', 'mode'];

function anyStart(text: string[]): PathTable {
	const t: PathTable = { taskText: text };
	for (const c of TASK_LEVEL) t[c] = [`task.${c}`, `initialTask.${c}`, c];
	t.startingUrl = [
		'task.startingUrl',
		'initialTask.startingUrl',
		'startingUrl',
		'task.startingPoint',
		'initialTask.startingPoint',
		'startingPoint',
	];
	for (const c of TOP_LEVEL) t[c] = [c, `task.${c}`, `initialTask.${c}`];
	t.environmentId = [
		'environmentId',
		'profileId',
		'task.environmentId',
		'initialTask.environmentId',
	];
	return t;
}

const ANY_RUN_TASK = anyStart([
	'taskDetails',
	'prompt',
	'task.prompt',
	'task.taskDetails',
	'initialTask.taskDetails',
	'initialTask.prompt',
]);
const ANY_START_SESSION = anyStart([
	'task.prompt',
	'task.taskDetails',
	'initialTask.taskDetails',
	'initialTask.prompt',
	'taskDetails',
	'prompt',
]);
const ANY_NEW_TASK: PathTable = (() => {
	const t: PathTable = {
		taskText: [
			'message.taskDetails',
			'message.prompt',
			'message.task.prompt',
			'message.task.taskDetails',
		],
	};
	for (const c of [...TASK_LEVEL, ...TOP_LEVEL, 'environmentId'] as Concept[]) {
		t[c] = [`message.task.${c}`, `message.${c}`];
	}
	t.startingUrl = [
		'message.task.startingUrl',
		'message.startingUrl',
		'message.task.startingPoint',
		'message.startingPoint',
	];
	return t;
})();

const TABLES: Record<RequestGeneration, Record<ReadKind, PathTable>> = {
	any: {
		'run-task': ANY_RUN_TASK,
		'start-session': ANY_START_SESSION,
		'new-task': ANY_NEW_TASK,
		guardrail: { taskText: ['message.taskDetails', 'message.prompt'] },
	},
	E: {
		'run-task': E_START,
		'start-session': E_START,
		'new-task': E_NEW_TASK,
		guardrail: { taskText: ['message.taskDetails'] },
	},
	W1: {
		'run-task': W1_RUN_TASK,
		'start-session': W1_START_SESSION,
		'new-task': W1_NEW_TASK,
		guardrail: { taskText: ['message.taskDetails'] },
	},
	W2: {
		'run-task': W2_START,
		'start-session': W2_START,
		'new-task': W2_NEW_TASK,
		guardrail: { taskText: ['message.prompt'] },
	},
};

export function getPath(body: unknown, path: string): unknown {
	let cur: unknown = body;
	for (const part of path.split('.')) {
		if (!isObject(cur)) return undefined;
		cur = cur[part];
	}
	return cur;
}

export interface ReadResult {
	/** The task text, when one was read (any type; the caller validates). */
	text: unknown;
	/** Concept values read (taskText excluded). */
	values: Record<string, unknown>;
	/** Concept → the body path it was read from (taskText included). */
	fields: Record<string, string>;
}

/**
 * Reads every concept of this generation from the body, first listed path first. A value counts as
 * read when it is neither undefined nor null.
 */
export function readRequest(gen: RequestGeneration, kind: ReadKind, body: unknown): ReadResult {
	const table = TABLES[gen][kind];
	const values: Record<string, unknown> = {};
	const fields: Record<string, string> = {};
	let text: unknown = undefined;
	for (const concept of CONCEPTS) {
		const paths = table[concept];
		if (!paths) continue;
		for (const p of paths) {
			const v = getPath(body, p);
			if (v === undefined || v === null) continue;
			fields[concept] = p;
			if (concept === 'taskText') text = v;
			else values[concept] = v;
			break;
		}
	}
	return { text, values, fields };
}

/** The paths a generation reads for one concept (for messages and docs). */
export function pathsOf(gen: RequestGeneration, kind: ReadKind, concept: Concept): string[] {
	return TABLES[gen][kind][concept] ?? [];
}

// ---------------------------------------------------------------- validation of the values read

export interface Invalid {
	message: string;
	details: Record<string, unknown>;
}

const ISO_COUNTRY = /^[A-Za-z]{2}$/;

function invalid(parameter: string, message: string, value?: unknown): Invalid {
	return { message, details: value === undefined ? { parameter } : { parameter, value } };
}

/**
 * docs/webrun-api-notes.md#sessions: {source:'WebRun', country, level?} or {source:'custom', type,
 * host, port (string), username?, password?, level?}.
 */
export function checkProxy(p: unknown): Invalid | null {
	const bad = (why: string) => invalid('proxy', `Invalid parameter 'proxy': ${why}`);
	if (!isObject(p)) return bad('must be an object or null');
	if (p.level !== undefined && p.level !== 'system' && p.level !== 'chrome') {
		return bad('level must be one of: system, chrome');
	}
	if (p.source === 'WebRun') {
		if (typeof p.country !== 'string' || !(p.country === 'random' || ISO_COUNTRY.test(p.country))) {
			return bad('country must be an ISO 3166-1 alpha-2 code or "random"');
		}
		return null;
	}
	if (p.source === 'custom') {
		if (p.type !== 'http' && p.type !== 'socks') return bad('type must be one of: http, socks');
		if (typeof p.host !== 'string' || !p.host) return bad('host is required');
		if (typeof p.port !== 'string' || !/^\d{1,5}$/.test(p.port))
			return bad('port must be a string of digits');
		for (const k of ['username', 'password']) {
			if (p[k] !== undefined && typeof p[k] !== 'string') return bad(`${k} must be a string`);
		}
		return null;
	}
	return bad('source must be one of: WebRun, custom');
}

/** docs/webrun-api-notes.md#sessions: an array of { match: string, fields: { name: value } }. */
export function checkSecrets(s: unknown): Invalid | null {
	const bad = (why: string) => invalid('secrets', `Invalid parameter 'secrets': ${why}`);
	if (!Array.isArray(s)) return bad('must be an array');
	for (const e of s) {
		if (!isObject(e) || typeof e.match !== 'string' || !e.match)
			return bad('each entry needs a match pattern');
		if (!isObject(e.fields)) return bad('each entry needs a fields object');
		for (const v of Object.values(e.fields))
			if (typeof v !== 'string') return bad('field values must be strings');
	}
	return null;
}

export const OUTPUT_TYPES = ['text', 'structured_json', 'structured_csv', 'structured'];

/**
 * docs/webrun-api-notes.md#structured-output: outputType and outputSchema (required when
 * structured).
 */
export function checkOutput(type: unknown, schema: unknown): Invalid | null {
	if (type === undefined) return null;
	if (typeof type !== 'string' || !OUTPUT_TYPES.includes(type)) {
		return invalid('outputType', `outputType must be one of: ${OUTPUT_TYPES.join(', ')}`, type);
	}
	if (type === 'text') return null;
	if (schema === undefined) {
		return invalid('outputSchema', `outputSchema is required when outputType is ${type}`);
	}
	const isColumns =
		Array.isArray(schema) && schema.length > 0 && schema.every((c) => typeof c === 'string' && c);
	if (type === 'structured_json' && !isObject(schema)) {
		return invalid('outputSchema', 'outputSchema must be a JSON Schema object for structured_json');
	}
	if (type === 'structured_csv' && !isColumns) {
		return invalid(
			'outputSchema',
			'outputSchema must be a non-empty array of column names for structured_csv',
		);
	}
	if (type === 'structured' && !isObject(schema) && !isColumns) {
		return invalid(
			'outputSchema',
			'outputSchema must be a JSON Schema object or an array of column names',
		);
	}
	return null;
}

/**
 * Numeric caps (maxDuration ≤ 300000 ms, token caps ≤ 100000) and reachOutMode
 * (docs/webrun-api-notes.md#sessions).
 */
export function checkLimits(values: Record<string, unknown>): Invalid | null {
	const limits: Array<[string, number]> = [
		['maxDuration', 300000],
		['maxInputTokens', 100000],
		['maxOutputTokens', 100000],
	];
	for (const [field, max] of limits) {
		const v = values[field];
		if (v === undefined) continue;
		if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
			return invalid(field, `Invalid parameter '${field}': must be a non-negative number`, v);
		}
		if (v > max) {
			return {
				message: `Invalid parameter '${field}': must be at most ${max}`,
				details: { parameter: field, value: v, max },
			};
		}
	}
	if (
		values.reachOutMode !== undefined &&
		(typeof values.reachOutMode !== 'string' ||
			!['off', 'guardrail_only', 'full'].includes(values.reachOutMode))
	) {
		return invalid(
			'reachOutMode',
			'reachOutMode must be one of: off, guardrail_only, full',
			values.reachOutMode,
		);
	}
	return null;
}
