/**
 * The normalization against every documented response shape: the JSON examples of
 * WebRun's and Enigma's public docs (docs/webrun-api-notes.md#sources lists the pages),
 * copied verbatim (ids written "…" in the reference are given sample values here).
 */
import {
	isValidId,
	normalizeSession,
	normalizeTaskResponse,
	normalizeUsage,
	taskFields,
} from '../../../nodes/WebRun/task/read';

const S = 'a1b2c3d4e5f6';
const T = 'x9y8z7w6v5u4';

describe('completed results', () => {
	test('E-inline run-task (rest-api, index.mdx, seed enigma-sync-vs-async): result nested, status "complete", usage in result', () => {
		const body = {
			success: true,
			sessionId: S,
			taskId: T,
			status: 'complete',
			result: {
				type: 'task_completed',
				data: {
					message: 'Successfully searched for Anthropic on Google',
					completion_time: 23.5,
					prompt_tokens: 12450,
					completion_tokens: 3200,
					total_tokens: 15650,
				},
				usage: { cost: 0.0124 },
			},
		};
		const task = normalizeTaskResponse(body);
		expect(task.state).toBe('completed');
		expect(taskFields(task, {})).toEqual({
			status: 'completed',
			sessionId: S,
			taskId: T,
			message: 'Successfully searched for Anthropic on Google',
			usage: {
				promptTokens: 12450,
				completionTokens: 3200,
				totalTokens: 15650,
				completionTime: 23.5,
				cost: 0.0124,
			},
		});
	});

	test('E-inline without result.usage (introduction@06cc9f09, endpoints@d52b4b7b)', () => {
		const task = normalizeTaskResponse({
			success: true,
			sessionId: S,
			taskId: T,
			status: 'complete',
			result: {
				type: 'task_completed',
				data: {
					message: 'Done',
					completion_time: 12,
					prompt_tokens: 10,
					completion_tokens: 5,
					total_tokens: 15,
				},
			},
		});
		expect(task).toMatchObject({
			state: 'completed',
			message: 'Done',
			usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15, completionTime: 12 },
		});
		expect(task.usage?.cost).toBeUndefined();
	});

	test('E events.mdx variant: result.success instead of result.type', () => {
		const task = normalizeTaskResponse({
			success: true,
			sessionId: S,
			taskId: T,
			status: 'complete',
			result: { success: true, data: { message: 'ok' } },
		});
		expect(task).toMatchObject({ state: 'completed', message: 'ok' });
	});

	test('E send-message inline: result without status (multi-task seed)', () => {
		const task = normalizeTaskResponse({
			success: true,
			sessionId: S,
			taskId: T,
			result: { type: 'task_completed', data: { message: 'Added item to cart' } },
		});
		expect(taskFields(task, {})).toEqual({
			status: 'completed',
			sessionId: S,
			taskId: T,
			message: 'Added item to cart',
		});
	});

	// Where each answer shape writes the tokens, times and cost: one usage object out.
	test.each<[string, object, object]>([
		[
			'E send-message inline with tokens (introduction@06cc9f09)',
			{
				success: true,
				sessionId: S,
				taskId: T,
				result: {
					type: 'task_completed',
					data: {
						message: 'Found 50 laptop results',
						prompt_tokens: 8500,
						completion_tokens: 2300,
						total_tokens: 10800,
					},
				},
			},
			{ promptTokens: 8500, completionTokens: 2300, totalTokens: 10800 },
		],
		[
			'W send-message inline (endpoints@076c0bc8)',
			{
				success: true,
				sessionId: S,
				taskId: T,
				type: 'task_completed',
				data: { message: 'x', files: [], network: [] },
				usage: {
					prompt_tokens: 8500,
					completion_tokens: 2300,
					total_tokens: 10800,
					completion_time: 18.3,
					cost: 0.0087,
				},
			},
			{
				promptTokens: 8500,
				completionTokens: 2300,
				totalTokens: 10800,
				completionTime: 18.3,
				cost: 0.0087,
			},
		],
		[
			'seed enigma-sync-vs-async poll completed: tokens in data, cost in usage',
			{
				success: true,
				type: 'task_completed',
				data: {
					message: 'Task finished successfully',
					prompt_tokens: 15420,
					completion_tokens: 4200,
					total_tokens: 19620,
					completion_time: 87.3,
				},
				usage: { cost: 0.0187 },
			},
			{
				promptTokens: 15420,
				completionTokens: 4200,
				totalTokens: 19620,
				completionTime: 87.3,
				cost: 0.0187,
			},
		],
		[
			'audit copy of an intro version: data{message,total_tokens,completion_time} + usage{inputTokens,outputTokens,cost}',
			{
				success: true,
				type: 'task_completed',
				data: { message: 'm', total_tokens: 15650, completion_time: 23.5 },
				usage: { inputTokens: 12450, outputTokens: 3200, cost: 0.0124 },
			},
			{
				promptTokens: 12450,
				completionTokens: 3200,
				totalTokens: 15650,
				completionTime: 23.5,
				cost: 0.0124,
			},
		],
		[
			'WS task_completed (events.mdx): usage nested inside data',
			{
				type: 'task_completed',
				taskId: T,
				data: {
					message: 'Task completed successfully',
					prompt_tokens: 15420,
					completion_tokens: 8230,
					total_tokens: 23650,
					completion_time: 45.3,
					usage: { cost: 0.0234 },
				},
			},
			{
				promptTokens: 15420,
				completionTokens: 8230,
				totalTokens: 23650,
				completionTime: 45.3,
				cost: 0.0234,
			},
		],
	])('%s: usage', (_, body, usage) => {
		expect(normalizeTaskResponse(body).usage).toEqual(usage);
	});

	test('W-inline (seed webrun-sync-vs-async, endpoints@099408d9): top-level type/data/usage with files and network', () => {
		const network = [
			{
				id: 'tevo9',
				taskId: T,
				urls: [{ url: 'https://www.google.com/search?q=Anthropic', timestamp: 1771138379087.646 }],
			},
		];
		const body = {
			success: true,
			sessionId: S,
			taskId: T,
			type: 'task_completed',
			data: { message: 'Successfully searched for Anthropic on Google', files: [], network },
			usage: {
				prompt_tokens: 12450,
				completion_tokens: 3200,
				total_tokens: 15650,
				completion_time: 23.5,
				cost: 0.0124,
			},
		};
		expect(taskFields(normalizeTaskResponse(body), {})).toEqual({
			status: 'completed',
			sessionId: S,
			taskId: T,
			message: 'Successfully searched for Anthropic on Google',
			files: [],
			network,
			usage: {
				promptTokens: 12450,
				completionTokens: 3200,
				totalTokens: 15650,
				completionTime: 23.5,
				cost: 0.0124,
			},
		});
	});

	test('earlier W pages: data has only message (quickstart, introduction@42911f6f)', () => {
		const item = taskFields(
			normalizeTaskResponse({
				success: true,
				sessionId: S,
				taskId: T,
				type: 'task_completed',
				data: { message: 'm' },
			}),
			{},
		);
		expect(item).toEqual({ status: 'completed', sessionId: S, taskId: T, message: 'm' });
		expect(item).not.toHaveProperty('files');
	});

	test('E poll completed: tokens in data, inputTokens/outputTokens/computeTime in usage, completedAt', () => {
		const body = {
			success: true,
			type: 'task_completed',
			data: {
				message: 'Task finished successfully',
				prompt_tokens: 12450,
				completion_tokens: 3200,
				total_tokens: 15650,
				completion_time: 23.5,
			},
			usage: { inputTokens: 12450, outputTokens: 3200, computeTime: 5, cost: 0.0124 },
			completedAt: '2024-01-15T10:30:00Z',
		};
		// Poll answers carry no ids: the ids the node polled with are used.
		expect(taskFields(normalizeTaskResponse(body), { sessionId: S, taskId: T })).toEqual({
			status: 'completed',
			sessionId: S,
			taskId: T,
			message: 'Task finished successfully',
			completedAt: '2024-01-15T10:30:00Z',
			usage: {
				promptTokens: 12450,
				completionTokens: 3200,
				totalTokens: 15650,
				completionTime: 23.5,
				computeTime: 5,
				cost: 0.0124,
			},
		});
	});

	test('W poll completed with files (§2.4)', () => {
		const files = [
			{
				source: 'https://example.com/report.zip',
				downloadUrl: 'https://blobs.webrun.ai/files/report.zip',
				filename: 'report.zip',
				timestamp: 1771138379108,
			},
		];
		const task = normalizeTaskResponse({
			success: true,
			sessionId: S,
			taskId: T,
			type: 'task_completed',
			data: {
				message: 'Task finished successfully',
				files,
				network: [
					{
						id: 'tevo9',
						taskId: T,
						urls: [{ url: 'https://example.com/api/data', timestamp: 1771138379087.646 }],
					},
				],
			},
			usage: {
				prompt_tokens: 12450,
				completion_tokens: 3200,
				total_tokens: 15650,
				completion_time: 23.5,
				cost: 0.0124,
			},
			completedAt: '2024-01-15T10:30:00Z',
		});
		expect(task).toMatchObject({ state: 'completed', files, completedAt: '2024-01-15T10:30:00Z' });
	});

	test('webhook full_response (§5.1): E tokens in data, usage with computeTime', () => {
		const task = normalizeTaskResponse({
			type: 'task_completed',
			sessionId: 'sess_abc123',
			taskId: 'task_xyz789',
			data: {
				message: '{"title":"Product Name","price":29.99}',
				prompt_tokens: 8500,
				completion_tokens: 2300,
				total_tokens: 10800,
				completion_time: 12.5,
			},
			usage: { inputTokens: 8500, outputTokens: 2300, computeTime: 12.5, cost: 0.0124 },
			completedAt: '2024-01-15T10:30:00.000Z',
		});
		expect(task).toMatchObject({
			state: 'completed',
			message: '{"title":"Product Name","price":29.99}',
			sessionId: 'sess_abc123',
		});
	});

	test('MCP get_task_status completed: status "completed"', () => {
		const task = normalizeTaskResponse({
			success: true,
			status: 'completed',
			type: 'task_completed',
			data: { message: 'x', prompt_tokens: 1 },
			usage: { cost: 0.0124 },
		});
		expect(task.state).toBe('completed');
	});
});

