import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	DEFAULT_POLL_INTERVAL_S,
	DEFAULT_TIMEOUT_S,
	ID_PATTERN,
	MAX_CONCURRENCY,
	MAX_DURATION_MS,
	MAX_TOKENS,
	MIN_DURATION_MS,
	MIN_POLL_INTERVAL_S,
} from '../../constants';
import { inputError } from '../../errors';
import type { WaitSettings } from '../../task/context';
import type { SessionSpec, TaskSpec } from '../../transport/requests';
import { costOptions, readCostOptions } from './costOptions';
import { parseDomain } from './domains';
import type { FileOptions } from './fileOptions';
import { fileOptions, readFileOptions } from './fileOptions';
import { readSessionOptions, sessionOptions } from './sessionOptions';

/** Operations whose task parameters (URL, limits, domains) apply. */
const TASK_OPERATIONS = ['runTask', 'startSession', 'sendMessage'];
/** Operations that wait for a task. */
const WAITING_OPERATIONS = ['runTask', 'startSession', 'sendMessage', 'getTask'];

const taskOnly = {
	show: { '/operation': TASK_OPERATIONS },
	hide: { '/messageType': ['guardrailResponse'] },
};
const waitingOnly = { show: { '/operation': WAITING_OPERATIONS } };

/** The one "Options" collection, shared by every operation (each option shows where it applies). */
export const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		...fileOptions,
		{
			displayName: 'Avoid Domains',
			name: 'avoidDomains',
			type: 'string',
			default: '',
			placeholder: 'facebook.com, twitter.com',
			description: 'Comma-separated domains the agent must not visit',
			displayOptions: taskOnly,
		},
		{
			displayName: 'Include Raw Response',
			name: 'includeRawResponse',
			type: 'boolean',
			default: false,
			description: 'Whether to add the last raw WebRun API answer to the item, under "raw"',
		},
		...costOptions,
		{
			displayName: 'Max Duration (Ms)',
			name: 'maxDuration',
			type: 'number',
			default: 300000,
			typeOptions: { minValue: MIN_DURATION_MS, maxValue: MAX_DURATION_MS },
			description:
				'Longest time the agent may work on the task, in milliseconds (1,000 to 300,000)',
			displayOptions: taskOnly,
		},
		{
			displayName: 'Max Input Tokens',
			name: 'maxInputTokens',
			type: 'number',
			default: 100000,
			typeOptions: { minValue: 1, maxValue: MAX_TOKENS },
			description:
				'Cap on the tokens the agent may read (up to 100,000); the task fails when it is exceeded',
			displayOptions: taskOnly,
		},
		{
			displayName: 'Max Output Tokens',
			name: 'maxOutputTokens',
			type: 'number',
			default: 100000,
			typeOptions: { minValue: 1, maxValue: MAX_TOKENS },
			description:
				'Cap on the tokens the agent may write (up to 100,000); the answer is cut when it is exceeded',
			displayOptions: taskOnly,
		},
		{
			displayName: 'Mode',
			name: 'mode',
			type: 'options',
			options: [{ name: 'Default', value: 'default' }],
			default: 'default',
			description: 'Session mode. WebRun supports only "Default" today.',
			displayOptions: { show: { '/operation': ['runTask', 'startSession'] } },
		},
		{
			displayName: 'Parallel Tasks',
			name: 'concurrency',
			type: 'number',
			default: 1,
			typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
			description:
				'How many input items run at the same time (1 to 10), read once per run from the first item. Output order still follows input order. Keep it at or below the concurrent sessions your WebRun plan allows (Free: 2).',
			displayOptions: waitingOnly,
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollInterval',
			type: 'number',
			default: DEFAULT_POLL_INTERVAL_S,
			typeOptions: { minValue: MIN_POLL_INTERVAL_S, numberPrecision: 1 },
			description:
				'How often to ask WebRun whether a running task is done (at least 1 second; WebRun recommends 2)',
			displayOptions: waitingOnly,
		},
		...sessionOptions,
		{
			displayName: 'Starting URL',
			name: 'startingUrl',
			type: 'string',
			default: '',
			placeholder: 'https://www.amazon.com',
			description: 'Page the browser opens before the task starts (blank page when empty)',
			displayOptions: taskOnly,
		},
		{
			displayName: 'Terminate on Completion',
			name: 'terminateOnCompletion',
			type: 'boolean',
			default: false,
			description:
				'Whether to close the session when this task completes, so it stops costing money. Run Task always closes its session.',
			displayOptions: {
				show: { '/operation': ['startSession', 'sendMessage'] },
				hide: { '/messageType': ['guardrailResponse'] },
			},
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeout',
			type: 'number',
			default: DEFAULT_TIMEOUT_S,
			typeOptions: { minValue: 1 },
			description:
				'Longest time one item may wait for its task, start included. When it passes, the node fails with the session and task IDs so Get Task can pick the task up later.',
			displayOptions: waitingOnly,
		},
	],
};

