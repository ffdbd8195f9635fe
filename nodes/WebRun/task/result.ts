import type { IBinaryKeyData, IDataObject } from 'n8n-workflow';

import type { ItemContext } from './context';

/** What one item produced: the output it goes to (0 = Completed, 1 = Guardrail) and its JSON. */
export interface ItemResult {
	output: 0 | 1;
	json: IDataObject;
	/** Download Files: the task's files as n8n binary data (file_0, file_1, …). */
	binary?: IBinaryKeyData;
}

/**
 * The one way an item's JSON is made: the last raw answer added when asked for. Secrets are not
 * removed here: actions/emitOutputs.ts redacts the finished item once, after Output Format parsing
 * and the downloads (which need the links as the server gave them).
 */
export function makeResult(
	item: ItemContext,
	json: IDataObject,
	includeRaw: boolean,
	output: 0 | 1 = 0,
): ItemResult {
	const out = { ...json };
	if (includeRaw && item.lastRaw !== undefined) out.raw = item.lastRaw as IDataObject;
	return { output, json: out };
}
