import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { ItemContext } from '../../helpers/itemContext';
import { sendStart } from '../../helpers/startRequest';
import { followTask, taskResult } from '../../helpers/taskResult';
import { waitForTask } from '../../helpers/waitForTask';
import { sessionIdField, taskDetailsField, taskIdField } from '../common/fields';
import { readId, readOptions, readText } from '../common/options';
import type { Operation } from '../types';

const show = (messageType: string) => ({ show: { operation: ['sendMessage'], messageType: [messageType] } });

export const description: INodeProperties[] = [
	sessionIdField(['sendMessage'], 'The session to send the message to, for example from Start Session'),
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Guardrail Response',
				value: 'guardrailResponse',
				description: "Answer an agent that asked for a human (a guardrail); the same task resumes",
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
	taskIdField(show('guardrailResponse'), 'The task that is waiting for the answer, e.g. {{ $json.taskId }} from the Guardrail output'),
	{
		displayName: 'Response',
		name: 'guardrailResponse',
		type: 'string',
		typeOptions: { rows: 3 },
		required: true,
		default: '',
		placeholder: 'Username: jane@example.com, Password: …',
		description: "The human's answer to the agent's question. The task resumes where it stopped and the node waits for it again.",
		displayOptions: show('guardrailResponse'),
	},
];

export const sendMessage: Operation = {
	description,
	prepare(this: IExecuteFunctions, itemIndex: number) {
		const sessionId = readId(this, 'sessionId', itemIndex);
		const messageType = this.getNodeParameter('messageType', itemIndex, 'newTask') as string;
		const { taskFields, settings, concurrency, includeRawResponse } = readOptions(this, itemIndex, 'sendMessage');

		if (messageType === 'guardrailResponse') {
			const taskId = readId(this, 'taskId', itemIndex);
			const answer = readText(this, 'guardrailResponse', 'Response', itemIndex);
			return {
				concurrency,
				run: async (client) => {
					const item = new ItemContext(client, 'Send Message', itemIndex, settings);
					item.sessionId = sessionId;
					item.taskId = taskId;
					await sendStart(item, '/start/send-message', {
						sessionId,
						message: { actionType: 'guardrail', taskDetails: answer, newState: 'resume' },
					});
					const budget = client.budget;
					budget.taskStarted();
					try {
						const task = await waitForTask(item, { sessionId, taskId });
						return taskResult(item, task, includeRawResponse);
					} finally {
						budget.taskEnded();
					}
				},
			};
		}

		const taskDetails = readText(this, 'taskDetails', 'Task', itemIndex);
		return {
			concurrency,
			run: async (client) => {
				const item = new ItemContext(client, 'Send Message', itemIndex, settings);
				item.sessionId = sessionId;
				const response = await sendStart(item, '/start/send-message', {
					sessionId,
					message: { actionType: 'newTask', newState: 'start', taskDetails, ...taskFields },
				});
				const task = await followTask(item, response.body);
				return taskResult(item, task, includeRawResponse);
			},
		};
	},
};
