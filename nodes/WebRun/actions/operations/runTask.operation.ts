import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ItemContext } from '../../task/context';
import { uploadAttachments } from '../../task/files';
import { finishTask } from '../../task/finish';
import { followTask } from '../../task/follow';
import type { ItemResult } from '../../task/result';
import { sendStart } from '../../task/start';
import { terminateOnCancel } from '../../task/stop';
import type { OutputFormat } from '../../task/structured';
import type { SessionSpec, TaskSpec } from '../../transport/requests';
import { runTaskBody } from '../../transport/requests';
import { readText, taskDetailsField } from '../fields';
import type { FileOptions } from '../options/files';
import { readOptions, taskSettings } from '../options/collection';
import { outputFormatFields, readOutputFormat } from '../options/outputFormat';
import { secretValues } from '../options/secrets';
import type { PreparedBase } from '../types';

export const description: INodeProperties[] = [
	taskDetailsField(
		{ show: { operation: ['runTask'] } },
		{
			placeholder: 'Go to amazon.com and list the top 3 wireless keyboards with their prices',
			description:
				'What the agent should do, in plain language. It runs in a new browser session that closes when the task ends.',
		},
	),
	...outputFormatFields('runTask'),
];

export interface RunTaskItem extends PreparedBase {
	operation: 'runTask';
	prompt: string;
	task: Omit<TaskSpec, 'prompt'>;
	session: SessionSpec;
	format?: OutputFormat;
	includeRaw: boolean;
	files: FileOptions;
}

/** Reads and validates one Run Task item. */
export function readRunTask(ctx: IExecuteFunctions, itemIndex: number): RunTaskItem {
	const at = { operation: 'runTask', guardrailResponse: false } as const;
	const prompt = readText(ctx, 'taskDetails', 'Task', itemIndex);
	const output = readOutputFormat(ctx, itemIndex, at);
	const options = readOptions(ctx, itemIndex, at);
	const { session, settings, files } = options;
	const task = taskSettings(options, output);
	return {
		operation: 'runTask',
		settings,
		secrets: secretValues(task, session),
		sends: { task, session },
		prompt,
		task,
		session,
		format: output.format,
		includeRaw: options.includeRawResponse,
		files,
	};
}

/** Starts the task in a new session and follows it to its item. */
export async function runTask(item: ItemContext, input: RunTaskItem): Promise<ItemResult> {
	// The session is the node's own: stopped with the execution.
	return await terminateOnCancel(item, async () => {
		const fileIds = await uploadAttachments(item, input.files.attach);
		const spec = { prompt: input.prompt, ...input.task, files: fileIds };
		const body = runTaskBody(spec, input.session, item.client.apiFormat);
		const response = await sendStart(item, '/start/run-task', body);
		return await finishTask(item, await followTask(item, response.body), {
			includeRaw: input.includeRaw,
			format: input.format,
			download: input.files.download,
			answers: [response.body],
		});
	});
}
