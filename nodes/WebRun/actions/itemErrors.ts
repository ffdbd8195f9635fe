import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { WebRunError } from '../errors';
import { CancelledError } from '../sleep';
import type { ItemResult } from '../task/result';
import type { WebRunClient } from '../transport/client';
import { hideSecretParameters } from './options/secrets';

/** What one input item came to: its result, or the error that stopped it. */
export type Outcome = { result: ItemResult } | { error: NodeApiError | NodeOperationError };

function toNodeError(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	if (error instanceof CancelledError) {
		return new NodeOperationError(
			ctx.getNode(),
			'The execution was stopped while WebRun was working',
			{ itemIndex },
		);
	}
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

/** The item's error as n8n shows it; its copy of the node's parameters shows no secret value. */
export function asNodeError(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	const nodeError = toNodeError(ctx, error, itemIndex);
	hideSecretParameters(nodeError);
	return nodeError;
}

/**
 * The item of a failed input under "Continue On Fail". With "Continue" (regular output) it carries
 * the message, description and what is known of the task (session and task ids, failure code), so
 * a later Get Task can pick the task up. With "Continue (using error output)" n8n keeps only the
 * message of an item's `error` (which names the ids) and moves the item to the error output.
 */
export function errorItem(
	client: WebRunClient | undefined,
	error: NodeApiError | NodeOperationError,
	itemIndex: number,
	toErrorOutput: boolean,
): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	Object.assign(json, (error as WebRunError).webRun ?? {});
	const item: INodeExecutionData = {
		json: client ? client.secrets.redact(json) : json,
		pairedItem: { item: itemIndex },
	};
	if (toErrorOutput) item.error = error;
	return item;
}

/**
 * An item that failed before it ran (reading its parameters, the API Format check): without
 * "Continue On Fail" the node stops at once, before any request; with it, the item keeps its error.
 */
export function failItem(
	ctx: IExecuteFunctions,
	outcomes: Outcome[],
	itemIndex: number,
	error: unknown,
): void {
	const nodeError = asNodeError(ctx, error, itemIndex);
	if (!ctx.continueOnFail()) throw nodeError;
	outcomes[itemIndex] = { error: nodeError };
}
