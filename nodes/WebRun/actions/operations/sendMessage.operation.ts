import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { uploadAttachments } from '../../task/files';
import { taskItem } from '../../task/finish';
import { followRunning, followTask } from '../../task/follow';
import { sendStart } from '../../task/start';
import { guardrailReplyBody, newTaskBody } from '../../transport/requests';
import { sessionIdField, taskDetailsField, taskIdField } from '../common/fields';
import { readId, readOptions, readText } from '../common/options';
import { outputFormatFields, readOutputFormat } from '../common/outputFormat';
import { checkApiFormat, secretValues } from '../common/sessionOptions';
import type { Operation } from '../types';

const show = (messageType: string) => ({
	show: { operation: ['sendMessage'], messageType: [messageType] },
});

export const description: INodeProperties[] = [
	sessionIdField(
		['sendMessage'],
		'The session to send the message to, for example from Start Session',
	),
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Guardrail Response',
				value: 'guardrailResponse',
				description: 'Answer an agent that asked for a human (a guardrail); the same task resumes',
				action: 'Answer a guardrail',
			},
			{
				name: 'New Task',
				value: 'newTask',
				description: 'Give the session its next task',
				action: 'Send a new task',
			},
		],
		default: 'newTask',
		displayOptions: { show: { operation: ['sendMessage'] } },
	},
	taskDetailsField(show('newTask'), {
		placeholder: 'Search for "wireless keyboard" and list the top 3 results with prices',
		description: 'What the agent should do next in this session, in plain language',
	}),
	...outputFormatFields({ operation: ['sendMessage'], messageType: ['newTask'] }),
	taskIdField(
		show('guardrailResponse'),
		'The task that is waiting for the answer, e.g. {{ $json.taskId }} from the Guardrail output',
	),
	{
		displayName: 'Response',
		name: 'guardrailResponse',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		placeholder: 'e.g. I signed in through the live view; continue',
		description:
			"The human's answer to the agent's question. The task resumes where it stopped and the node waits for it again. Do not type passwords here: this text is not hidden. Put logins in the Secrets option of the task (Run Task, or Send Message → New Task) instead.",
		displayOptions: show('guardrailResponse'),
	},
];

export const sendMessage: Operation = {
	label: 'Send Message',
	outputs: 2,
	description,
	prepare(this: IExecuteFunctions, itemIndex: number) {
		const sessionId = readId(this, 'sessionId', itemIndex);
		const messageType = this.getNodeParameter('messageType', itemIndex, 'newTask') as string;
		const options = readOptions(this, itemIndex, 'sendMessage');
		const { settings, includeRawResponse, files } = options;

		if (messageType === 'guardrailResponse') {
			const taskId = readId(this, 'taskId', itemIndex);
			const answer = readText(this, 'guardrailResponse', 'Response', itemIndex);
			return {
				settings,
				run: async (item) => {
					item.sessionId = sessionId;
					item.taskId = taskId;
					const body = guardrailReplyBody(sessionId, answer, item.client.apiFormat);
					const response = await sendStart(item, '/start/send-message', body);
					// The same task resumes: wait for it again.
					const result = await followRunning(item, { sessionId, taskId });
					return await taskItem(item, result, {
						includeRaw: includeRawResponse,
						download: files.download,
						answers: [response.body],
					});
				},
			};
		}

		const prompt = readText(this, 'taskDetails', 'Task', itemIndex);
		const output = readOutputFormat(this, itemIndex);
		// Attach Files: the fileIds come from the upload, just before the start.
		const task = { ...options.task, ...output.task, ...(files.attach ? { files: [] } : {}) };
		return {
			settings,
			secrets: secretValues(task),
			check: (format) => checkApiFormat(this, itemIndex, format, task, {}),
			run: async (item) => {
				item.sessionId = sessionId;
				const fileIds = await uploadAttachments(item, files.attach);
				const spec = { prompt, ...task, files: fileIds };
				const body = newTaskBody(sessionId, spec, item.client.apiFormat);
				const response = await sendStart(item, '/start/send-message', body);
				return await taskItem(item, await followTask(item, response.body), {
					includeRaw: includeRawResponse,
					format: output.format,
					download: files.download,
					answers: [response.body],
				});
			},
		};
	},
};
