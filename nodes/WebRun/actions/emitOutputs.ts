import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { WebRunClient } from '../transport/client';
import type { Outcome } from './itemErrors';
import { errorItem } from './itemErrors';
import { toolAnswer } from './options/outputFormat';
import type { Batch } from './prepareItems';
import { outputCount } from './scope';

/** When the node runs as an AI agent's tool, only output 0 reaches the agent. */
function isToolMode(ctx: IExecuteFunctions): boolean {
	const withToolCheck = ctx as IExecuteFunctions & { isToolExecution?: () => boolean };
	if (typeof withToolCheck.isToolExecution === 'function' && withToolCheck.isToolExecution())
		return true;
	return /Tool$/.test(ctx.getNode().type);
}

/**
 * The node's outputs, in input order: every error redacted first; a stopped execution or (without
 * Continue On Fail) a failed item stops the node; the rest go to Completed, or to Guardrail (not
 * as an AI tool, whose agent sees output 0 only).
 */
export function emitOutputs(
	ctx: IExecuteFunctions,
	batch: Batch,
	client: WebRunClient | undefined,
): INodeExecutionData[][] {
	const { outcomes } = batch;
	if (client) {
		for (const outcome of outcomes)
			if (outcome && 'error' in outcome) client.secrets.redactError(outcome.error);
	}
	if (ctx.getExecutionCancelSignal?.()?.aborted) {
		throw new NodeOperationError(
			ctx.getNode(),
			'The execution was stopped while WebRun was working',
		);
	}
	if (!ctx.continueOnFail()) {
		const failed = outcomes.find((o) => o && 'error' in o);
		if (failed && 'error' in failed) throw failed.error;
	}
	const toolMode = isToolMode(ctx);
	const toErrorOutput = ctx.getNode().onError === 'continueErrorOutput';
	const completed: INodeExecutionData[] = [];
	const guardrail: INodeExecutionData[] = [];
	outcomes.forEach((outcome: Outcome | undefined, i) => {
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
	return outputCount(batch.operation) === 1 ? [completed] : [completed, guardrail];
}
