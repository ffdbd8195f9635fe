import type { ItemContext } from './context';
import type { DownloadSettings } from './files';
import { downloadTaskFiles } from './files';
import type { ItemResult } from './result';
import type { OutputFormat } from './structured';
import { applyOutputFormat } from './structured';

/** What happens to a task's item after taskResult: its Output Format and Download Files. */
export interface ResultSteps {
	format?: OutputFormat;
	download?: DownloadSettings;
}

/**
 * The last steps of a task's item, for completed tasks only: `output` from the answer (an answer
 * that does not match fails the item, before any download), then the files as binary data.
 */
export async function finishResult(
	item: ItemContext,
	result: ItemResult,
	steps: ResultSteps,
): Promise<ItemResult> {
	const withOutput = applyOutputFormat(item, result, steps.format);
	return await downloadTaskFiles(item, withOutput, steps.download);
}
