import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { BYTES_PER_MB, DEFAULT_MAX_FILE_SIZE_MB, MAX_FILE_SIZE_MB } from '../../constants';
import { inputError } from '../../errors';
import type { Attachment, DownloadSettings } from '../../task/files';
import type { AppliesTo, ItemScope } from '../scope';
import { applies, showFor, TASK_OPERATIONS, WAITING_OPERATIONS } from '../scope';
import { toNumber } from './values';

/**
 * "Download Files", "Max File Size (MB)" and "Attach Files" (docs/webrun-api-notes.md#files): their
 * entries in the Options collection, and their reader.
 */

/** Operations that wait for a task, whose answer may list downloaded files. */
export const downloadAppliesTo: AppliesTo = { operations: WAITING_OPERATIONS };
/** Operations that send a task, which may carry uploaded files. */
export const attachAppliesTo: AppliesTo = { operations: TASK_OPERATIONS, newTaskOnly: true };

export const fileOptions: INodeProperties[] = [
	{
		displayName: 'Attach Files',
		name: 'attachBinaryProperties',
		type: 'string',
		default: '',
		placeholder: 'data, invoice',
		description:
			"Comma-separated names of the input item's binary properties " +
			'to give the agent. They are uploaded in one request, which counts ' +
			"against WebRun's 10 starts per minute.",
		displayOptions: showFor(attachAppliesTo),
	},
	{
		displayName: 'Download Files',
		name: 'downloadFiles',
		type: 'boolean',
		default: false,
		description:
			'Whether to download the files the agent downloaded into binary ' +
			'data on the item (file_0, file_1, … in the order of "files")',
		displayOptions: showFor(downloadAppliesTo),
	},
	{
		displayName: 'Max File Size (MB)',
		name: 'maxFileSizeMb',
		type: 'number',
		default: DEFAULT_MAX_FILE_SIZE_MB,
		typeOptions: { minValue: 0.01, maxValue: MAX_FILE_SIZE_MB, numberPrecision: 2 },
		description:
			'With Download Files: a larger file fails the item, without being ' +
			'read whole first (up to 1,024 MB; 1 MB = 1,048,576 bytes)',
		displayOptions: showFor(downloadAppliesTo),
	},
];

export interface FileOptions {
	/** Set when Download Files is on. */
	download?: DownloadSettings;
	/** The binary properties to upload, checked against the input item. */
	attach?: Attachment[];
}

/**
 * Reads the file options of one item from its Options collection. Every property named in
 * Attach Files must exist on the input item: checked here, before any request is sent.
 */
export function readFileOptions(
	ctx: IExecuteFunctions,
	itemIndex: number,
	at: ItemScope,
	options: IDataObject,
): FileOptions {
	const node = ctx.getNode();
	const result: FileOptions = {};
	if (applies(downloadAppliesTo, at) && options.downloadFiles === true) {
		const mb =
			options.maxFileSizeMb === undefined
				? DEFAULT_MAX_FILE_SIZE_MB
				: toNumber(options.maxFileSizeMb);
		if (!Number.isFinite(mb) || mb <= 0 || mb > MAX_FILE_SIZE_MB) {
			throw inputError(
				node,
				itemIndex,
				`Max File Size (MB) must be a number above 0 and at most ${MAX_FILE_SIZE_MB} ` +
					`(got ${String(options.maxFileSizeMb)})`,
			);
		}
		result.download = { maxBytes: Math.floor(mb * BYTES_PER_MB), maxMb: mb };
	}
	const names = String(options.attachBinaryProperties ?? '')
		.split(',')
		.map((name) => name.trim())
		.filter((name) => name !== '');
	if (applies(attachAppliesTo, at) && names.length) {
		const binary = ctx.getInputData()[itemIndex]?.binary ?? {};
		const attach: Attachment[] = [];
		for (const property of names) {
			const data = binary[property];
			if (!data) {
				const present = Object.keys(binary);
				throw inputError(
					node,
					itemIndex,
					`Attach Files: the input item has no binary property "${property}"`,
					present.length
						? `Its binary properties are: ${present.join(', ')}. Name them, separated by commas.`
						: 'The input item has no binary data. Read or download the file ' +
								'in an earlier node (e.g. Read/Write Files from Disk, HTTP Request).',
				);
			}
			if (attach.some((file) => file.property === property)) continue;
			attach.push({
				property,
				fileName: data.fileName || property,
				mimeType: data.mimeType || 'application/octet-stream',
			});
		}
		result.attach = attach;
	}
	return result;
}
