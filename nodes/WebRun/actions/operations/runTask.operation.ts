import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { uploadAttachments } from '../../task/files';
import { taskItem } from '../../task/finish';
import { followTask } from '../../task/follow';
import { sendStart } from '../../task/start';
import { terminateOnCancel } from '../../task/stop';
import { runTaskBody } from '../../transport/requests';
import { taskDetailsField } from '../common/fields';
import { readOptions, readText } from '../common/options';
import { outputFormatFields, readOutputFormat } from '../common/outputFormat';
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
	...outputFormatFields({ operation: ['runTask'] }),
];

export const runTask: Operation = {
	label: 'Run Task',
	outputs: 2,
	description,
	prepare(this: IExecuteFunctions, itemIndex: number) {
		const prompt = readText(this, 'taskDetails', 'Task', itemIndex);
		const output = readOutputFormat(this, itemIndex);
		const options = readOptions(this, itemIndex, 'runTask');
		const { session, settings, includeRawResponse, files } = options;
		// Attach Files: the fileIds come from the upload, just before the start.
		const task = { ...options.task, ...output.task, ...(files.attach ? { files: [] } : {}) };
		return {
			settings,
			secrets: secretValues(task, session),
			check: (format) => checkApiFormat(this, itemIndex, format, task, session),
			// The session is the node's own: stopped with the execution.
			run: async (item) =>
				await terminateOnCancel(item, async () => {
					const fileIds = await uploadAttachments(item, files.attach);
					const spec = { prompt, ...task, files: fileIds };
					const body = runTaskBody(spec, session, item.client.apiFormat);
					const response = await sendStart(item, '/start/run-task', body);
					return await taskItem(item, await followTask(item, response.body), {
						includeRaw: includeRawResponse,
						format: output.format,
						download: files.download,
						answers: [response.body],
					});
				}),
		};
	},
};
