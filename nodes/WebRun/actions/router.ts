import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { emitOutputs } from './emitOutputs';
import { readConcurrency } from './options/waiting';
import { prepareItems } from './prepareItems';
import { runItems } from './runItems';
import type { OperationName } from './scope';
import { OPERATION_LABELS } from './scope';

/**
 * Runs one operation over all input items, in three steps: every item is read and validated
 * first (bad input fails before any request is sent), then the items run with up to "Parallel
 * Tasks" at once, then the outputs are made. Output order follows input order; each item gives
 * exactly one output item or one error.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as OperationName;
	if (!Object.keys(OPERATION_LABELS).includes(operation)) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known`, {
			itemIndex: 0,
		});
	}
	const concurrency = readConcurrency(this, { operation, guardrailResponse: false });
	const batch = prepareItems(this, operation);
	const client = await runItems(this, batch, concurrency);
	return emitOutputs(this, batch, client);
}
