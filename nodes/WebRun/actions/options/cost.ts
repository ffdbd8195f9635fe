import type { IDataObject, INodeProperties } from 'n8n-workflow';

import {
	COST_DECIMALS,
	DEFAULT_MAX_COST_USD,
	DEFAULT_MAX_TOTAL_COST_USD,
	MIN_COST_USD,
} from '../../constants';
import type { WaitSettings } from '../../task/context';
import type { AppliesTo, ItemScope } from '../scope';
import { applies, showFor, WAITING_OPERATIONS } from '../scope';
import type { Fail } from './values';
import { toNumber } from './values';

/** The cost guard's two options (task/cost.ts enforces them). */

/** Operations that wait for a task, and so can watch its cost. */
export const appliesTo: AppliesTo = { operations: WAITING_OPERATIONS };

export const costOptions: INodeProperties[] = [
	{
		displayName: 'Max Cost per Task (USD)',
		name: 'maxCostUsd',
		type: 'number',
		default: DEFAULT_MAX_COST_USD,
		typeOptions: { minValue: MIN_COST_USD, numberPrecision: COST_DECIMALS },
		description:
			"When a poll shows a task's cost above this, the node stops the task on WebRun " +
			'(terminates the session it started), reads the final cost and fails the item with ' +
			'COST_LIMIT_REACHED. Cost spent between two polls is not guarded: a shorter Poll ' +
			'Interval stops closer to the cap.',
		displayOptions: showFor(appliesTo),
	},
	{
		displayName: 'Max Total Cost (USD)',
		name: 'maxTotalCostUsd',
		type: 'number',
		default: DEFAULT_MAX_TOTAL_COST_USD,
		typeOptions: { minValue: MIN_COST_USD, numberPrecision: COST_DECIMALS },
		description:
			'Once the tasks of this node run have cost this much (finished ones plus the latest ' +
			'cost of running ones), items not started yet are not started: each fails with a ' +
			'clear error. Running tasks go on until they finish or reach Max Cost per Task.',
		displayOptions: showFor(appliesTo),
	},
];

type CostSettings = Pick<WaitSettings, 'maxCostUsd' | 'maxTotalCostUsd'>;

/**
 * Reads and validates the two caps of one item (before any request): each, when set, must be a
 * positive number of US dollars. Operations that do not wait ignore them.
 */
export function readCostOptions(options: IDataObject, at: ItemScope, fail: Fail): CostSettings {
	const settings: CostSettings = {};
	if (!applies(appliesTo, at)) return settings;
	for (const [name, label] of [
		['maxCostUsd', 'Max Cost per Task'],
		['maxTotalCostUsd', 'Max Total Cost'],
	] as const) {
		const raw = options[name];
		if (raw === undefined) continue;
		const value = toNumber(raw);
		if (!Number.isFinite(value) || value <= 0) {
			const got = raw === null || raw === '' ? 'empty' : JSON.stringify(raw);
			throw fail(
				`${label} must be a positive number of US dollars (got ${got})`,
				'Enter the most this may cost, for example 0.5 for 50 cents, or remove the option.',
			);
		}
		settings[name] = value;
	}
	return settings;
}