describe('pending and running', () => {
	const pending: Array<[string, object]> = [
		[
			'E run-task: status pending + message',
			{
				success: true,
				sessionId: S,
				taskId: T,
				status: 'pending',
				pollUrl: `https://connect.enigma.click/task/${S}/${T}`,
				message: 'Task still running. Poll GET /task/:sessionId/:taskId for result.',
			},
		],
		[
			'response-formats: status pending and pending true',
			{
				success: true,
				sessionId: S,
				taskId: T,
				status: 'pending',
				pending: true,
				pollUrl: 'x',
				message: 'Task still running.',
			},
		],
		[
			'W quickstart: no message',
			{ success: true, sessionId: 'a1b2c3', taskId: 'x9y8z7', status: 'pending', pollUrl: '…' },
		],
		['E overview: no ids', { success: true, status: 'pending', pollUrl: '…' }],
		[
			'E send-message: pending true, no status',
			{
				success: true,
				sessionId: S,
				taskId: T,
				pending: true,
				pollUrl: 'https://connect.enigma.click/task/a/b',
				message: 'Task still running.',
			},
		],
		[
			'multi-task guide: pending true, no message',
			{ success: true, sessionId: S, taskId: T, pending: true, pollUrl: '…' },
		],
		[
			'E poll running: active + pending + inputTokens',
			{
				success: true,
				status: 'active',
				pending: true,
				usage: { inputTokens: 8000, outputTokens: 2100, computeTime: 3, cost: 0.0067 },
			},
		],
		[
			'W poll running: status running, snake usage',
			{
				success: true,
				sessionId: S,
				taskId: T,
				status: 'running',
				usage: {
					prompt_tokens: 8000,
					completion_tokens: 2100,
					total_tokens: 10100,
					completion_time: 12.3,
					cost: 0.0067,
				},
			},
		],
		['old pricing page: pending + cost only', { pending: true, usage: { cost: 0.0045 } }],
		['tasks concept: started', { success: true, status: 'started' }],
	];
	test.each(pending)('%s → running', (_, body) => {
		expect(normalizeTaskResponse(body).state).toBe('running');
		// Documented running states keep the node polling: nothing flagged.
		expect(normalizeTaskResponse(body).unknownStatus).toBeUndefined();
		expect(normalizeTaskResponse(body).stateless).toBeUndefined();
	});

	test('the pollUrl and usage of a running answer are kept', () => {
		const task = normalizeTaskResponse({
			success: true,
			status: 'active',
			pending: true,
			usage: { inputTokens: 8000, outputTokens: 2100, computeTime: 3, cost: 0.0067 },
		});
		expect(task.usage).toEqual({
			promptTokens: 8000,
			completionTokens: 2100,
			computeTime: 3,
			cost: 0.0067,
		});
		expect(
			normalizeTaskResponse({ status: 'pending', pollUrl: 'https://x/task/a/b' }).pollUrl,
		).toBe('https://x/task/a/b');
	});

	test('a start-session answer (no task state) is not mistaken for a finished task', () => {
		const task = normalizeTaskResponse({
			success: true,
			sessionId: S,
			socketURL: 'https://connect.webrun.ai',
			expiresIn: 300000,
			balance: 12.5,
			message: 'Connect to instance using sessionId in auth',
		});
		expect(task.state).toBe('running');
		// The documented accepted shape of a start: no state at all, which a poll may not be.
		expect(task.stateless).toBe(true);
		expect(task.unknownStatus).toBeUndefined();
	});
});

