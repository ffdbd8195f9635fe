import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ItemContext, WaitSettings } from '../task/context';
import type { ItemResult } from '../task/result';

export type OperationName = 'runTask' | 'startSession' | 'sendMessage' | 'controlSession' | 'getTask';

/** An item whose parameters were read and validated; `run` sends its requests. */
export interface PreparedItem {
	settings: WaitSettings;
	run(item: ItemContext): Promise<ItemResult>;
}

/** One operation: its editor fields, and how an item is prepared (validated) for running. */
export interface Operation {
	/** The name errors use ("Run Task: …"). */
	label: string;
	/** 2 = Completed and Guardrail; 1 = one output. */
	outputs: 1 | 2;
	description: INodeProperties[];
	prepare(this: IExecuteFunctions, itemIndex: number): PreparedItem;
}
