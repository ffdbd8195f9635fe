import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { openAccount } from '../account/registry';
import type { WebRunError } from '../errors';
import type { Secrets } from '../secrets';
import { CancelledError } from '../sleep';
import { ItemContext } from '../task/context';
import { CostGuard } from '../task/cost';
import type { ItemResult } from '../task/result';
import { WebRunClient } from '../transport/client';
import { readConcurrency } from './common/options';
import { hideSecretParameters } from './common/sessionOptions';
import { toolAnswer } from './common/outputFormat';
import { controlSession } from './operations/controlSession.operation';
import { getTask } from './operations/getTask.operation';
import { runTask } from './operations/runTask.operation';
import { sendMessage } from './operations/sendMessage.operation';
import { startSession } from './operations/startSession.operation';
import { runPool } from './pool';
import type { Operation, OperationName, PreparedItem } from './types';

export const operations: Record<OperationName, Operation> = {
	runTask,
	startSession,
	sendMessage,
	controlSession,
	getTask,
};

type Outcome = { result: ItemResult } | { error: NodeApiError | NodeOperationError };

/** When the node runs as an AI agent's tool, only output 0 reaches the agent. */
function isToolMode(ctx: IExecuteFunctions): boolean {
	const withToolCheck = ctx as IExecuteFunctions & { isToolExecution?: () => boolean };
	if (typeof withToolCheck.isToolExecution === 'function' && withToolCheck.isToolExecution())
		return true;
	return /Tool$/.test(ctx.getNode().type);
}

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
function asNodeError(
	ctx: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	const nodeError = toNodeError(ctx, error, itemIndex);
	hideSecretParameters(nodeError);
	return nodeError;
}

/**
 * Removes every secret (the API key, Secrets values, a proxy password; secrets.ts) from
 * everything an error carries out of the node: message, description, context, the server's body,
 * the stack, the details a Continue item shows, and the error's copy of the node's parameters.
 * Done in one place, for every error of every item, before n8n sees the error. The IDs the error
 * names (webRun.sessionId / taskId) are kept intact for a later Get Task.
 */
function redactError(secrets: Secrets, error: NodeApiError | NodeOperationError) {
	const e = error as NodeApiError & {
		messages?: string[];
		errorResponse?: unknown;
		cause?: unknown;
		webRun?: unknown;
	};
	if (secrets.empty) return;
	const keep = secrets.idsIn(e.webRun, e.context);
	e.message = secrets.redact(e.message, keep);
	if (e.description) e.description = secrets.redact(e.description, keep);
	if (e.stack) e.stack = secrets.redact(e.stack, keep);
	if (e.context) e.context = secrets.redact(e.context, keep);
	if (Array.isArray(e.messages)) e.messages = secrets.redact(e.messages, keep);
	if (e.errorResponse !== undefined) e.errorResponse = secrets.redact(e.errorResponse, keep);
	if (e.cause !== undefined && !(e.cause instanceof Error)) e.cause = secrets.redact(e.cause, keep);
	if (e.webRun !== undefined) e.webRun = secrets.redact(e.webRun, keep);
	if (e.node?.parameters) e.node.parameters = secrets.redact(e.node.parameters, keep);
}

/**
 * The item of a failed input under "Continue On Fail". With "Continue" (regular output) it carries
 * the message, description and what is known of the task (session and task ids, failure code), so
 * a later Get Task can pick the task up. With "Continue (using error output)" n8n keeps only the
 * message of an item's `error` (which names the ids) and moves the item to the error output.
 */
function errorItem(
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
 * Runs one operation over all input items: every item is read and validated first (bad input
 * fails before any request is sent), then items run with up to "Parallel Tasks" at once. Output
 * order follows input order; each item gives exactly one output item or one error.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operationName = this.getNodeParameter('operation', 0) as OperationName;
	const operation = operations[operationName];
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not known`, {
			itemIndex: 0,
		});
	}
	const continueOnFail = this.continueOnFail();
	const concurrency = readConcurrency(this);
	const outcomes: Outcome[] = new Array(items.length);
	const prepared: Array<PreparedItem | undefined> = new Array(items.length);

	for (let i = 0; i < items.length; i++) {
		try {
			prepared[i] = operation.prepare.call(this, i);
		} catch (error) {
			const nodeError = asNodeError(this, error, i);
			if (!continueOnFail) throw nodeError;
			outcomes[i] = { error: nodeError };
		}
	}

	const runnable = prepared.map((p, i) => (p ? i : -1)).filter((i) => i >= 0);
	let client: WebRunClient | undefined;
	if (runnable.length) {
		try {
			client = await WebRunClient.create(this);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), error as Error, {
				itemIndex: runnable[0],
				description: 'Open the WebRun credential and check its Base URL.',
			});
		}
		const runClient = client;
		// What to redact besides the key, and the checks needing the credential: before any request.
		for (const i of runnable) {
			const p = prepared[i] as PreparedItem;
			runClient.addSecrets(p.secrets ?? []);
			try {
				p.check?.(runClient.apiFormat);
			} catch (error) {
				const nodeError = asNodeError(this, error, i);
				if (!continueOnFail) throw nodeError;
				outcomes[i] = { error: nodeError };
				prepared[i] = undefined;
			}
		}
		const { account, release } = openAccount(client.accountId);
		// The run's cost figures (Max Total Cost), shared by its items.
		const costs = new CostGuard();
		try {
			await runPool(
				runnable.filter((i) => prepared[i]),
				concurrency,
				async (i, stop) => {
					const { settings, run } = prepared[i] as PreparedItem;
					const item = new ItemContext(runClient, account, operation.label, i, settings, costs);
					try {
						costs.assertCanStart(item);
						outcomes[i] = { result: await run(item) };
					} catch (error) {
						outcomes[i] = { error: asNodeError(this, error, i) };
						if (!continueOnFail || error instanceof CancelledError) stop();
					}
				},
			);
		} finally {
			release();
		}
	}

	if (client) {
		for (const outcome of outcomes)
			if (outcome && 'error' in outcome) redactError(client.secrets, outcome.error);
	}

	if (this.getExecutionCancelSignal?.()?.aborted) {
		throw new NodeOperationError(
			this.getNode(),
			'The execution was stopped while WebRun was working',
		);
	}
	if (!continueOnFail) {
		const failed = outcomes.find((o) => o && 'error' in o) as
			| { error: NodeApiError | NodeOperationError }
			| undefined;
		if (failed) throw failed.error;
	}

	const toolMode = isToolMode(this);
	const toErrorOutput = this.getNode().onError === 'continueErrorOutput';
	const completed: INodeExecutionData[] = [];
	const guardrail: INodeExecutionData[] = [];
	outcomes.forEach((outcome, i) => {
		if (!outcome) return;
		if ('error' in outcome) {
			completed.push(errorItem(client, outcome.error, i, toErrorOutput));
			return;
		}
		// Secrets leave here, once, from the finished item (after parsing and downloads).
		const { json, binary } = client ? client.secrets.redactItem(outcome.result) : outcome.result;
		// As an AI tool, the agent gets the parsed `output` (Output Format JSON or CSV), if any.
		const out: INodeExecutionData = {
			json: toolMode ? toolAnswer(json) : json,
			pairedItem: { item: i },
		};
		if (binary) out.binary = binary;
		if (outcome.result.output === 1 && !toolMode) guardrail.push(out);
		else completed.push(out);
	});
	return operation.outputs === 1 ? [completed] : [completed, guardrail];
}
