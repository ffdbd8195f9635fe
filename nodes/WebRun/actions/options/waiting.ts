import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	DEFAULT_POLL_INTERVAL_S,
	DEFAULT_TIMEOUT_S,
	MAX_CONCURRENCY,
	MIN_POLL_INTERVAL_S,
} from '../../constants';
import { inputError } from '../../errors';
import type { AppliesTo, ItemScope } from '../scope';
import { applies, showFor, WAITING_OPERATIONS } from '../scope';
import type { Fail } from './values';
import { isWholeNumber, toNumber } from './values';

/** How the node waits for a task: Parallel Tasks, Poll Interval and Timeout. */

export const appliesTo: AppliesTo = { operations: WAITING_OPERATIONS };

export const concurrencyField: INodeProperties = {
	displayName: 'Parallel Tasks',
	name: 'concurrency',
	type: 'number',
	default: 1,
	typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
	description:
		'How many input items run at the same time (1 to 10), read once per run from the first item. Output order still follows input order. Keep it at or below the concurrent sessions your WebRun plan allows (Free: 2).',
	displayOptions: showFor(appliesTo),
};

export const pollIntervalField: INodeProperties = {
	displayName: 'Poll Interval (Seconds)',
	name: 'pollInterval',
	type: 'number',
	default: DEFAULT_POLL_INTERVAL_S,
	typeOptions: { minValue: MIN_POLL_INTERVAL_S, numberPrecision: 1 },
	description:
		'How often to ask WebRun whether a running task is done (at least 1 second; WebRun recommends 2)',
	displayOptions: showFor(appliesTo),
};

export const timeoutField: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeout',
	type: 'number',
	default: DEFAULT_TIMEOUT_S,
	typeOptions: { minValue: 1 },
	description:
		'Longest time one item may wait for its task, start included. When it passes, the node fails with the session and task IDs so Get Task can pick the task up later.',
	displayOptions: showFor(appliesTo),
};

export interface WaitTimes {
	pollIntervalMs: number;
	timeoutMs: number;
}

/**
 * Poll Interval and Timeout of one item. An operation that does not wait (Control Session) keeps
 * the defaults: its one request still has a deadline.
 */
export function readWaitTimes(options: IDataObject, at: ItemScope, fail: Fail): WaitTimes {
	const set = applies(appliesTo, at);
	const pollInterval =
		!set || options.pollInterval === undefined
			? DEFAULT_POLL_INTERVAL_S
			: toNumber(options.pollInterval);
	if (!Number.isFinite(pollInterval) || pollInterval < MIN_POLL_INTERVAL_S) {
		throw fail(
			`Poll Interval must be at least 1 second (got ${String(options.pollInterval)})`,
			'WebRun recommends polling every 2 to 3 seconds.',
		);
	}
	const timeout =
		!set || options.timeout === undefined ? DEFAULT_TIMEOUT_S : toNumber(options.timeout);
	if (!Number.isFinite(timeout) || timeout <= 0) {
		throw fail(`Timeout must be a positive number of seconds (got ${String(options.timeout)})`);
	}
	return { pollIntervalMs: Math.round(pollInterval * 1000), timeoutMs: Math.round(timeout * 1000) };
}

/**
 * "Parallel Tasks" is a setting of the node run, not of an item: read once, from the first item,
 * and validated once (an expression that differs per item cannot change it).
 */
export function readConcurrency(ctx: IExecuteFunctions, at: ItemScope): number {
	if (!applies(appliesTo, at)) return 1;
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency = options.concurrency === undefined ? 1 : toNumber(options.concurrency);
	if (!isWholeNumber(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
		throw inputError(
			ctx.getNode(),
			0,
			`Parallel Tasks must be a whole number from 1 to ${MAX_CONCURRENCY} (got ${String(options.concurrency)})`,
		);
	}
	return concurrency;
}
