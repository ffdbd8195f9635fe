import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { POLL_REQUEST_TIMEOUT_MS } from '../constants';
import type { WebRunError } from '../errors';
import { attach, describeIds } from '../errors';
import { isTransportFailure } from '../transport/client';
import type { ItemContext } from './context';
import type { NormalizedTask } from './read';
import { normalizeTaskResponse, samePollPath } from './read';
import type { StopAction } from './stop';
import { requestStop } from './stop';

/**
 * The cost guard (Max Cost per Task, Max Total Cost).
 *
 * WebRun reports `usage.cost` (USD) on the answers about a task. Every answer the node reads
 * (the start answer, each poll) goes through `guardCost`: its figure is recorded for the node
 * run's total, and a task above its own cap is stopped. What is spent between two looks (two
 * polls, or the up-to-50-s inline window of a starting request) cannot be guarded.
 */

/**
 * Throws when the run's tasks have cost the item's Max Total Cost: the item must not start.
 * Called before an item runs and again right before its starting request is sent.
 */
export function assertTotalCost(item: ItemContext) {
	const cap = item.settings.maxTotalCostUsd;
	if (cap === undefined) return;
	const total = item.costs.total();
	if (total >= cap) throw totalCostError(item, total, cap);
}

/** "$0.0312", "$0.50", "$5.00": up to 6 decimals, at least 2. */
export function formatUsd(value: number): string {
	const text = value.toFixed(6).replace(/0+$/, '');
	const [whole, decimals = ''] = text.split('.');
	return `$${whole}.${decimals.padEnd(2, '0')}`;
}

/**
 * The cost guard's look at one answer about the item's task (the start answer or a poll).
 * Records its cost for Max Total Cost. Above Max Cost per Task:
 * - a task still alive (running, or waiting at a guardrail) is stopped: the session is
 *   terminated when this node created it, else only the task is stopped. Then one more poll reads
 *   the final cost, and the item fails with COST_LIMIT_REACHED (COST_STOP_FAILED when WebRun did
 *   not accept the stop);
 * - a task that had already completed fails with COST_LIMIT_REACHED too (nothing is left to
 *   stop; its answer stays on the Continue item), so Completed never carries a cost above the cap;
 * - failed and terminated tasks keep their own error.
 */
export async function guardCost(item: ItemContext, task: NormalizedTask, pollUrl?: string) {
	const reported = task.usage?.cost;
	if (reported === undefined) return;
	const cost = item.costs.report(item.itemIndex, reported);
	if (cost === undefined) return;
	const cap = item.settings.maxCostUsd;
	if (cap === undefined || cost <= cap) return;
	if (task.state === 'failed' || task.state === 'terminated') return;
	if (task.state === 'completed') throw costLimitError(item, { seen: task, cap });
	throw await stopAtCap(item, task, cap, pollUrl);
}

interface Reached {
	/** The answer that showed the cost above the cap. */
	seen: NormalizedTask;
	cap: number;
	action?: StopAction;
	/** The answer of the one poll after the stop, when it was read. */
	final?: NormalizedTask;
}

async function stopAtCap(item: ItemContext, seen: NormalizedTask, cap: number, pollUrl?: string) {
	const action: StopAction = item.ownsSession ? 'terminate' : 'stop';
	const { sessionId, taskId } = item;
	if (!sessionId) {
		return stopFailedError(item, { seen, cap, action }, 'the answer named no session to stop');
	}
	const outcome = await requestStop(item, sessionId, action);
	// A terminated session frees a slot for items waiting on the account's session limit.
	if (outcome.accepted && action === 'terminate') item.account.sessions.sessionFreed();
	const final = taskId
		? await pollOnce(
				item,
				item.client.pollUrlFor(sessionId, taskId, samePollPath(pollUrl, sessionId, taskId)),
			)
		: undefined;
	if (final?.usage?.cost !== undefined) {
		// The error shows what is counted: a lower, negative or NaN final figure does not undo it.
		const counted = item.costs.report(item.itemIndex, final.usage.cost);
		final.usage = { ...final.usage, cost: counted };
		if (counted === undefined) delete final.usage.cost;
	}
	const reached = { seen, cap, action, final };
	return outcome.accepted
		? costLimitError(item, reached)
		: stopFailedError(item, reached, outcome.reason);
}

/** The one poll after a stop: the final cost, or undefined when no usable answer came. */
async function pollOnce(item: ItemContext, url: string): Promise<NormalizedTask | undefined> {
	const response = await item.client.request('GET', url, {
		timeoutMs: POLL_REQUEST_TIMEOUT_MS,
		ignoreCancel: true,
	});
	if (isTransportFailure(response) || !response.json) return undefined;
	if (response.statusCode < 200 || response.statusCode >= 300) return undefined;
	item.lastRaw = response.body;
	return normalizeTaskResponse(response.body);
}

