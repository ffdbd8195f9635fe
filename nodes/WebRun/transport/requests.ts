import type { IDataObject } from 'n8n-workflow';

/**
 * The bodies of the starting requests, built from one generation-neutral description of the task
 * and the session, in the request shape of each WebRun API generation
 * (docs/webrun-api-notes.md#request-generations):
 *
 * - E (Enigma): flat `taskDetails`, `startingUrl`, … everywhere.
 * - W1: Run Task flat (`startingUrl` or `startingPoint`); Start Session's first task inside
 *   `initialTask { taskDetails, startingPoint, … }`; New Task's URL is `startingPoint`.
 * - W2: `task { prompt, startingUrl, … }` for Run Task and Start Session; `message.prompt` for New
 *   Task and guardrail replies; top-level `environmentId`, `policyId`, `proxy`, `reachOutMode`.
 *
 * `auto` (the default) sends one body that every generation reads correctly: each generation's
 * fields in their own places, which never collide (E and W1 ignore `task`/`initialTask`; W2 reads
 * only `task` and `message.prompt`; W1's start-session reads only `initialTask`). One request per
 * item, so one task per item whichever generation answers; nothing is resent after a 400.
 */

export type ApiFormat = 'auto' | 'e' | 'w1' | 'w2';

export const API_FORMATS: ApiFormat[] = ['auto', 'e', 'w1', 'w2'];

/** A secret the agent may type into matching sites (docs/webrun-api-notes.md#sessions). */
export interface SecretSpec {
	match: string;
	fields: Record<string, string>;
}

/** A task as the user described it (the product's names, not one API generation's). */
export interface TaskSpec {
	prompt: string;
	startingUrl?: string;
	maxDuration?: number;
	maxInputTokens?: number;
	maxOutputTokens?: number;
	avoidDomains?: string[];
	terminateOnCompletion?: boolean;
	outputType?: 'structured_json' | 'structured_csv';
	/** A JSON Schema object (structured_json) or the column names (structured_csv). */
	outputSchema?: IDataObject | string[];
	/** fileIds from POST /files/upload. */
	files?: string[];
	secrets?: SecretSpec[];
}

/**
 * A proxy, in the documented shape (docs/webrun-api-notes.md#sessions): WebRun's own in a country
 * (two-letter code or "random"), or the user's own (`port` is a string; credentials optional).
 */
export type ProxySpec =
	| { source: 'WebRun'; country: string }
	| {
			source: 'custom';
			type: 'http' | 'socks';
			host: string;
			port: string;
			username?: string;
			password?: string;
	  };

/** Session-level settings (Run Task and Start Session). */
export interface SessionSpec {
	mode?: string;
	environmentId?: string;
	policyId?: string;
	proxy?: ProxySpec;
	reachOutMode?: 'off' | 'guardrail_only' | 'full';
}

/** Task settings other than the text and the URL, in their common names. */
const TASK_SETTINGS = [
	'maxDuration',
	'maxInputTokens',
	'maxOutputTokens',
	'terminateOnCompletion',
	'outputType',
	'outputSchema',
	'files',
	'secrets',
] as const;

/** Fields a generation does not know: E predates them, W2 dropped avoidDomains. */
const NOT_IN_E = new Set(['outputType', 'outputSchema', 'files', 'secrets']);

function defined(fields: IDataObject): IDataObject {
	for (const key of Object.keys(fields)) if (fields[key] === undefined) delete fields[key];
	return fields;
}

function settings(task: TaskSpec, generation: 'e' | 'w1' | 'w2'): IDataObject {
	const out: IDataObject = {};
	for (const key of TASK_SETTINGS) {
		if (generation === 'e' && NOT_IN_E.has(key)) continue;
		out[key] = task[key] as IDataObject[string];
	}
	if (generation !== 'w2') out.avoidDomains = task.avoidDomains;
	return defined(out);
}

/** The task in one generation's names; `url` names the field of the starting URL. */
function taskIn(
	task: TaskSpec,
	generation: 'e' | 'w1' | 'w2',
	url: 'startingUrl' | 'startingPoint',
) {
	const text = generation === 'w2' ? 'prompt' : 'taskDetails';
	return defined({ [text]: task.prompt, [url]: task.startingUrl, ...settings(task, generation) });
}

function sessionIn(session: SessionSpec, generation: ApiFormat): IDataObject {
	const { mode, environmentId } = session;
	if (generation === 'e') return defined({ mode });
	if (generation === 'w1') return defined({ mode, environmentId });
	if (generation === 'w2') return defined({ ...session } as IDataObject);
	// auto: W1 as the live docs.webrun.ai site names the environment (`profileId`) too.
	return defined({ ...session, profileId: environmentId } as IDataObject);
}