describe('states the docs do not name (issue 18 case 12)', () => {
	test.each([
		['a status such as "cancelled"', { success: true, status: 'cancelled' }, 'cancelled'],
		['upper case, with pending: true', { status: 'EXPLODED', pending: true }, 'exploded'],
		['with success: false', { success: false, status: 'orphaned' }, 'orphaned'],
		['a number', { status: 7 }, '7'],
		['an unknown type without status', { success: true, type: 'task_vanished' }, 'task_vanished'],
		['an unknown type in result', { result: { type: 'weird' } }, 'weird'],
	])('%s is reported, still "running" for code that only reads states', (_, body, status) => {
		const task = normalizeTaskResponse(body);
		expect(task.state).toBe('running');
		expect(task.unknownStatus).toBe(status);
	});

	test.each([
		['an empty object', {}],
		['success only', { success: true }],
		['pending: false', { pending: false }],
		['a status that is an object', { status: { value: 'running' } }],
		['not an object at all', [1, 2]],
		['null', null],
	])('%s shows no state', (_, body) => {
		expect(normalizeTaskResponse(body).stateless).toBe(true);
	});

	test('every documented terminal state is still read as before', () => {
		expect(normalizeTaskResponse({ status: 'stopped' }).state).toBe('terminated');
		expect(normalizeTaskResponse({ success: false, error: 'x' }).state).toBe('failed');
		expect(normalizeTaskResponse({ status: 'completed' }).state).toBe('completed');
		expect(normalizeTaskResponse({ type: 'guardrail_trigger', data: {} }).state).toBe('guardrail');
	});
});

