/**
 * Response bodies, per docs generation (docs/webrun-api-notes.md#statuses).
 * 'webrun' = the W shapes (top-level type/data/usage, snake_case usage, status "running").
 * 'enigma' = the E shapes (result{...} inline, status "active" + pending, inputTokens usage).
 */
import type { Engine, TaskRt } from './engine';
import type { Generation } from './types';
import { randomId, round } from './util';

export const PENDING_MESSAGE = 'Task still running. Poll GET /task/:sessionId/:taskId for result.';

export type StartKind = 'run-task' | 'send-message';

interface Usage {
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
	completion_time: number;
	cost: number;
}

function usageOf(engine: Engine, t: TaskRt, now: number): Usage {
	const worked = engine.usageWorked(t, now);
	const full = t.script.durationMs;
	const f = full > 0 ? Math.min(1, worked / full) : 1;
	const u = t.script.usage;
	const prompt = Math.round(u.prompt_tokens * f);
	const completion = Math.round(u.completion_tokens * f);
	return {
		prompt_tokens: prompt,
		completion_tokens: completion,
		total_tokens: prompt + completion,
		completion_time: round(worked / 1000, 1),
		cost: engine.costOf(t, now),
	};
}

/** W data.files: the script's files, then one entry per scripted download. */
function filesOf(t: TaskRt): unknown[] {
	return t.downloadFiles.length ? [...t.script.files, ...t.downloadFiles] : t.script.files;
}

function enigmaUsage(u: Usage) {
	return {
		inputTokens: u.prompt_tokens,
		outputTokens: u.completion_tokens,
		computeTime: u.completion_time,
		cost: u.cost,
	};
}

function networkOf(t: TaskRt): unknown[] {
	if (t.script.network) return t.script.network;
	if (!t.network) {
		const url =
			t.startingUrl ||
			`https://www.google.com/search?q=${encodeURIComponent(t.cleanText.slice(0, 60))}`;
		const ts = (t.pub.startedAt ?? t.pub.createdAt) + 0.646;
		t.network = [{ id: randomId(5), taskId: t.pub.taskId, urls: [{ url, timestamp: ts }] }];
	}
	return t.network;
}

function ids(t: TaskRt) {
	return { sessionId: t.pub.sessionId, taskId: t.pub.taskId };
}

export function pollUrl(base: string, t: TaskRt): string {
	return `${base}/task/${encodeURIComponent(t.pub.sessionId)}/${encodeURIComponent(t.pub.taskId)}`;
}

/** Not documented: the W failed layout without code, with the usage frozen at the stop. */
function terminatedBody(gen: Generation, engine: Engine, t: TaskRt, now: number) {
	const u = usageOf(engine, t, now);
	return {
		success: false,
		...ids(t),
		status: 'terminated',
		error: 'Session terminated',
		usage: gen === 'webrun' ? u : enigmaUsage(u),
	};
}

function guardrailData(t: TaskRt) {
	const g = t.waitingGuardrail ?? t.pub.guardrailsFired[t.pub.guardrailsFired.length - 1];
	return { type: g?.type ?? 'human_input_needed', value: g?.value ?? '' };
}

function failedBody(gen: Generation, engine: Engine, t: TaskRt, now: number, withIds: boolean) {
	const u = usageOf(engine, t, now);
	if (gen === 'webrun') {
		return {
			success: false,
			...ids(t),
			status: 'failed',
			error: t.failError,
			code: t.failCode,
			usage: u,
		};
	}
	return {
		success: false,
		...(withIds ? ids(t) : {}),
		status: 'failed',
		error: t.failError,
		code: t.failCode,
		usage: enigmaUsage(u),
	};
}

