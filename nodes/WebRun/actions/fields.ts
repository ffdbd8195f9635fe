import type { INodeProperties } from 'n8n-workflow';

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
