import type { IDisplayOptions } from 'n8n-workflow';

/** The node's operations: the values of the editor's Operation parameter. */
export type OperationName =
	| 'runTask'
	| 'startSession'
	| 'sendMessage'
	| 'controlSession'
	| 'getTask';

/** Operations that send a task (task settings, Secrets, Attach Files, Output Format). */
export const TASK_OPERATIONS: OperationName[] = ['runTask', 'startSession', 'sendMessage'];
/** Operations that wait for a task (polling, timeout, cost caps, Download Files). */
export const WAITING_OPERATIONS: OperationName[] = [...TASK_OPERATIONS, 'getTask'];
/** Operations that open a browser session (environment, policy, proxy). */
export const SESSION_OPERATIONS: OperationName[] = ['runTask', 'startSession'];

/**
 * Which items an option applies to: its operations and, with `newTaskOnly`, not Send Message's
 * guardrail answers (they send no task). The editor's `displayOptions` (showFor) and the
 * reader's guard (applies) are both made from it, so the two cannot disagree.
 */
export interface AppliesTo {
	operations: OperationName[];
	newTaskOnly?: boolean;
}

/** Where an item stands: its operation and, for Send Message, whether it answers a guardrail. */
export interface ItemScope {
	operation: OperationName;
	guardrailResponse: boolean;
}

/**
 * The editor's displayOptions of an option (`/operation`: a parameter outside the collection),
 * or of a top-level field with `key` 'operation'; `more` adds conditions on other parameters.
 */
export function showFor(
	appliesTo: AppliesTo,
	more: Record<string, string[]> = {},
	key: '/operation' | 'operation' = '/operation',
): IDisplayOptions {
	const show = { [key]: appliesTo.operations, ...more };
	if (!appliesTo.newTaskOnly) return { show };
	return { show, hide: { '/messageType': ['guardrailResponse'] } };
}

/** The run-time guard: whether an option applies to the item. */
export function applies(appliesTo: AppliesTo, at: ItemScope): boolean {
	if (!appliesTo.operations.includes(at.operation)) return false;
	return !(appliesTo.newTaskOnly && at.guardrailResponse);
}

/** The operations' names as errors use them ("Run Task: …"). */
export const OPERATION_LABELS: Record<OperationName, string> = {
	runTask: 'Run Task',
	startSession: 'Start Session',
	sendMessage: 'Send Message',
	controlSession: 'Control Session',
	getTask: 'Get Task',
};

/** The operations that wait for a task have two outputs, Completed and Guardrail; the rest one. */
export function outputCount(operation: OperationName): 1 | 2 {
	return WAITING_OPERATIONS.includes(operation) ? 2 : 1;
}