/** GET /task/:sessionId/:taskId body (always HTTP 200 for a known task). */
export function pollBody(gen: Generation, engine: Engine, t: TaskRt, now: number): unknown {
	switch (t.pub.state) {
		case 'running': {
			const u = usageOf(engine, t, now);
			if (gen === 'webrun') return { success: true, ...ids(t), status: 'running', usage: u };
			return { success: true, status: 'active', pending: true, usage: enigmaUsage(u) };
		}
		case 'guardrail':
			// documented without ids in every generation
			return { success: true, type: 'guardrail_trigger', data: guardrailData(t) };
		case 'completed': {
			const u = usageOf(engine, t, now);
			const completedAt = new Date(Math.round(t.pub.endedAt ?? now)).toISOString();
			if (gen === 'webrun') {
				return {
					success: true,
					...ids(t),
					type: 'task_completed',
					data: { message: t.script.message, files: filesOf(t), network: networkOf(t) },
					usage: u,
					completedAt,
				};
			}
			return {
				success: true,
				type: 'task_completed',
				data: {
					message: t.script.message,
					prompt_tokens: u.prompt_tokens,
					completion_tokens: u.completion_tokens,
					total_tokens: u.total_tokens,
					completion_time: u.completion_time,
				},
				usage: enigmaUsage(u),
				completedAt,
			};
		}
		case 'failed':
			return failedBody(gen, engine, t, now, false);
		case 'terminated':
			return terminatedBody(gen, engine, t, now);
	}
}

/** Answer of run-task / send-message newTask once the hold is over. */
export function startReply(
	gen: Generation,
	kind: StartKind,
	engine: Engine,
	t: TaskRt,
	now: number,
	baseUrl: string,
	inlineGuardrail: 'inline' | 'pending',
): unknown {
	const state = t.pub.state;
	if (state === 'running' || (state === 'guardrail' && inlineGuardrail === 'pending')) {
		if (gen === 'enigma' && kind === 'send-message') {
			return {
				success: true,
				...ids(t),
				pending: true,
				pollUrl: pollUrl(baseUrl, t),
				message: PENDING_MESSAGE,
			};
		}
		return {
			success: true,
			...ids(t),
			status: 'pending',
			pollUrl: pollUrl(baseUrl, t),
			message: PENDING_MESSAGE,
		};
	}
	if (state === 'guardrail') {
		// Not documented: mirror each generation's inline layout.
		if (gen === 'webrun')
			return { success: true, ...ids(t), type: 'guardrail_trigger', data: guardrailData(t) };
		return {
			success: true,
			...ids(t),
			result: { type: 'guardrail_trigger', data: guardrailData(t) },
		};
	}
	if (state === 'failed') return failedBody(gen, engine, t, now, true);
	if (state === 'terminated') return terminatedBody(gen, engine, t, now);
	// completed
	const u = usageOf(engine, t, now);
	if (gen === 'webrun') {
		return {
			success: true,
			...ids(t),
			type: 'task_completed',
			data: { message: t.script.message, files: filesOf(t), network: networkOf(t) },
			usage: u,
		};
	}
	if (kind === 'run-task') {
		return {
			success: true,
			...ids(t),
			status: 'complete',
			result: {
				type: 'task_completed',
				data: {
					message: t.script.message,
					completion_time: u.completion_time,
					prompt_tokens: u.prompt_tokens,
					completion_tokens: u.completion_tokens,
					total_tokens: u.total_tokens,
				},
				usage: { cost: u.cost },
			},
		};
	}
	return {
		success: true,
		...ids(t),
		result: {
			type: 'task_completed',
			data: {
				message: t.script.message,
				prompt_tokens: u.prompt_tokens,
				completion_tokens: u.completion_tokens,
				total_tokens: u.total_tokens,
			},
		},
	};
}

export function modelsBody(gen: Generation): unknown {
	return {
		object: 'list',
		data: [
			gen === 'webrun'
				? { id: 'webrun-browser-1', object: 'model', created: 1704067200, owned_by: 'webrun' }
				: { id: 'enigma-browser-1', object: 'model', created: 1704067200, owned_by: 'enigma' },
		],
	};
}

export function streamingOf(gen: Generation, sessionId: string) {
	const dimensions = { width: 1024, height: 600 };
	if (gen === 'webrun') {
		return {
			webRTCURL: `https://${sessionId}.webrun.ai/whep`,
			webViewURL: `https://${sessionId}.webrun.ai`,
			dimensions,
		};
	}
	return {
		webRTCURL: `https://74.235.190.31:8889/${sessionId}/whep`,
		webViewURL: `https://74.235.190.31:8889/${sessionId}`,
		dimensions,
	};
}
