import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { followTask } from '../../task/follow';
import { taskResult } from '../../task/result';
import { sendStart } from '../../task/start';
import { terminateOnCancel } from '../../task/stop';
import { runTaskBody } from '../../transport/requests';
import { taskDetailsField } from '../common/fields';
import { guardrailExtra } from '../common/liveView';
import { readOptions, readText } from '../common/options';
import { checkApiFormat, secretValues } from '../common/sessionOptions';
import type { Operation } from '../types';

export const description: INodeProperties[] = [
	taskDetailsField(
		{ show: { operation: ['runTask'] } },
		{
			placeholder: 'Go to amazon.com and list the top 3 wireless keyboards with their prices',
			description:
				'What the agent should do, in plain language. It runs in a new browser session that closes when the task ends.',
		},
	),
];

export const runTask: Operation = {
	label: 'Run Task',
	outputs: 2,
	description,
	prepare(this: IExecuteFunctions, itemIndex: number) {
		const prompt = readText(this, 'taskDetails', 'Task', itemIndex);
		const { task, session, settings, includeRawResponse } = readOptions(this, itemIndex, 'runTask');
		return {
			settings,
			secrets: secretValues(task, session),
			check: (format) => checkApiFormat(this, itemIndex, format, task, session),
			// The session is the node's own: stopped with the execution.
			run: async (item) =>
				await terminateOnCancel(item, async () => {
					const body = runTaskBody({ prompt, ...task }, session, item.client.apiFormat);
					const response = await sendStart(item, '/start/run-task', body);
					const result = await followTask(item, response.body);
					const extra = guardrailExtra(result, response.body, item.lastRaw);
					return taskResult(item, result, includeRawResponse, extra);
				}),
		};
	},
};