export interface ReadOptions {
	/** The task settings of the options (the task text is added by the operation). */
	task: Omit<TaskSpec, 'prompt'>;
	session: SessionSpec;
	settings: WaitSettings;
	includeRawResponse: boolean;
	/** Download Files, Max File Size, Attach Files (fileOptions.ts). */
	files: FileOptions;
}

function isInteger(value: unknown): value is number {
	return typeof value === 'number' && Number.isInteger(value);
}

function toNumber(value: unknown): number {
	if (typeof value === 'number') return value;
	if (typeof value === 'string' && value.trim() !== '') return Number(value);
	return Number.NaN;
}

/** Reads and validates the Options collection of one item. Throws before any request is sent. */
export function readOptions(
	ctx: IExecuteFunctions,
	itemIndex: number,
	operation: string,
): ReadOptions {
	const node = ctx.getNode();
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const task: Omit<TaskSpec, 'prompt'> = {};
	const session: SessionSpec = {};
	const fail = (message: string, description?: string) =>
		inputError(node, itemIndex, message, description);
	const applies = (...ops: string[]) => ops.includes(operation);

	if (applies('runTask', 'startSession', 'sendMessage')) {
		if (options.startingUrl !== undefined && String(options.startingUrl).trim() !== '') {
			const raw = String(options.startingUrl).trim();
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
			task.startingUrl = url.toString();
		}
		if (options.maxDuration !== undefined) {
			const value = toNumber(options.maxDuration);
			if (!isInteger(value) || value < MIN_DURATION_MS || value > MAX_DURATION_MS) {
				throw fail(
					`Max Duration must be a whole number of milliseconds between ${MIN_DURATION_MS} and ${MAX_DURATION_MS} (got ${String(options.maxDuration)})`,
				);
			}
			task.maxDuration = value;
		}
		for (const [name, label] of [
			['maxInputTokens', 'Max Input Tokens'],
			['maxOutputTokens', 'Max Output Tokens'],
		] as const) {
			if (options[name] === undefined) continue;
			const value = toNumber(options[name]);
			if (!isInteger(value) || value < 1 || value > MAX_TOKENS) {
				throw fail(
					`${label} must be a whole number between 1 and ${MAX_TOKENS} (got ${String(options[name])})`,
				);
			}
			task[name] = value;
		}
		if (options.avoidDomains !== undefined) {
			const entries = Array.isArray(options.avoidDomains)
				? (options.avoidDomains as unknown[]).map(String)
				: String(options.avoidDomains).split(',');
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
			if (domains.length) task.avoidDomains = domains;
		}
		if (options.terminateOnCompletion !== undefined && applies('startSession', 'sendMessage')) {
			task.terminateOnCompletion = options.terminateOnCompletion === true;
		}
		if (options.mode !== undefined && applies('runTask', 'startSession')) {
			session.mode = String(options.mode || 'default');
		}
	}

	readSessionOptions(ctx, itemIndex, operation, options, task, session);

	const pollInterval =
		options.pollInterval === undefined ? DEFAULT_POLL_INTERVAL_S : toNumber(options.pollInterval);
	if (!Number.isFinite(pollInterval) || pollInterval < MIN_POLL_INTERVAL_S) {
		throw fail(
			`Poll Interval must be at least 1 second (got ${String(options.pollInterval)})`,
			'WebRun recommends polling every 2 to 3 seconds.',
		);
	}
	const timeout = options.timeout === undefined ? DEFAULT_TIMEOUT_S : toNumber(options.timeout);
	if (!Number.isFinite(timeout) || timeout <= 0) {
		throw fail(`Timeout must be a positive number of seconds (got ${String(options.timeout)})`);
	}

	return {
		task,
		session,
		settings: {
			pollIntervalMs: Math.round(pollInterval * 1000),
			timeoutMs: Math.round(timeout * 1000),
			...readCostOptions(options, operation, fail),
		},
		includeRawResponse: options.includeRawResponse === true,
		files: readFileOptions(ctx, itemIndex, operation, options),
	};
}

