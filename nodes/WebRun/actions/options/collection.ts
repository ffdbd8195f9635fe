import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { inputError } from '../../errors';
import type { WaitSettings } from '../../task/context';
import type { SessionSpec } from '../../transport/requests';
import type { ItemScope } from '../scope';
import { costOptions, readCostOptions } from './cost';
import type { FileOptions } from './files';
import type { ReadOutputFormat } from './outputFormat';
import { fileOptions, readFileOptions } from './files';
import { proxyFields } from './proxy';
import { readSecretsOption, secretsField } from './secrets';
import { modeField, policyIdField, reachOutModeField, readSessionOptions } from './session';
import type { TaskOptions } from './task';
import { avoidDomainsField, limitFields, readTaskOptions, startFields } from './task';
import type { Fail } from './values';
import { concurrencyField, pollIntervalField, readWaitTimes, timeoutField } from './waiting';

/**
 * The one "Options" collection, shared by every operation: each option group (files, task, cost,
 * waiting, session, proxy, secrets) declares its entries and where they apply; here they are
 * listed in the editor's order and read together.
 */
export const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		...fileOptions,
		avoidDomainsField,
		{
			displayName: 'Include Raw Response',
			name: 'includeRawResponse',
			type: 'boolean',
			default: false,
			description: 'Whether to add the last raw WebRun API answer to the item, under "raw"',
		},
		...costOptions,
		...limitFields,
		modeField,
		concurrencyField,
		pollIntervalField,
		policyIdField,
		...proxyFields,
		reachOutModeField,
		secretsField,
		...startFields,
		timeoutField,
	],
};

export interface ReadOptions {
	/** The task settings of the options (the task text is added by the operation). */
	task: TaskOptions;
	session: SessionSpec;
	settings: WaitSettings;
	includeRawResponse: boolean;
	/** Download Files, Max File Size, Attach Files (files.ts). */
	files: FileOptions;
}

/**
 * Reads and validates the Options collection (and the Environment) of one item, group by group.
 * Throws before any request is sent. `hasTask` is false for a Start Session without First Task.
 */
export function readOptions(
	ctx: IExecuteFunctions,
	itemIndex: number,
	at: ItemScope,
	hasTask = true,
): ReadOptions {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const fail: Fail = (message, description) =>
		inputError(ctx.getNode(), itemIndex, message, description);
	const task = readTaskOptions(options, at, fail);
	const session = readSessionOptions(ctx, itemIndex, options, at, fail);
	const secrets = readSecretsOption(options, at, hasTask, fail);
	return {
		task: secrets ? { ...task, secrets } : task,
		session,
		settings: { ...readWaitTimes(options, at, fail), ...readCostOptions(options, at, fail) },
		includeRawResponse: options.includeRawResponse === true,
		files: readFileOptions(ctx, itemIndex, at, options),
	};
}

/**
 * The settings an item's task is sent with: its options, its Output Format and, with Attach
 * Files, a file list (the file IDs come from the upload, just before the start).
 */
export function taskSettings(
	options: ReadOptions,
	output: ReadOutputFormat,
): TaskOptions & ReadOutputFormat['task'] {
	return { ...options.task, ...output.task, ...(options.files.attach ? { files: [] } : {}) };
}
