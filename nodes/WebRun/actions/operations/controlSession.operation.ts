import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { inputError } from '../../errors';
import type { ItemContext } from '../../task/context';
import type { ItemResult } from '../../task/result';
import { makeResult } from '../../task/result';
import { sendStart } from '../../task/start';
import { stateBody } from '../../transport/requests';
import { readId, sessionIdField } from '../fields';
import { readOptions } from '../options/collection';
import type { PreparedBase } from '../types';

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
				action: 'Pause session',
			},
			{
				name: 'Resume',
				value: 'resume',
				description: 'Continue a paused task where it stopped',
				action: 'Resume session',
			},
			{
				name: 'Stop',
				value: 'stop',
				description: 'End the current task; the session stays open for a new task',
				action: 'Stop current task of session',
			},
			{
				name: 'Terminate',
				value: 'terminate',
				description: 'End the whole session and its browser, so it stops costing money',
				action: 'Terminate session',
			},
		],
		default: 'terminate',
		displayOptions: { show: { operation: ['controlSession'] } },
	},
];

const ACTIONS = ['pause', 'resume', 'stop', 'terminate'];

export interface ControlSessionItem extends PreparedBase {
	operation: 'controlSession';
	sessionId: string;
	action: string;
	includeRaw: boolean;
}

/** Reads and validates one Control Session item. */
export function readControlSession(ctx: IExecuteFunctions, itemIndex: number): ControlSessionItem {
	const sessionId = readId(ctx, 'sessionId', itemIndex);
	const action = ctx.getNodeParameter('action', itemIndex, 'terminate') as string;
	if (!ACTIONS.includes(action)) {
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`Unknown action "${action}"`,
			'Choose Pause, Resume, Stop or Terminate.',
		);
	}
	const at = { operation: 'controlSession', guardrailResponse: false } as const;
	const { settings, includeRawResponse } = readOptions(ctx, itemIndex, at);
	return {
		operation: 'controlSession',
		settings,
		sessionId,
		action,
		includeRaw: includeRawResponse,
	};
}

/** Sends the action to the session; the item says whether WebRun accepted it. */
export async function controlSession(
	item: ItemContext,
	input: ControlSessionItem,
): Promise<ItemResult> {
	const { sessionId, action } = input;
	item.sessionId = sessionId;
	const response = await sendStart(item, '/start/send-message', stateBody(sessionId, action));
	const body = (response.body ?? {}) as IDataObject;
	const json: IDataObject = { sessionId, action, success: body.success !== false };
	if (typeof body.message === 'string') json.message = body.message;
	return makeResult(item, json, input.includeRaw);
}
