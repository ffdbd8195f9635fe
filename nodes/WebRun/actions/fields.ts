import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { ID_PATTERN } from '../constants';
import { inputError } from '../errors';

/** The operations' own fields (Session ID, Task ID, Task) and their readers. */

/** Session ID and Task ID fields, shown for the operations that take them. */
export function sessionIdField(
	operations: string[],
	description: string,
	extra: Partial<INodeProperties> = {},
): INodeProperties {
	return {
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.sessionId }}',
		description,
		displayOptions: { show: { operation: operations } },
		...extra,
	};
}

export function taskIdField(
	displayOptions: INodeProperties['displayOptions'],
	description: string,
): INodeProperties {
	return {
		displayName: 'Task ID',
		name: 'taskId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. {{ $json.taskId }}',
		description,
		displayOptions,
	};
}

/** The task text ("taskDetails"), shown for the operations that send a task. */
export function taskDetailsField(
	displayOptions: INodeProperties['displayOptions'],
	text: { displayName?: string; placeholder: string; description: string; required?: boolean },
): INodeProperties {
	return {
		displayName: text.displayName ?? 'Task',
		name: 'taskDetails',
		type: 'string',
		typeOptions: { rows: 4 },
		required: text.required ?? true,
		default: '',
		placeholder: text.placeholder,
		description: text.description,
		displayOptions,
	};
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
