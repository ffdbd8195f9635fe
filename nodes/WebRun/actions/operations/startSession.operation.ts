import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { inputError, unexpectedResponseError } from '../../errors';
import type { ItemContext } from '../../task/context';
import { uploadAttachments } from '../../task/files';
import { finishTask } from '../../task/finish';
import { adoptIds, followTask } from '../../task/follow';
import { normalizeSession, normalizeTaskResponse } from '../../task/read';
import type { ItemResult } from '../../task/result';
import { makeResult } from '../../task/result';
import { sendStart } from '../../task/start';
import { terminateOnCancel } from '../../task/stop';
import type { OutputFormat } from '../../task/structured';
import type { SessionSpec, TaskSpec } from '../../transport/requests';
import { startSessionBody } from '../../transport/requests';
import { readTextValue, taskDetailsField } from '../fields';
import type { FileOptions } from '../options/files';
import { readOptions, taskSettings } from '../options/collection';
import { outputFormatFields, readOutputFormat } from '../options/outputFormat';
import { secretValues } from '../options/secrets';
import type { PreparedBase } from '../types';

export const description: INodeProperties[] = [
	taskDetailsField(
		{ show: { operation: ['startSession'] } },
		{
			displayName: 'First Task',
			required: false,
			placeholder: 'Go to amazon.com and sign in',
			description:
				'Optional first task for the new session. With a task, the node waits for it like Run Task; without one, it returns the session at once. Send more tasks with Send Message.',
		},
	),
	...outputFormatFields('startSession'),
];

export interface StartSessionItem extends PreparedBase {
	operation: 'startSession';
	/** The First Task with its settings; none opens the session alone. */
	firstTask?: TaskSpec;
	session: SessionSpec;
	format?: OutputFormat;
	includeRaw: boolean;
	files: FileOptions;
}

/** Reads and validates one Start Session item. */
export function readStartSession(ctx: IExecuteFunctions, itemIndex: number): StartSessionItem {
	const at = { operation: 'startSession', guardrailResponse: false } as const;
	const prompt = readTextValue(ctx, 'taskDetails', 'First Task', itemIndex);
	const output = readOutputFormat(ctx, itemIndex, at);
	const options = readOptions(ctx, itemIndex, at, prompt !== '');
	const { session, settings, files } = options;
	if (!prompt && (output.format || files.attach)) {
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`${output.format ? 'Output Format' : 'Attach Files'} needs a First Task`,
			'Enter a First Task, or set Output Format to Text and remove Attach Files.',
		);
	}
	const task = taskSettings(options, output);
	const firstTask = prompt ? { prompt, ...task } : undefined;
	return {
		operation: 'startSession',
		settings,
		secrets: secretValues(task, session),
		sends: { task: firstTask, session },
		firstTask,
		session,
		format: output.format,
		includeRaw: options.includeRawResponse,
		files,
	};
}

/** Opens the session and, with a First Task, follows it like Run Task. */
export async function startSession(
	item: ItemContext,
	input: StartSessionItem,
): Promise<ItemResult> {
	const { firstTask, files } = input;
	const fileIds = await uploadAttachments(item, files.attach);
	const spec = firstTask && { ...firstTask, files: fileIds };
	const body = startSessionBody(spec, input.session, item.client.apiFormat);
	const response = await sendStart(item, '/start/start-session', body);
	const { sessionId, taskId, ...sessionFields } = normalizeSession(response.body);
	if (!sessionId) throw unexpectedResponseError(item, 'the answer has no session ID');
	// The session is the node's own: stopped with the execution, and when its answer
	// cannot be followed (an invalid task ID, a status the node does not know).
	return await terminateOnCancel(item, async () => {
		// Without a first task, a task ID would not be used: only the session's is checked.
		adoptIds(item, { sessionId, taskId: firstTask ? taskId : undefined });
		const first = normalizeTaskResponse(response.body);
		// Without a first task, or (WebRun documents no task ID for it) without an ID to
		// follow it while it runs, the session is returned at once; Send Message goes on.
		const followable =
			taskId ||
			first.state === 'completed' ||
			first.state === 'guardrail' ||
			first.unknownStatus !== undefined;
		if (!firstTask || !followable) {
			const status = firstTask ? 'running' : 'started';
			return makeResult(item, { status, sessionId, ...sessionFields }, input.includeRaw);
		}
		return await finishTask(item, await followTask(item, response.body), {
			includeRaw: input.includeRaw,
			format: input.format,
			download: files.download,
			extra: sessionFields as IDataObject,
		});
	});
}
