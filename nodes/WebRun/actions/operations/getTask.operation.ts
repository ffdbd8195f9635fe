import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ItemContext } from '../../task/context';
import { finishTask } from '../../task/finish';
import type { DownloadSettings } from '../../task/files';
import type { ItemResult } from '../../task/result';
import { waitForTask } from '../../task/wait';
import { readId, sessionIdField, taskIdField } from '../fields';
import { readOptions } from '../options/collection';
import type { PreparedBase } from '../types';

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

export interface GetTaskItem extends PreparedBase {
	operation: 'getTask';
	sessionId: string;
	taskId: string;
	waitForCompletion: boolean;
	includeRaw: boolean;
	download?: DownloadSettings;
}

/** Reads and validates one Get Task item. */
export function readGetTask(ctx: IExecuteFunctions, itemIndex: number): GetTaskItem {
	const sessionId = readId(ctx, 'sessionId', itemIndex);
	const taskId = readId(ctx, 'taskId', itemIndex);
	const waitForCompletion = ctx.getNodeParameter('waitForCompletion', itemIndex, true) as boolean;
	const options = readOptions(ctx, itemIndex, { operation: 'getTask', guardrailResponse: false });
	return {
		operation: 'getTask',
		settings: options.settings,
		sessionId,
		taskId,
		waitForCompletion,
		includeRaw: options.includeRawResponse,
		download: options.files.download,
	};
}

/** Reads the task once, or waits until it completes or needs a human. */
export async function getTask(item: ItemContext, input: GetTaskItem): Promise<ItemResult> {
	const task = await waitForTask(item, {
		sessionId: input.sessionId,
		taskId: input.taskId,
		pollImmediately: true,
		once: !input.waitForCompletion,
	});
	return await finishTask(item, task, { includeRaw: input.includeRaw, download: input.download });
}
