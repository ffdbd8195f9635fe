import type { IExecuteFunctions } from 'n8n-workflow';

import type { Outcome } from './itemErrors';
import { failItem } from './itemErrors';
import type { ControlSessionItem } from './operations/controlSession.operation';
import { readControlSession } from './operations/controlSession.operation';
import type { GetTaskItem } from './operations/getTask.operation';
import { readGetTask } from './operations/getTask.operation';
import type { RunTaskItem } from './operations/runTask.operation';
import { readRunTask } from './operations/runTask.operation';
import type { SendMessageItem } from './operations/sendMessage.operation';
import { readSendMessage } from './operations/sendMessage.operation';
import type { StartSessionItem } from './operations/startSession.operation';
import { readStartSession } from './operations/startSession.operation';
import type { OperationName } from './scope';

/** One input item, read and validated by its operation's reader, ready to run. */
export type PreparedItem =
	| RunTaskItem
	| StartSessionItem
	| SendMessageItem
	| ControlSessionItem
	| GetTaskItem;

/** The node run's items: each one prepared, or already failed (its outcome holds the error). */
export interface Batch {
	operation: OperationName;
	prepared: Array<PreparedItem | undefined>;
	outcomes: Outcome[];
}

/** Reads one item's parameters with its operation's reader. */
function prepareItem(
	ctx: IExecuteFunctions,
	operation: OperationName,
	itemIndex: number,
): PreparedItem {
	switch (operation) {
		case 'runTask':
			return readRunTask(ctx, itemIndex);
		case 'startSession':
			return readStartSession(ctx, itemIndex);
		case 'sendMessage':
			return readSendMessage(ctx, itemIndex);
		case 'controlSession':
			return readControlSession(ctx, itemIndex);
		case 'getTask':
			return readGetTask(ctx, itemIndex);
	}
}

/**
 * Reads and validates every input item before anything is sent: bad input fails the node (or,
 * under Continue On Fail, its item) before the first request.
 */
export function prepareItems(ctx: IExecuteFunctions, operation: OperationName): Batch {
	const count = ctx.getInputData().length;
	const batch: Batch = {
		operation,
		prepared: new Array(count),
		outcomes: new Array(count),
	};
	for (let i = 0; i < count; i++) {
		try {
			batch.prepared[i] = prepareItem(ctx, operation, i);
		} catch (error) {
			failItem(ctx, batch.outcomes, i, error);
		}
	}
	return batch;
}
