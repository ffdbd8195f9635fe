import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { MAX_DURATION_MS, MAX_TOKENS, MIN_DURATION_MS } from '../../constants';
import type { TaskSpec } from '../../transport/requests';
import type { AppliesTo, ItemScope } from '../scope';
import { applies, showFor, TASK_OPERATIONS } from '../scope';
import { parseDomain } from './domains';
import type { Fail } from './values';
import { isWholeNumber, toNumber } from './values';

/**
 * The task's own settings: Starting URL, Avoid Domains, Max Duration, Max Input / Output Tokens
 * and Terminate on Completion (sent with the task).
 */

export const appliesTo: AppliesTo = { operations: TASK_OPERATIONS, newTaskOnly: true };
/** Run Task always closes its session: the option is for the sessions that stay open. */
const terminateAppliesTo: AppliesTo = {
	operations: ['startSession', 'sendMessage'],
	newTaskOnly: true,
};

export const avoidDomainsField: INodeProperties = {
	displayName: 'Avoid Domains',
	name: 'avoidDomains',
	type: 'string',
	default: '',
	placeholder: 'facebook.com, twitter.com',
	description: 'Comma-separated domains the agent must not visit',
	displayOptions: showFor(appliesTo),
};

export const limitFields: INodeProperties[] = [
	{
		displayName: 'Max Duration (Ms)',
		name: 'maxDuration',
		type: 'number',
		default: 300000,
		typeOptions: { minValue: MIN_DURATION_MS, maxValue: MAX_DURATION_MS },
		description: 'Longest time the agent may work on the task, in milliseconds (1,000 to 300,000)',
		displayOptions: showFor(appliesTo),
	},
	{
		displayName: 'Max Input Tokens',
		name: 'maxInputTokens',
		type: 'number',
		default: 100000,
		typeOptions: { minValue: 1, maxValue: MAX_TOKENS },
		description:
			'Cap on the tokens the agent may read (up to 100,000); the task fails when it is exceeded',
		displayOptions: showFor(appliesTo),
	},
	{
		displayName: 'Max Output Tokens',
		name: 'maxOutputTokens',
		type: 'number',
		default: 100000,
		typeOptions: { minValue: 1, maxValue: MAX_TOKENS },
		description:
			'Cap on the tokens the agent may write (up to 100,000); the answer is cut when it is exceeded',
		displayOptions: showFor(appliesTo),
	},
];

export const startFields: INodeProperties[] = [
	{
		displayName: 'Starting URL',
		name: 'startingUrl',
		type: 'string',
		default: '',
		placeholder: 'https://www.amazon.com',
		description: 'Page the browser opens before the task starts (blank page when empty)',
		displayOptions: showFor(appliesTo),
	},
	{
		displayName: 'Terminate on Completion',
		name: 'terminateOnCompletion',
		type: 'boolean',
		default: false,
		description:
			'Whether to close the session when this task completes, so it stops costing money. Run Task always closes its session.',
		displayOptions: showFor(terminateAppliesTo),
	},
];

export type TaskOptions = Omit<TaskSpec, 'prompt'>;

function readStartingUrl(value: unknown, fail: Fail): string | undefined {
	if (value === undefined || String(value).trim() === '') return undefined;
	const raw = String(value).trim();
	let url: URL | undefined;
	try {
		url = new URL(raw);
	} catch {
		url = undefined;
	}
	if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
		throw fail(
			`Starting URL is not a valid web address: "${raw}"`,
			'Use a full URL such as https://www.example.com',
		);
	}
	return url.toString();
}

function readLimits(options: IDataObject, fail: Fail): TaskOptions {
	const limits: TaskOptions = {};
	if (options.maxDuration !== undefined) {
		const value = toNumber(options.maxDuration);
		if (!isWholeNumber(value) || value < MIN_DURATION_MS || value > MAX_DURATION_MS) {
			throw fail(
				`Max Duration must be a whole number of milliseconds between ${MIN_DURATION_MS} and ${MAX_DURATION_MS} (got ${String(options.maxDuration)})`,
			);
		}
		limits.maxDuration = value;
	}
	for (const [name, label] of [
		['maxInputTokens', 'Max Input Tokens'],
		['maxOutputTokens', 'Max Output Tokens'],
	] as const) {
		if (options[name] === undefined) continue;
		const value = toNumber(options[name]);
		if (!isWholeNumber(value) || value < 1 || value > MAX_TOKENS) {
			throw fail(
				`${label} must be a whole number between 1 and ${MAX_TOKENS} (got ${String(options[name])})`,
			);
		}
		limits[name] = value;
	}
	return limits;
}

function readAvoidDomains(value: unknown, fail: Fail): string[] | undefined {
	if (value === undefined) return undefined;
	const entries = Array.isArray(value)
		? (value as unknown[]).map(String)
		: String(value).split(',');
	const domains: string[] = [];
	for (const entry of entries) {
		if (entry.trim() === '') continue;
		const domain = parseDomain(entry);
		if (!domain) {
			throw fail(
				`Avoid Domains contains an invalid domain: "${entry.trim()}"`,
				'Use domains such as facebook.com, separated by commas',
			);
		}
		domains.push(domain);
	}
	return domains.length ? domains : undefined;
}

/** Reads and validates the task settings of one item (before any request is sent). */
export function readTaskOptions(options: IDataObject, at: ItemScope, fail: Fail): TaskOptions {
	if (!applies(appliesTo, at)) return {};
	const task: TaskOptions = {};
	const startingUrl = readStartingUrl(options.startingUrl, fail);
	if (startingUrl) task.startingUrl = startingUrl;
	Object.assign(task, readLimits(options, fail));
	const avoidDomains = readAvoidDomains(options.avoidDomains, fail);
	if (avoidDomains) task.avoidDomains = avoidDomains;
	if (options.terminateOnCompletion !== undefined && applies(terminateAppliesTo, at)) {
		task.terminateOnCompletion = options.terminateOnCompletion === true;
	}
	return task;
}