/** What the error items keep: ids, cap, usage (with the latest cost known), state. */
function details(item: ItemContext, reached: Reached, code: string) {
	const { seen, final, cap } = reached;
	const usage: IDataObject = { ...(seen.usage ?? {}), ...(final?.usage ?? {}) };
	const state = final?.state ?? seen.state;
	return {
		sessionId: item.sessionId,
		taskId: item.taskId,
		code,
		status: state,
		usage,
		maxCostUsd: cap,
		message: state === 'completed' ? (final?.message ?? seen.message) : undefined,
		cost: (usage.cost as number | undefined) ?? (seen.usage?.cost as number),
	};
}

function costLimitError(item: ItemContext, reached: Reached): WebRunError {
	const code = 'COST_LIMIT_REACHED';
	const { cost, ...kept } = details(item, reached, code);
	const ids = describeIds(item);
	const cap = formatUsd(reached.cap);
	const seenCost = formatUsd(reached.seen.usage?.cost as number);
	let message: string;
	let description: string;
	if (!reached.action) {
		message =
			`${item.operation}: the WebRun task completed but cost ${formatUsd(cost)}, above ` +
			`Max Cost per Task (${cap}) [${code}]${ids}`;
		description =
			'The task finished before the node saw its cost (inside the answer of the starting ' +
			'request, which WebRun may hold for up to 50 s, or between two polls), so there was ' +
			'nothing left to stop. Under Continue, its answer stays on the item under "message".';
	} else {
		const done = reached.action === 'terminate' ? 'terminated' : 'stopped';
		message =
			`${item.operation}: the WebRun task was ${done} at its cost cap [${code}]: it cost ` +
			`${formatUsd(cost)}, Max Cost per Task is ${cap}${ids}`;
		const what =
			reached.action === 'terminate'
				? 'terminated the session it had started'
				: 'stopped the task (the session stays open for a new task)';
		const finalCost = reached.final?.usage?.cost;
		const final =
			finalCost !== undefined
				? `WebRun reported a final cost of ${formatUsd(finalCost)}.`
				: `WebRun reported no final cost; the last figure seen was ${seenCost}.`;
		description =
			`A poll showed the task's cost at ${seenCost}, above the cap, so the node ${what}. ` +
			`${final} What a task spends between two polls is not guarded: a shorter Poll ` +
			'Interval stops it closer to the cap. Raise Max Cost per Task if the task needs more.';
	}
	const error = new NodeApiError(
		item.node,
		{ message, code },
		{ message, description, itemIndex: item.itemIndex },
	);
	return attach(error, kept);
}

function stopFailedError(item: ItemContext, reached: Reached, reason: string): WebRunError {
	const code = 'COST_STOP_FAILED';
	const { cost, ...kept } = details(item, reached, code);
	const ids = describeIds(item);
	const doing = reached.action === 'terminate' ? 'terminating its session' : 'stopping it';
	const message =
		`${item.operation}: the WebRun task passed Max Cost per Task (${formatUsd(reached.cap)}) ` +
		`at ${formatUsd(cost)}, but ${doing} failed [${code}]: ${reason}${ids}`;
	const state = reached.final?.state;
	const now =
		state === undefined
			? 'The node could not read its state afterwards: it may still be running and costing money.'
			: state === 'running' || state === 'guardrail'
				? 'WebRun still reports it as running: it keeps costing money.'
				: `WebRun now reports it as ${state}.`;
	const description =
		`${now} Stop it with the Control Session operation (action Terminate, or Stop to keep the ` +
		`session) on session "${item.sessionId ?? ''}", or in the WebRun dashboard.`;
	const error = new NodeApiError(
		item.node,
		{ message: reason, code },
		{ message, description, itemIndex: item.itemIndex },
	);
	return attach(error, kept);
}

function totalCostError(item: ItemContext, total: number, cap: number): WebRunError {
	const code = 'TOTAL_COST_LIMIT_REACHED';
	const message =
		`${item.operation}: Max Total Cost reached [${code}]: this run's tasks have cost ` +
		`${formatUsd(total)} of the ${formatUsd(cap)} allowed, so this item was not started` +
		describeIds(item);
	const description =
		'No request was sent for this item. Items already running went on until they finished or ' +
		'reached their own Max Cost per Task. Raise Max Total Cost, or run the remaining items ' +
		'in a later execution.';
	const error = new NodeOperationError(item.node, message, {
		itemIndex: item.itemIndex,
		description,
	});
	return attach(error, {
		sessionId: item.sessionId,
		taskId: item.taskId,
		code,
		status: 'notStarted',
		totalCostUsd: Number(total.toFixed(6)),
		maxTotalCostUsd: cap,
	});
}
