import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { searchEnvironments } from './actions/methods/listSearch';
import { description as controlSession } from './actions/operations/controlSession.operation';
import { description as getTask } from './actions/operations/getTask.operation';
import { description as runTask } from './actions/operations/runTask.operation';
import { description as sendMessage } from './actions/operations/sendMessage.operation';
import { description as startSession } from './actions/operations/startSession.operation';
import { optionsProperty } from './actions/options/collection';
import { hideSecretParameters } from './actions/options/secrets';
import { environmentProperty } from './actions/options/session';
import { router } from './actions/router';
import type { OperationName } from './actions/scope';
import { OPERATION_LABELS, outputCount } from './actions/scope';

/**
 * Outputs per operation (scope.ts, outputCount): the waiting operations have "Completed" and
 * "Guardrail", the others one. n8n evaluates this expression from the parameters, so it is plain
 * text (no imports or closures in it).
 */
const ONE_OUTPUT = JSON.stringify(
	(Object.keys(OPERATION_LABELS) as OperationName[]).filter((name) => outputCount(name) === 1),
);
const OUTPUTS: `={{${string}}}` = `={{ ${ONE_OUTPUT}.includes($parameter["operation"]) ? [{ "type": "main" }] : [{ "type": "main", "displayName": "Completed" }, { "type": "main", "displayName": "Guardrail" }] }}`;

export class WebRun implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WebRun',
		name: 'webRun',
		icon: { light: 'file:../../icons/webrun.svg', dark: 'file:../../icons/webrun.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ {"runTask":"Run Task","startSession":"Start Session","sendMessage":"Send Message","controlSession":"Control Session","getTask":"Get Task"}[$parameter["operation"]] }}',
		description:
			'Run an AI agent in a real cloud Chrome browser (WebRun, formerly Enigma) and wait for its answer',
		defaults: { name: 'WebRun' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTPUTS,
		credentials: [{ name: 'webRunApi', required: true }],
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Control Session',
						value: 'controlSession',
						description: 'Pause, resume, stop or terminate a session',
						action: 'Control session',
					},
					{
						name: 'Get Task',
						value: 'getTask',
						description: 'Get a task by its IDs, and optionally wait for it to finish',
						action: 'Get task',
					},
					{
						name: 'Run Task',
						value: 'runTask',
						description: 'Run one task in a new browser session and wait for the answer',
						action: 'Run task',
					},
					{
						name: 'Send Message',
						value: 'sendMessage',
						description:
							'Send a new task to a session, or answer a guardrail, and wait for the answer',
						action: 'Send message to session',
					},
					{
						name: 'Start Session',
						value: 'startSession',
						description:
							'Open a browser session for several tasks in a row, with an optional first task',
						action: 'Start session',
					},
				],
				default: 'runTask',
			},
			...runTask,
			...startSession,
			...sendMessage,
			...controlSession,
			...getTask,
			environmentProperty,
			optionsProperty,
		],
	};

	methods = {
		listSearch: { searchEnvironments },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		try {
			return await router.call(this);
		} catch (error) {
			// Whatever stops the node is an n8n error whose copy of the parameters shows no secret.
			const nodeError =
				error instanceof NodeApiError || error instanceof NodeOperationError
					? error
					: new NodeOperationError(this.getNode(), error as Error);
			throw hideSecretParameters(nodeError);
		}
	}
}