describe('isValidId (issue 18 case 13)', () => {
	test.each(['a1b2c3d4e5f6', 'sess-1_a.b:c', '7', 'a..b'])('%s may go into a path', (id) => {
		expect(isValidId(id)).toBe(true);
	});
	test.each(['..', '.', '', 'abc/def', 'a b', '../x', 'a%2Fb', '-a', 'x'.repeat(129), 'a\nb'])(
		'%j may not',
		(id) => {
			expect(isValidId(id)).toBe(false);
		},
	);
	test('non-strings are not IDs', () => {
		expect(isValidId(12)).toBe(false);
		expect(isValidId(undefined)).toBe(false);
	});
});

describe('guardrail', () => {
	test.each([
		[
			'REST poll (§2.4, seeds)',
			{
				success: true,
				type: 'guardrail_trigger',
				data: { type: 'human_input_needed', value: 'I need login credentials to proceed' },
			},
		],
		[
			'WS message (§4.2)',
			{
				type: 'guardrail_trigger',
				data: { type: 'human_input_needed', value: 'I need login credentials to proceed' },
			},
		],
	])('%s', (_, body) => {
		const task = normalizeTaskResponse(body);
		expect(task.state).toBe('guardrail');
		expect(taskFields(task, { sessionId: S, taskId: T })).toEqual({
			status: 'guardrail',
			sessionId: S,
			taskId: T,
			guardrail: { type: 'human_input_needed', value: 'I need login credentials to proceed' },
		});
	});

	test('guardrail inline with ids keeps them', () => {
		const task = normalizeTaskResponse({
			success: true,
			sessionId: S,
			taskId: T,
			type: 'guardrail_trigger',
			data: { type: 'human_input_needed', value: 'v' },
		});
		expect(taskFields(task, {})).toMatchObject({ sessionId: S, taskId: T });
	});
});

