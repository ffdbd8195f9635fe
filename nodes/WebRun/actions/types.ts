import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { WebRunClient } from '../transport/client';

export type OperationName = 'runTask' | 'startSession' | 'sendMessage' | 'controlSession' | 'getTask';

/** What one item produced: the output it goes to (0 = Completed, 1 = Guardrail) and its JSON. */
export interface ItemResult {
	output: 0 | 1;
	json: IDataObject;
}

/** An item whose parameters were read and validated; `run` sends its requests. */
export interface PreparedItem {
	concurrency: number;
	run(client: WebRunClient): Promise<ItemResult>;
}

/** One operation: its editor fields, and how an item is prepared (validated) for running. */
export interface Operation {
	description: INodeProperties[];
	prepare(this: IExecuteFunctions, itemIndex: number): PreparedItem;
}
