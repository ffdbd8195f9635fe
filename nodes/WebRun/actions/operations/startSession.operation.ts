import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { terminateSession } from '../../helpers/cleanup';
import { unexpectedResponseError } from '../../helpers/errors';
import { ItemContext } from '../../helpers/itemContext';
import { normalizeSession, normalizeTaskResponse } from '../../helpers/normalize';
import { CancelledError } from '../../helpers/sleep';
import { sendStart } from '../../helpers/startRequest';
import { followTask, taskResult } from '../../helpers/taskResult';
import { taskDetailsField } from '../common/fields';
import { readOptions } from '../common/options';
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
];

export const startSession: Operation = {
	description,
	prepare(this: IExecuteFunctions, itemIndex: number) {
		const taskDetails = String(this.getNodeParameter('taskDetails', itemIndex, '') ?? '').trim();
		const { taskFields, settings, concurrency, includeRawResponse } = readOptions(this, itemIndex, 'startSession');
		return {
			concurrency,
			run: async (client) => {
				const item = new ItemContext(client, 'Start Session', itemIndex, settings);
				const body: IDataObject = { ...taskFields };
				if (taskDetails) body.taskDetails = taskDetails;
				const response = await sendStart(item, '/start/start-session', body);
				const session = normalizeSession(response.body);
				if (!session.sessionId) throw unexpectedResponseError(item, 'the answer has no session ID');
				item.sessionId = session.sessionId;
				const { sessionId, taskId, ...sessionFields } = session;
				const extra: IDataObject = { ...sessionFields };

				if (!taskDetails) {
					const json: IDataObject = { status: 'started', sessionId, ...extra };
					if (includeRawResponse) json.raw = response.body as IDataObject;
					return { output: 0, json: client.redact(json) };
				}

				const first = normalizeTaskResponse(response.body);
				if (!taskId && first.state !== 'completed' && first.state !== 'guardrail') {
					// WebRun documents no task ID for a session's first task; without one it cannot be
					// followed. The session is returned so the workflow can go on with Send Message.
					const json: IDataObject = { status: 'running', sessionId, ...extra };
					if (includeRawResponse) json.raw = response.body as IDataObject;
					return { output: 0, json: client.redact(json) };
				}
				item.taskId = taskId;
				let failure: unknown;
				try {
					const task = await followTask(item, response.body);
					return taskResult(item, task, includeRawResponse, extra);
				} catch (error) {
					failure = error;
				}
				if (failure instanceof CancelledError) await terminateSession(client, sessionId);
				// Passed on unchanged (see runTask): thrown after the catch block, not re-thrown raw.
				throw failure;
			},
		};
	},
};
