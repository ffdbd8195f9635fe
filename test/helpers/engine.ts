/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	@n8n/community-nodes/no-restricted-imports --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * Runs workflows containing the WebRun node through n8n's real execution engine
 * (n8n-core's WorkflowExecute), the way n8n's own node test harness does
 * (packages/core/nodes-testing/node-test-harness.ts), but against our loopback simulator
 * instead of nock, and with the credential's generic Bearer authentication really applied.
 */
import { Container } from '@n8n/di';
import { ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } from 'n8n-core';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createDeferredPromise, ICredentialsHelper, NodeHelpers, Workflow } from 'n8n-workflow';

import { WebRunApi } from '../../credentials/WebRunApi.credentials';
import { MAX_SLEEP_CHUNK_MS } from '../../nodes/WebRun/constants';
import { WebRun } from '../../nodes/WebRun/WebRun.node';

/**
 * Closes what n8n-core keeps open after workflows ran, so the process can exit on its own.
 * n8n-core's SSHClientsManager, created with the first node execution context, keeps a 60 s
 * cleanup setInterval that only its onShutdown() clears (n8n calls it when the server stops); found
 * with an async_hooks trace of the handles left after a test file. Each Jest test file has its own
 * module registry, so its own instance. Scripts (demo, bench) call it when they are done.
 */
export function shutdownEngine() {
	Container.get(SSHClientsManager).onShutdown();
}

// This helper also serves the demo and the benchmark, where Jest's globals do not exist.
if (typeof afterAll === 'function') {
	afterAll(shutdownEngine);
	// The node waits in chunks of at most MAX_SLEEP_CHUNK_MS through n8n-workflow's sleep, which has
	// no cancel: a chunk that lost its race to a cancel or a wake-up stays armed until it fires.
	// Letting the last one run out lets the Jest worker exit by itself (otherwise: "A worker process
	// has failed to exit gracefully", seen with async_hooks as n8n-workflow sleep timers alive after
	// the file).
	afterAll(() => new Promise((resolve) => setTimeout(resolve, MAX_SLEEP_CHUNK_MS)));
}

export const NODE_TYPE = 'n8n-nodes-webrun.webRun';
export const TEST_API_KEY = 'wr_test_dummy_0123456789abcdefSECRET';

/** A node type that only passes items through (stands in for n8n's NoOp node). */
class PassThrough implements INodeType {
	description = {
		displayName: 'Pass Through',
		name: 'passThrough',
		group: ['transform'],
		version: 1,
		description: 'Passes items through',
		defaults: { name: 'Pass Through' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	} as unknown as INodeType['description'];

	async execute(this: import('n8n-workflow').IExecuteFunctions) {
		return [this.getInputData()];
	}
}

/** The start node: emits the items given in its `items` parameter. */
class ItemsSource implements INodeType {
	description = {
		displayName: 'Items Source',
		name: 'itemsSource',
		group: ['input'],
		version: 1,
		description: 'Emits test items',
		defaults: { name: 'Start' },
		inputs: [],
		outputs: ['main'],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'json', default: '[]' },
			// true: `items` holds whole items ({ json, binary }), e.g. with base64 binary data.
			{ displayName: 'Full Items', name: 'fullItems', type: 'boolean', default: false },
		],
	} as unknown as INodeType['description'];

	async execute(this: import('n8n-workflow').IExecuteFunctions) {
		const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
		const list = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject[];
		const full = this.getNodeParameter('fullItems', 0, false) as boolean;
		const item = (entry: IDataObject) =>
			full ? (entry as unknown as INodeExecutionData) : { json: entry };
		return [list.map(item)];
	}
}

export const webRunNode = new WebRun();

/**
 * Like jest-mock-extended's mock() (which n8n's harness uses), without needing jest: any property
 * not set explicitly reads as a no-op function, so the engine can call optional hooks.
 */
function looseMock<T extends object>(): T {
	const fns = new Map<PropertyKey, () => undefined>();
	return new Proxy({} as Record<PropertyKey, unknown>, {
		get(target, prop) {
			if (prop in target) return target[prop];
			if (prop === 'then' || typeof prop === 'symbol') return undefined;
			if (!fns.has(prop)) fns.set(prop, () => undefined);
			return fns.get(prop);
		},
	}) as T;
}

/** `webRunTool` mimics the tool variant n8n builds for `usableAsTool` nodes (same code). */
export class TestNodeTypes implements INodeTypes {
	private types: Record<string, INodeType> = {
		[NODE_TYPE]: webRunNode,
		[`${NODE_TYPE}Tool`]: webRunNode,
		'test.itemsSource': new ItemsSource(),
		'test.passThrough': new PassThrough(),
	};

	getByName(name: string) {
		return this.types[name];
	}

	getByNameAndVersion(name: string) {
		return this.types[name];
	}

	getKnownTypes() {
		return {};
	}
}