describe('failed and terminated', () => {
	test('E failed without code (introduction@06cc9f09)', () => {
		const task = normalizeTaskResponse({
			success: false,
			status: 'failed',
			error: 'Navigation timeout after 30 seconds',
			usage: { inputTokens: 5000, outputTokens: 1200, computeTime: 2, cost: 0.0045 },
		});
		expect(task).toMatchObject({ state: 'failed', error: 'Navigation timeout after 30 seconds' });
		expect(task.code).toBeUndefined();
		expect(task.usage).toEqual({
			promptTokens: 5000,
			completionTokens: 1200,
			computeTime: 2,
			cost: 0.0045,
		});
	});

	// Each documented failed or terminated answer, and what the node reads from it.
	test.each<[string, object, object]>([
		[
			'W failed with code and usage',
			{
				success: false,
				sessionId: S,
				taskId: T,
				status: 'failed',
				error: 'Navigation timeout after 30 seconds',
				code: 'NAVIGATION_TIMEOUT',
				usage: {
					prompt_tokens: 5000,
					completion_tokens: 1200,
					total_tokens: 6200,
					completion_time: 30.0,
					cost: 0.0045,
				},
			},
			{ state: 'failed', code: 'NAVIGATION_TIMEOUT', sessionId: S, taskId: T },
		],
		[
			'response-model / seeds failed: no usage',
			{
				success: false,
				status: 'failed',
				error: 'Navigation timeout after 30 seconds',
				code: 'NAVIGATION_TIMEOUT',
			},
			{ state: 'failed', code: 'NAVIGATION_TIMEOUT' },
		],
		[
			'W2 quickstart tests data.type === "failed"',
			{ type: 'failed', error: 'x' },
			{ state: 'failed' },
		],
		[
			'WS error event',
			{ type: 'error', error: 'Navigation timeout after 30 seconds', code: 'NAVIGATION_TIMEOUT' },
			{ state: 'failed', code: 'NAVIGATION_TIMEOUT' },
		],
		[
			'TASK_TIMEOUT failure (errors reference)',
			{
				success: false,
				status: 'failed',
				error: 'Task exceeded maximum duration of 60000ms',
				code: 'TASK_TIMEOUT',
				usage: { inputTokens: 25000, outputTokens: 8000, cost: 0.0245 },
			},
			{ state: 'failed', code: 'TASK_TIMEOUT' },
		],
		[
			'terminated (client code in events, response-model, common-issues)',
			{ success: false, status: 'terminated' },
			{ state: 'terminated', error: 'Session terminated' },
		],
	])('%s', (_, body, expected) => {
		expect(normalizeTaskResponse(body)).toMatchObject(expected);
	});
});

describe('start-session answer', () => {
	test('streaming urls, socket url, expiry and balance', () => {
		expect(
			normalizeSession({
				success: true,
				sessionId: S,
				socketURL: 'https://connect.webrun.ai',
				streaming: {
					webRTCURL: `https://74.235.190.31:8889/${S}/whep`,
					webViewURL: `https://74.235.190.31:8889/${S}`,
					dimensions: { width: 1024, height: 600 },
				},
				initialPrompt: 'Go to amazon.com',
				expiresIn: 300000,
				balance: 12.5,
				message: 'Connect to instance using sessionId in auth',
			}),
		).toEqual({
			sessionId: S,
			liveViewUrl: `https://74.235.190.31:8889/${S}`,
			webRtcUrl: `https://74.235.190.31:8889/${S}/whep`,
			socketUrl: 'https://connect.webrun.ai',
			expiresIn: 300000,
			balance: 12.5,
		});
	});

	test('shorter body of introduction@42911f6f: absent fields stay absent', () => {
		expect(normalizeSession({ success: true, sessionId: S, expiresIn: 300000 })).toEqual({
			sessionId: S,
			expiresIn: 300000,
		});
	});
});

test('usage: nothing sent → undefined, never zeros', () => {
	expect(normalizeUsage({}, undefined)).toBeUndefined();
	expect(
		taskFields(
			normalizeTaskResponse({ success: true, type: 'task_completed', data: { message: 'x' } }),
			{},
		),
	).not.toHaveProperty('usage');
});
