import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { inputError, unexpectedResponseError } from '../../errors';
import { uploadAttachments } from '../../task/files';
import { taskItem } from '../../task/finish';
import { adoptIds, followTask } from '../../task/follow';
import { normalizeSession, normalizeTaskResponse } from '../../task/read';
import { itemResult } from '../../task/result';
import { sendStart } from '../../task/start';
import { terminateOnCancel } from '../../task/stop';
import { startSessionBody } from '../../transport/requests';
import { taskDetailsField } from '../common/fields';
import { readOptions, readTextValue } from '../common/options';
import { outputFormatFields, readOutputFormat } from '../common/outputFormat';
import { checkApiFormat, secretValues } from '../common/sessionOptions';
import type { Operation } from '../types';

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
	...outputFormatFields({ operation: ['startSession'] }),
];

export const startSession: Operation = {
	label: 'Start Session',
	outputs: 2,
	description,
	prepare(this: IExecuteFunctions, itemIndex: number) {
		const prompt = readTextValue(this, 'taskDetails', 'First Task', itemIndex);
		const output = readOutputFormat(this, itemIndex);
		const options = readOptions(this, itemIndex, 'startSession');
		const { session, settings, includeRawResponse, files } = options;
		if (!prompt && (output.format || files.attach)) {
			throw inputError(
				this.getNode(),
				itemIndex,
				`${output.format ? 'Output Format' : 'Attach Files'} needs a First Task`,
				'Enter a First Task, or set Output Format to Text and remove Attach Files.',
			);
		}
		// Attach Files: the fileIds come from the upload, just before the start.
		const task = { ...options.task, ...output.task, ...(files.attach ? { files: [] } : {}) };
		const firstTask = prompt ? { prompt, ...task } : undefined;
		return {
			settings,
			secrets: secretValues(task, session),
			check: (format) => checkApiFormat(this, itemIndex, format, firstTask, session),
			run: async (item) => {
				const fileIds = await uploadAttachments(item, files.attach);
				const spec = firstTask && { ...firstTask, files: fileIds };
				const body = startSessionBody(spec, session, item.client.apiFormat);
				const response = await sendStart(item, '/start/start-session', body);
				const { sessionId, taskId, ...sessionFields } = normalizeSession(response.body);
				if (!sessionId) throw unexpectedResponseError(item, 'the answer has no session ID');
				// The session is the node's own: stopped with the execution, and when its answer
				// cannot be followed (an invalid task ID, a status the node does not know).
				return await terminateOnCancel(item, async () => {
					// Without a first task, a task ID would not be used: only the session's is checked.
					adoptIds(item, { sessionId, taskId: prompt ? taskId : undefined });
					const first = normalizeTaskResponse(response.body);
					// Without a first task, or (WebRun documents no task ID for it) without an ID to
					// follow it while it runs, the session is returned at once; Send Message goes on.
					const followable =
						taskId ||
						first.state === 'completed' ||
						first.state === 'guardrail' ||
						first.unknownStatus !== undefined;
					if (!prompt || !followable) {
						const status = prompt ? 'running' : 'started';
						return itemResult(item, { status, sessionId, ...sessionFields }, includeRawResponse);
					}
					return await taskItem(item, await followTask(item, response.body), {
						includeRaw: includeRawResponse,
						format: output.format,
						download: files.download,
						extra: sessionFields as IDataObject,
					});
				});
			},
		};
	},
};