/** Resolves `={{$credentials.x}}` templates of a generic credential definition. */
export function resolveCredentialTemplate(
	template: string,
	credentials: ICredentialDataDecryptedObject,
): string {
	const body = template.startsWith('=') ? template.slice(1) : template;
	return body.replace(/\{\{\s*\$credentials\.([A-Za-z0-9_]+)\s*\}\}/g, (_, key: string) =>
		String(credentials[key] ?? ''),
	);
}

/** Applies a credential type's generic `authenticate` block, as n8n's CredentialsHelper does. */
export function applyGenericAuth(
	type: ICredentialType,
	credentials: ICredentialDataDecryptedObject,
	request: IHttpRequestOptions,
): IHttpRequestOptions {
	const auth = type.authenticate;
	if (!auth || typeof auth === 'function' || auth.type !== 'generic') return request;
	const headers = { ...(request.headers ?? {}) } as IDataObject;
	for (const [name, value] of Object.entries(auth.properties.headers ?? {})) {
		headers[name] = resolveCredentialTemplate(String(value), credentials);
	}
	return { ...request, headers };
}

class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes() {
		return [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		request: IHttpRequestOptions,
	) {
		if (typeName !== 'webRunApi') return request;
		return applyGenericAuth(new WebRunApi(), credentials, request);
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used in tests');
	}

