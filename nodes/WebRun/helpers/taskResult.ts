import type { IDataObject } from 'n8n-workflow';

import type { ItemResult } from '../actions/types';
import { taskEndedError, unexpectedResponseError } from './errors';
import type { ItemContext } from './itemContext';
import type { NormalizedTask } from './normalize';
import { normalizeTaskResponse, taskToItem } from './normalize';
import { waitForTask } from './waitForTask';

/**
 * Follows a task from the answer of its starting request to a terminal state: an inline result
 * is used as it is (no poll at all), a pending one is handed to the shared wait loop. Failed and
 * terminated tasks throw. The task counts as one of this execution's running tasks meanwhile.
 */
export async function followTask(item: ItemContext, startBody: unknown): Promise<NormalizedTask> {
	const first = normalizeTaskResponse(startBody);
	item.sessionId = first.sessionId ?? item.sessionId;
	item.taskId = first.taskId ?? item.taskId;
	const budget = item.client.budget;
	if (first.state === 'failed' || first.state === 'terminated' || first.state === 'completed') {
		// Ended inline: its session may be free again for items waiting on the session limit.
		budget.sessionFreed();
	}
	if (first.state === 'failed' || first.state === 'terminated') {
		throw taskEndedError(item, first.state, first);
	}
	if (first.state === 'completed' || first.state === 'guardrail') return first;
	if (!item.sessionId || !item.taskId) {
		throw unexpectedResponseError(item, 'the task is still running but the answer has no session or task ID to follow it');
	}
	budget.taskStarted();
	try {
		return await waitForTask(item, { sessionId: item.sessionId, taskId: item.taskId, pollUrl: first.pollUrl });
	} finally {
		budget.taskEnded();
	}
}

/** Builds the output item of a task: Completed, or Guardrail for a guardrail. */
export function taskResult(
	item: ItemContext,
	task: NormalizedTask,
	includeRaw: boolean,
	extra: IDataObject = {},
): ItemResult {
	const json: IDataObject = { ...taskToItem(task, { sessionId: item.sessionId, taskId: item.taskId }), ...extra };
	if (includeRaw && item.lastRaw !== undefined) json.raw = item.lastRaw as IDataObject;
	return { output: task.state === 'guardrail' ? 1 : 0, json: item.client.redact(json) };
}
