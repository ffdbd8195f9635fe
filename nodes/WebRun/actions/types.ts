import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ItemContext, WaitSettings } from '../task/context';
import type { ItemResult } from '../task/result';
import type { ApiFormat } from '../transport/requests';

export type OperationName =
	| 'runTask'
	| 'startSession'
	| 'sendMessage'
	| 'controlSession'
	| 'getTask';

/** An item whose parameters were read and validated; `run` sends its requests. */
export interface PreparedItem {
	settings: WaitSettings;
	/** Values to redact like the API key (Secrets, a proxy password). */
	secrets?: string[];
	/** Checks that need the credential's API Format; run for every item before any request. */
	check?(format: ApiFormat): void;
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
