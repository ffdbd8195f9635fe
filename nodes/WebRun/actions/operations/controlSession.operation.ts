import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { inputError } from '../../errors';
import { itemResult } from '../../task/result';
import { sendStart } from '../../task/start';
import { stateBody } from '../../transport/requests';
import { sessionIdField } from '../common/fields';
import { readId, readOptions } from '../common/options';
import type { Operation } from '../types';

export const description: INodeProperties[] = [
	sessionIdField(['controlSession'], 'The session to control'),
	{
		displayName: 'Action',
		name: 'action',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Pause',
				value: 'pause',
				description: 'The agent finishes its current step, then waits',
				action: 'Pause a session',
			},
			{
				name: 'Resume',
				value: 'resume',
				description: 'Continue a paused task where it stopped',
				action: 'Resume a session',
			},
			{
				name: 'Stop',
				value: 'stop',
				description: 'End the current task; the session stays open for a new task',
				action: 'Stop the current task of a session',
			},
			{
				name: 'Terminate',
				value: 'terminate',
				description: 'End the whole session and its browser, so it stops costing money',
				action: 'Terminate a session',
			},
		],
		default: 'terminate',
		displayOptions: { show: { operation: ['controlSession'] } },
	},
];

const ACTIONS = ['pause', 'resume', 'stop', 'terminate'];

export const controlSession: Operation = {
	label: 'Control Session',
	outputs: 1,
	description,
	prepare(this: IExecuteFunctions, itemIndex: number) {
		const sessionId = readId(this, 'sessionId', itemIndex);
		const action = this.getNodeParameter('action', itemIndex, 'terminate') as string;
		if (!ACTIONS.includes(action)) {
			throw inputError(
				this.getNode(),
				itemIndex,
				`Unknown action "${action}"`,
				'Choose Pause, Resume, Stop or Terminate.',
			);
		}
		const { settings, includeRawResponse } = readOptions(this, itemIndex, 'controlSession');
		return {
			settings,
			run: async (item) => {
				item.sessionId = sessionId;
				const response = await sendStart(item, '/start/send-message', stateBody(sessionId, action));
				const body = (response.body ?? {}) as IDataObject;
				const json: IDataObject = { sessionId, action, success: body.success !== false };
				if (typeof body.message === 'string') json.message = body.message;
				return itemResult(item, json, includeRawResponse);
			},
		};
	},
};