/**
 * "Parallel Tasks" is a setting of the node run, not of an item: read once, from the first item,
 * and validated once (an expression that differs per item cannot change it).
 */
export function readConcurrency(ctx: IExecuteFunctions): number {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency = options.concurrency === undefined ? 1 : toNumber(options.concurrency);
	if (!isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
		throw inputError(
			ctx.getNode(),
			0,
			`Parallel Tasks must be a whole number from 1 to ${MAX_CONCURRENCY} (got ${String(options.concurrency)})`,
		);
	}
	return concurrency;
}

/**
 * A text parameter's value (the Task, First Task, a guardrail Response). Text as it is, a number
 * or boolean turned into text; an expression that yields an object or an array is an error before
 * any request, so that no task is started with the text "[object Object]".
 */
export function readTextValue(
	ctx: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): string {
	const value = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value.trim();
	if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
		return String(value);
	}
	const kind = Array.isArray(value)
		? 'a list'
		: typeof value === 'object'
			? 'an object'
			: `a value of type ${typeof value}${typeof value === 'number' ? ` (${String(value)})` : ''}`;
	throw inputError(
		ctx.getNode(),
		itemIndex,
		`${label} must be text, but its expression gave ${kind}`,
		'Map a text field, for example {{ $json.task }}, or turn the value into text first, for ' +
			'example {{ JSON.stringify($json.data) }}. Nothing was sent to WebRun.',
	);
}

/** Reads a required, non-empty text parameter (see readTextValue). */
export function readText(
	ctx: IExecuteFunctions,
	name: string,
	label: string,
	itemIndex: number,
): string {
	const text = readTextValue(ctx, name, label, itemIndex);
	if (!text)
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`${label} is empty`,
			`Enter ${label.toLowerCase()} or map it from an earlier node with an expression.`,
		);
	return text;
}

/** Reads a session or task id: non-empty, no spaces, slashes or other characters ids never have. */
export function readId(
	ctx: IExecuteFunctions,
	name: 'sessionId' | 'taskId',
	itemIndex: number,
): string {
	const label = name === 'sessionId' ? 'Session ID' : 'Task ID';
	const value = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	const id = value === undefined || value === null ? '' : String(value).trim();
	if (!id) {
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`${label} is empty`,
			`Map it from the node that started the task, for example {{ $json.${name} }}.`,
		);
	}
	if (!ID_PATTERN.test(id)) {
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`${label} is not a valid WebRun ID: "${id.slice(0, 60)}"`,
			'WebRun IDs contain only letters, digits, "_", "-", "." or ":". Check the expression that provides it.',
		);
	}
	return id;
}