/** Session settings that only W2 documents (W1 pages show `environmentId` alone). */
const W2_SESSION: Array<keyof SessionSpec> = ['policyId', 'proxy', 'reachOutMode'];

/**
 * The settings a strict format has no field for, by their TaskSpec / SessionSpec names: a strict
 * body would drop them silently, so the node refuses them before sending. `auto` sends every
 * field (a server of one generation ignores the others' fields, see the header).
 */
export function unsupportedIn(
	format: ApiFormat,
	task: Partial<TaskSpec> | undefined,
	session: SessionSpec,
): string[] {
	const set = (value: unknown) => value !== undefined;
	const out: string[] = [];
	if (format === 'e') {
		for (const key of NOT_IN_E) if (task && set(task[key as keyof TaskSpec])) out.push(key);
		for (const key of ['environmentId', ...W2_SESSION] as const) {
			if (set(session[key])) out.push(key);
		}
	} else if (format === 'w1') {
		for (const key of W2_SESSION) if (set(session[key])) out.push(key);
	} else if (format === 'w2') {
		if (task?.avoidDomains !== undefined) out.push('avoidDomains');
	}
	return out;
}

/** POST /start/run-task */
export function runTaskBody(
	task: TaskSpec,
	session: SessionSpec,
	format: ApiFormat = 'auto',
): IDataObject {
	if (format === 'e') return { ...taskIn(task, 'e', 'startingUrl'), ...sessionIn(session, 'e') };
	if (format === 'w1') return { ...taskIn(task, 'w1', 'startingUrl'), ...sessionIn(session, 'w1') };
	if (format === 'w2')
		return { task: taskIn(task, 'w2', 'startingUrl'), ...sessionIn(session, 'w2') };
	// auto: flat (E and W1, with W1's startingPoint alias) + task{} (W2) + every session field.
	return {
		...taskIn(task, 'w1', 'startingUrl'),
		...defined({ startingPoint: task.startingUrl }),
		task: taskIn(task, 'w2', 'startingUrl'),
		...sessionIn(session, 'auto'),
	};
}

/** POST /start/start-session, with an optional first task. */
export function startSessionBody(
	task: TaskSpec | undefined,
	session: SessionSpec,
	format: ApiFormat = 'auto',
): IDataObject {
	const base = sessionIn(session, format);
	if (!task) return base;
	if (format === 'e') return { ...taskIn(task, 'e', 'startingUrl'), ...base };
	if (format === 'w1') return { initialTask: taskIn(task, 'w1', 'startingPoint'), ...base };
	if (format === 'w2') return { task: taskIn(task, 'w2', 'startingUrl'), ...base };
	return {
		...taskIn(task, 'e', 'startingUrl'),
		initialTask: taskIn(task, 'w1', 'startingPoint'),
		task: taskIn(task, 'w2', 'startingUrl'),
		...base,
	};
}

/** POST /start/send-message: a new task in a session. */
export function newTaskBody(
	sessionId: string,
	task: TaskSpec,
	format: ApiFormat = 'auto',
): IDataObject {
	const head = { actionType: 'newTask', newState: 'start' };
	let message: IDataObject;
	if (format === 'e') message = taskIn(task, 'e', 'startingUrl');
	else if (format === 'w1') message = taskIn(task, 'w1', 'startingPoint');
	else if (format === 'w2') message = taskIn(task, 'w2', 'startingUrl');
	else {
		message = {
			...taskIn(task, 'w1', 'startingUrl'),
			...defined({ prompt: task.prompt, startingPoint: task.startingUrl }),
		};
	}
	return { sessionId, message: { ...head, ...message } };
}

/** POST /start/send-message: the human's answer to a guardrail; the same task resumes. */
export function guardrailReplyBody(
	sessionId: string,
	answer: string,
	format: ApiFormat = 'auto',
): IDataObject {
	const text: IDataObject =
		format === 'w2'
			? { prompt: answer }
			: format === 'auto'
				? { taskDetails: answer, prompt: answer }
				: { taskDetails: answer };
	return { sessionId, message: { actionType: 'guardrail', ...text, newState: 'resume' } };
}

/** POST /start/send-message: pause, resume, stop or terminate (the same in every generation). */
export function stateBody(sessionId: string, newState: string): IDataObject {
	return { sessionId, message: { actionType: 'state', newState } };
}
