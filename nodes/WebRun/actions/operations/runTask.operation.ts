import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { ItemContext } from '../../helpers/itemContext';
import { CancelledError } from '../../helpers/sleep';
import { sendStart } from '../../helpers/startRequest';
import { followTask, taskResult } from '../../helpers/taskResult';
import { terminateSession } from '../../helpers/cleanup';
import { taskDetailsField } from '../common/fields';
import { readOptions, readText } from '../common/options';
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
	description,
	prepare(this: IExecuteFunctions, itemIndex: number) {
		const taskDetails = readText(this, 'taskDetails', 'Task', itemIndex);
		const { taskFields, settings, concurrency, includeRawResponse } = readOptions(this, itemIndex, 'runTask');
		return {
			concurrency,
			run: async (client) => {
				const item = new ItemContext(client, 'Run Task', itemIndex, settings);
				let failure: unknown;
				try {
					const response = await sendStart(item, '/start/run-task', { taskDetails, ...taskFields });
					const task = await followTask(item, response.body);
					return taskResult(item, task, includeRawResponse);
				} catch (error) {
					failure = error;
				}
				// The session was created by this node: stop it so the user stops paying.
				if (failure instanceof CancelledError && item.sessionId) await terminateSession(client, item.sessionId);
				// Passed on unchanged (already a NodeApiError/NodeOperationError, or the CancelledError the
				// router looks for); thrown after the catch block so it is not a raw re-throw.
				throw failure;
			},
		};
	},
};
