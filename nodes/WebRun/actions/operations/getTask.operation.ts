import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { taskItem } from '../../task/finish';
import { waitForTask } from '../../task/wait';
import { sessionIdField, taskIdField } from '../common/fields';
import { readId, readOptions } from '../common/options';
import type { Operation } from '../types';

export const description: INodeProperties[] = [
	sessionIdField(['getTask'], 'The session the task runs in'),
	taskIdField(
		{ show: { operation: ['getTask'] } },
		'The task to look up, for example from a Run Task that timed out',
	),
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until the task completes or needs a human. When off, the node returns the current state once (a running task comes out of Completed with status "running").',
		displayOptions: { show: { operation: ['getTask'] } },
	},
];

export const getTask: Operation = {
	label: 'Get Task',
	outputs: 2,
	description,
	prepare(this: IExecuteFunctions, itemIndex: number) {
		const sessionId = readId(this, 'sessionId', itemIndex);
		const taskId = readId(this, 'taskId', itemIndex);
		const waitForCompletion = this.getNodeParameter(
			'waitForCompletion',
			itemIndex,
			true,
		) as boolean;
		const { settings, includeRawResponse, files } = readOptions(this, itemIndex, 'getTask');
		return {
			settings,
			run: async (item) => {
				const task = await waitForTask(item, {
					sessionId,
					taskId,
					pollImmediately: true,
					once: !waitForCompletion,
				});
				return await taskItem(item, task, {
					includeRaw: includeRawResponse,
					download: files.download,
				});
			},
		};
	},
};
