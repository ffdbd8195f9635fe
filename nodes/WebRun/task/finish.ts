import type { IDataObject } from 'n8n-workflow';

import type { ItemContext } from './context';
import type { DownloadSettings } from './files';
import { downloadTaskFiles } from './files';
import type { NormalizedTask } from './read';
import { normalizeSession, taskFields } from './read';
import type { ItemResult } from './result';
import { makeResult } from './result';
import type { OutputFormat } from './structured';
import { applyOutputFormat } from './structured';

/** How a task's item is made: the raw answer, its Output Format, Download Files, extra fields. */
export interface ItemSteps {
	includeRaw: boolean;
	format?: OutputFormat;
	download?: DownloadSettings;
	/** Fields added to the item (Start Session's session fields). */
	extra?: IDataObject;
	/** Answers that may name the session's live view (some servers send it on starts only). */
	answers?: unknown[];
}

/**
 * The guardrail item carries the session's `liveViewUrl` when WebRun sent one
 * (docs/webrun-api-notes.md#guardrails), so the person who answers can watch or take over the
 * browser: the first answer that has one wins.
 */
function liveView(task: NormalizedTask, answers: unknown[]): IDataObject {
	if (task.state !== 'guardrail') return {};
	for (const body of answers) {
		const { liveViewUrl } = normalizeSession(body);
		if (liveViewUrl) return { liveViewUrl };
	}
	return {};
}

/**
 * The item of a followed task, in one place for every operation: the task's fields (taskFields),
 * Completed or Guardrail,
 * then, for completed tasks, `output` from the answer (an answer that does not match fails the
 * item, before any download), then the files as binary data. Secrets are removed afterwards, from
 * the finished item (actions/emitOutputs.ts): a download needs its link as the server gave it.
 */
export async function finishTask(
	item: ItemContext,
	task: NormalizedTask,
	steps: ItemSteps,
): Promise<ItemResult> {
	const answers = [...(steps.answers ?? []), item.lastRaw];
	const ids = { sessionId: item.sessionId, taskId: item.taskId };
	const json = { ...taskFields(task, ids), ...liveView(task, answers), ...steps.extra };
	const result = makeResult(item, json, steps.includeRaw, task.state === 'guardrail' ? 1 : 0);
	const withOutput = applyOutputFormat(item, result, steps.format);
	return await downloadTaskFiles(item, withOutput, steps.download);
}
