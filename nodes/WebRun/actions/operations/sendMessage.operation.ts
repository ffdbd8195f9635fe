import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ItemContext } from '../../task/context';
import { uploadAttachments } from '../../task/files';
import { finishTask } from '../../task/finish';
import { followRunning, followTask } from '../../task/follow';
import type { ItemResult } from '../../task/result';
import { sendStart } from '../../task/start';
import type { OutputFormat } from '../../task/structured';
import type { TaskSpec } from '../../transport/requests';
import { guardrailReplyBody, newTaskBody } from '../../transport/requests';
import { readId, readText, sessionIdField, taskDetailsField, taskIdField } from '../fields';
import type { FileOptions } from '../options/files';
import { readOptions, taskSettings } from '../options/collection';
import { outputFormatFields, readOutputFormat } from '../options/outputFormat';
import { secretValues } from '../options/secrets';
import type { PreparedBase } from '../types';

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
				action: 'Answer guardrail',
			},
			{
				name: 'New Task',
				value: 'newTask',
				description: 'Give the session its next task',
				action: 'Send new task',
			},
		],
		default: 'newTask',
		displayOptions: { show: { operation: ['sendMessage'] } },
	},
	taskDetailsField(show('newTask'), {
		placeholder: 'Search for "wireless keyboard" and list the top 3 results with prices',
		description: 'What the agent should do next in this session, in plain language',
	}),
	...outputFormatFields('sendMessage'),
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

/** A new task for the session, or the answer to a guardrail (the same task then resumes). */
export type SendMessageItem = PreparedBase & {
	operation: 'sendMessage';
	sessionId: string;
	includeRaw: boolean;
	files: FileOptions;
} & (
		| { taskId: string; answer: string }
		| { taskId?: undefined; prompt: string; task: Omit<TaskSpec, 'prompt'>; format?: OutputFormat }
	);

/** Reads and validates one Send Message item. */
export function readSendMessage(ctx: IExecuteFunctions, itemIndex: number): SendMessageItem {
	const sessionId = readId(ctx, 'sessionId', itemIndex);
	const messageType = ctx.getNodeParameter('messageType', itemIndex, 'newTask') as string;
	const guardrailResponse = messageType === 'guardrailResponse';
	const at = { operation: 'sendMessage', guardrailResponse } as const;
	const options = readOptions(ctx, itemIndex, at);
	const { settings, files } = options;
	const common = {
		operation: 'sendMessage',
		sessionId,
		includeRaw: options.includeRawResponse,
		files,
	} as const;
	if (guardrailResponse) {
		const taskId = readId(ctx, 'taskId', itemIndex);
		const answer = readText(ctx, 'guardrailResponse', 'Response', itemIndex);
		return { ...common, settings, taskId, answer };
	}
	const prompt = readText(ctx, 'taskDetails', 'Task', itemIndex);
	const output = readOutputFormat(ctx, itemIndex, at);
	const task = taskSettings(options, output);
	const sends = { task, session: {} };
	return {
		...common,
		settings,
		secrets: secretValues(task),
		sends,
		prompt,
		task,
		format: output.format,
	};
}

/** Sends the message, then follows the task (the new one, or the one that resumes). */
export async function sendMessage(item: ItemContext, input: SendMessageItem): Promise<ItemResult> {
	const { sessionId } = input;
	item.sessionId = sessionId;
	if (input.taskId !== undefined) {
		const { taskId } = input;
		item.taskId = taskId;
		const body = guardrailReplyBody(sessionId, input.answer, item.client.apiFormat);
		const response = await sendStart(item, '/start/send-message', body);
		// The same task resumes: wait for it again.
		const result = await followRunning(item, { sessionId, taskId });
		return await finishTask(item, result, {
			includeRaw: input.includeRaw,
			download: input.files.download,
			answers: [response.body],
		});
	}
	const fileIds = await uploadAttachments(item, input.files.attach);
	const spec = { prompt: input.prompt, ...input.task, files: fileIds };
	const body = newTaskBody(sessionId, spec, item.client.apiFormat);
	const response = await sendStart(item, '/start/send-message', body);
	return await finishTask(item, await followTask(item, response.body), {
		includeRaw: input.includeRaw,
		format: input.format,
		download: input.files.download,
		answers: [response.body],
	});
}
