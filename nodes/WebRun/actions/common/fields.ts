import type { INodeProperties } from 'n8n-workflow';

/** Session ID and Task ID fields, shown for the operations that take them. */
export function sessionIdField(operations: string[], description: string, extra: Partial<INodeProperties> = {}): INodeProperties {
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

export function taskIdField(displayOptions: INodeProperties['displayOptions'], description: string): INodeProperties {
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