	async getDecrypted(_a: unknown, _n: unknown, type: string) {
		return this.data[type] ?? {};
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties() {
		return [];
	}

	isCredentialUsableByNode() {
		return true;
	}
}

export interface RunOptions {
	/** Parameters of the WebRun node. */
	parameters: IDataObject;
	/** Items fed into the WebRun node (default: one empty item). */
	items?: IDataObject[];
	/** Whole items fed into the WebRun node instead, e.g. with binary data (base64 `data`). */
	inputItems?: INodeExecutionData[];
	baseUrl: string;
	apiKey?: string;
	/** Other fields of the WebRun credential, e.g. `{ apiFormat: 'w2' }`. */
	credential?: IDataObject;
	/** n8n's "On Error" setting of the WebRun node. */
	onError?: INode['onError'];
	/** Run the node as an AI tool (node type `…webRunTool`). */
	asTool?: boolean;
	/** Called with the running execution, e.g. to cancel it. */
	onStart?: (execution: { cancel: () => void }) => void;
	mode?: WorkflowExecuteMode;
}

export interface RunResult {
	run: IRun;
	/** Items on each output of the WebRun node (index 0 = Completed, 1 = Guardrail, …). */
	outputs: INodeExecutionData[][];
	completed: INodeExecutionData[];
	guardrail: INodeExecutionData[];
	/** Items that reached the node wired to each output (proves the engine routes them). */
	downstream: {
		completed: INodeExecutionData[];
		guardrail: INodeExecutionData[];
		error: INodeExecutionData[];
	};
	/** The node's error, when it failed. */
	error?: Error & { description?: string; context?: IDataObject; httpCode?: string };
	/** Output names as n8n computes them for the editor. */
	outputNames: string[];
}

/**
 * Builds the workflow  Start → WebRun ─┬─ Completed → "On Completed"
 *                                      ├─ Guardrail → "On Guardrail"
 *                                      └─ (error output) → "On Error"
 * and runs it with WorkflowExecute.
 */
export async function runWorkflow(options: RunOptions): Promise<RunResult> {
	const nodeTypes = new TestNodeTypes();
	const webRunType = options.asTool ? `${NODE_TYPE}Tool` : NODE_TYPE;
	const nodes: INode[] = [
		{
			id: '1',
			name: 'Start',
			type: 'test.itemsSource',
			typeVersion: 1,
			position: [0, 0],
			parameters: options.inputItems
				? { items: JSON.stringify(options.inputItems), fullItems: true }
				: { items: JSON.stringify(options.items ?? [{}]) },
		},
		{
			id: '2',
			name: 'WebRun',
			type: webRunType,
			typeVersion: 1,
			position: [200, 0],
			parameters: options.parameters as INode['parameters'],
			credentials: { webRunApi: { id: '1', name: 'WebRun account' } },
			...(options.onError ? { onError: options.onError } : {}),
		},
		{
			id: '3',
			name: 'On Completed',
			type: 'test.passThrough',
			typeVersion: 1,
			position: [400, -100],
			parameters: {},
		},
		{
			id: '4',
			name: 'On Guardrail',
			type: 'test.passThrough',
			typeVersion: 1,
			position: [400, 100],
			parameters: {},
		},
		{
			id: '5',
			name: 'On Error',
			type: 'test.passThrough',
			typeVersion: 1,
			position: [400, 300],
			parameters: {},
		},
	];
	const isControl = options.parameters.operation === 'controlSession';
	const webRunOutputs: Array<Array<{ node: string; type: 'main'; index: number }>> = [
		[{ node: 'On Completed', type: 'main', index: 0 }],
	];
	if (!isControl) webRunOutputs.push([{ node: 'On Guardrail', type: 'main', index: 0 }]);
	if (options.onError === 'continueErrorOutput')
		webRunOutputs.push([{ node: 'On Error', type: 'main', index: 0 }]);
	const connections = {
		Start: { main: [[{ node: 'WebRun', type: 'main' as const, index: 0 }]] },
		WebRun: { main: webRunOutputs },
	};
	const workflow = new Workflow({
		id: 'test',
		nodes,
		connections,
		nodeTypes,
		active: false,
		settings: {},
	});

	const credentialsHelper = new TestCredentialsHelper({
		webRunApi: {
			apiKey: options.apiKey ?? TEST_API_KEY,
			baseUrl: options.baseUrl,
			...options.credential,
		},
	});
	const hooks = new ExecutionLifecycleHooks('trigger', '1', looseMock<IWorkflowBase>());
	const done = createDeferredPromise<IRun>();
	hooks.addHandler('workflowExecuteAfter', (fullRunData) => done.resolve(fullRunData));
	const additionalData = looseMock<IWorkflowExecuteAdditionalData>();
	additionalData.hooks = hooks;
	additionalData.currentNodeParameters = undefined;
	additionalData.credentialsHelper = credentialsHelper;
	// Binary data is stored per execution (filesystem mode: under this id).
	additionalData.executionId = 'test-execution';

	const startNode = workflow.getNode('Start') as INode;
	const runExecutionData: IRunExecutionData = {
		resultData: { runData: {} },
		executionData: {
			metadata: {},
			contextData: {},
			waitingExecution: {},
			waitingExecutionSource: null,
			nodeExecutionStack: [{ node: startNode, data: { main: [[{ json: {} }]] }, source: null }],
		},
	} as unknown as IRunExecutionData;

	const execute = new WorkflowExecute(additionalData, options.mode ?? 'manual', runExecutionData);
	const running = execute.processRunExecutionData(workflow);
	options.onStart?.({ cancel: () => running.cancel() });
	let run: IRun;
	try {
		run = await running;
	} catch {
		// A cancelled PCancelable rejects; the hook still reports the final run data.
		run = await done.promise;
	}
	const runData = run.data.resultData.runData;
	const webRunTask = runData.WebRun?.[0];
	const outputs = (webRunTask?.data?.main ?? []).map((items) => items ?? []);
	const itemsOf = (name: string) => runData[name]?.[0]?.data?.main?.[0] ?? [];
	const description = nodeTypes.getByName(webRunType).description;
	const outputNames = NodeHelpers.getNodeOutputs(
		workflow,
		workflow.getNode('WebRun') as INode,
		description,
	).map((o) => (typeof o === 'string' ? o : (o.displayName ?? o.type)));
	return {
		run,
		outputs,
		completed: outputs[0] ?? [],
		guardrail: isControl ? [] : (outputs[1] ?? []),
		downstream: {
			completed: itemsOf('On Completed'),
			guardrail: itemsOf('On Guardrail'),
			error: itemsOf('On Error'),
		},
		error: (webRunTask?.error ?? run.data.resultData.error) as RunResult['error'],
		outputNames,
	};
}

/** Every string that left the node in a run: items, errors, descriptions. For key scans. */
export function everythingVisible(result: RunResult): string {
	return JSON.stringify({
		outputs: result.outputs,
		downstream: result.downstream,
		error: result.error
			? {
					message: result.error.message,
					description: result.error.description,
					context: result.error.context,
					stack: result.error.stack,
					cause: (result.error as { cause?: unknown }).cause,
				}
			: null,
		runError: result.run.data.resultData.error,
	});
}

/**
 * Calls one of the node's `methods.listSearch` functions the way the editor does: in n8n-core's
 * real LoadOptionsContext, so `httpRequestWithAuthentication` applies the credential for real.
 */
export async function listSearch(options: {
	method: string;
	filter?: string;
	baseUrl: string;
	apiKey?: string;
	credential?: IDataObject;
}) {
	const nodeTypes = new TestNodeTypes();
	const node: INode = {
		id: '2',
		name: 'WebRun',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { operation: 'runTask' },
		credentials: { webRunApi: { id: '1', name: 'WebRun account' } },
	};
	const workflow = new Workflow({
		id: 'test',
		nodes: [node],
		connections: {},
		nodeTypes,
		active: false,
		settings: {},
	});
	const additionalData = looseMock<IWorkflowExecuteAdditionalData>();
	additionalData.credentialsHelper = new TestCredentialsHelper({
		webRunApi: {
			apiKey: options.apiKey ?? TEST_API_KEY,
			baseUrl: options.baseUrl,
			...options.credential,
		},
	});
	additionalData.currentNodeParameters = node.parameters;
	const path = 'parameters.environmentId';
	const context = new LoadOptionsContext(workflow, node, additionalData, path);
	const search = (webRunNode as INodeType).methods?.listSearch?.[options.method];
	if (!search) throw new Error(`the node has no listSearch method ${options.method}`);
	return await search.call(context, options.filter);
}
