/**
 * Request generations (requestGeneration 'any' | 'E' | 'W1' | 'W2'): which fields the server reads,
 * LoggedRequest.fields / SimTask.options, and the 400s of a strict server.
 */
import type { AxiosInstance } from 'axios';
import { useSimulatorApi } from '../helpers/simulator';
import type { Simulator } from './index';

const KEY = 'wr_gen_key';
let sim: Simulator;
let api: AxiosInstance;
useSimulatorApi(KEY, (started, client) => {
	sim = started;
	api = client;
});

const last = () => sim.requests[sim.requests.length - 1];

/** A real upload, so that fileIds exist for the key. */
async function uploadOne(name = 'a.txt'): Promise<string> {
	const form = new FormData();
	form.append('files', new Blob(['hello']), name);
	const r = await fetch(`${sim.url}/files/upload`, {
		method: 'POST',
		body: form,
		headers: { Authorization: `Bearer ${KEY}` },
	});
	const body = (await r.json()) as { files: Array<{ fileId: string }> };
	return body.files[0].fileId;
}

describe("'any' (default): every alias, fields say which one was read", () => {
	test('run-task flat, W2 task{} and W1 startingPoint / profileId aliases', async () => {
		expect(sim.options.requestGeneration).toBe('any');
		await api.post('/start/run-task', {
			taskDetails: 'a',
			startingPoint: 'https://a.com',
			profileId: 'env1',
			maxDuration: 60000,
		});
		expect(last().fields).toEqual({
			taskText: 'taskDetails',
			startingUrl: 'startingPoint',
			environmentId: 'profileId',
			maxDuration: 'maxDuration',
		});
		expect(sim.tasks[0].options).toEqual({
			startingUrl: 'https://a.com',
			environmentId: 'env1',
			maxDuration: 60000,
		});
		expect(sim.tasks[0].fields).toEqual(last().fields);

		await api.post('/start/run-task', {
			task: { prompt: 'b', startingUrl: 'https://b.com' },
			policyId: 'pol_1',
			reachOutMode: 'off',
		});
		expect(last().fields).toEqual({
			taskText: 'task.prompt',
			startingUrl: 'task.startingUrl',
			policyId: 'policyId',
			reachOutMode: 'reachOutMode',
		});
		expect(sim.tasks[1].options).toEqual({
			startingUrl: 'https://b.com',
			policyId: 'pol_1',
			reachOutMode: 'off',
		});
		const s = await api.post('/start/start-session', {
			initialTask: { taskDetails: 'c', startingPoint: 'https://c.com' },
		});
		expect(s.data.taskId).toBeDefined();
		expect(last().fields).toEqual({
			taskText: 'initialTask.taskDetails',
			startingUrl: 'initialTask.startingPoint',
		});
		await api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: { actionType: 'state', newState: 'stop' },
		});
		expect(last().fields).toEqual({});
		await api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: { actionType: 'newTask', prompt: 'd', startingPoint: 'https://d.com' },
		});
		expect(last().fields).toEqual({
			taskText: 'message.prompt',
			startingUrl: 'message.startingPoint',
		});
		expect((await api.get('/start/health')).status).toBe(200);
		expect(last().fields).toEqual({});
	});
});

describe('E (flat everywhere)', () => {
	beforeEach(() => sim.configure({ requestGeneration: 'E' }));

	test('run-task reads only the E fields; later fields are ignored', async () => {
		const r = await api.post('/start/run-task', {
			taskDetails: 'Search',
			startingUrl: 'https://google.com',
			maxDuration: 60000,
			maxInputTokens: 5000,
			maxOutputTokens: 600,
			avoidDomains: ['facebook.com'],
			mode: 'default',
			terminateOnCompletion: true,
			environmentId: 'env1',
			outputType: 'structured_json',
			outputSchema: { type: 'object', properties: { a: { type: 'string' } } },
			files: ['nope'],
			secrets: [{ match: 'all', fields: { p: 'x' } }],
			policyId: 'pol_1',
			proxy: { source: 'WebRun', country: 'US' },
			reachOutMode: 'bogus',
		});
		expect(r.status).toBe(200);
		expect(r.data.data.message).toBe('Completed: Search'); // outputType not read: a text answer
		expect(last().fields).toEqual({
			taskText: 'taskDetails',
			startingUrl: 'startingUrl',
			maxDuration: 'maxDuration',
			maxInputTokens: 'maxInputTokens',
			maxOutputTokens: 'maxOutputTokens',
			avoidDomains: 'avoidDomains',
			mode: 'mode',
			terminateOnCompletion: 'terminateOnCompletion',
		});
		expect(Object.keys(sim.tasks[0].options).sort()).toEqual(
			[
				'avoidDomains',
				'maxDuration',
				'maxInputTokens',
				'maxOutputTokens',
				'mode',
				'startingUrl',
				'terminateOnCompletion',
			].sort(),
		);
	});

	test('a W2 body is a 400 "taskDetails is required" that starts nothing and counts for the rate limit', async () => {
		const r = await api.post('/start/run-task', { task: { prompt: 'x' } });
		expect(r.status).toBe(400);
		expect(r.data).toMatchObject({ success: false, message: 'taskDetails is required' });
		expect(r.headers['x-ratelimit-remaining']).toBe('9');
		expect(sim.tasksStarted).toBe(0);
		expect(last().fields).toEqual({});
		const flatPrompt = await api.post('/start/run-task', { prompt: 'x' });
		expect(flatPrompt.status).toBe(400);
	});

	test('start-session flat first task; newTask and guardrail read message.taskDetails only', async () => {
		const s = await api.post('/start/start-session', {
			taskDetails: 'first [sim {"durationMs":0}]',
			startingUrl: 'https://a.com',
			terminateOnCompletion: false,
		});
		expect(s.data.taskId).toBeDefined();
		expect(sim.tasks[0].options).toEqual({
			startingUrl: 'https://a.com',
			terminateOnCompletion: false,
		});
		const ignored = await api.post('/start/start-session', {
			initialTask: { taskDetails: 'x' },
			task: { prompt: 'y' },
		});
		expect(ignored.data.taskId).toBeUndefined();
		expect(sim.tasksStarted).toBe(1);

		const { sessionId } = s.data;
		const w2 = await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'newTask', newState: 'start', prompt: 'p' },
		});
		expect(w2.status).toBe(400);
		expect(w2.data.message).toBe('taskDetails is required');
		const ok = await api.post('/start/send-message', {
			sessionId,
			message: {
				actionType: 'newTask',
				newState: 'start',
				taskDetails: 'login [sim {"guardrails":[{"atMs":10,"value":"creds?"}]}]',
				startingUrl: 'https://b.com',
				startingPoint: 'https://ignored.com',
			},
		});
		expect(ok.status).toBe(200);
		expect(last().fields).toEqual({
			taskText: 'message.taskDetails',
			startingUrl: 'message.startingUrl',
		});
		// a W2-shaped guardrail reply: nothing read, the task still resumes (the reply's text is lost)
		const g = await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'guardrail', prompt: 'user/pass', newState: 'resume' },
		});
		expect(g.status).toBe(200);
		expect(last().fields).toEqual({});
		expect(sim.tasks[1].guardrailReplies[0].text).toBeUndefined();
	});
});

describe('W1 (initialTask for start-session, startingPoint)', () => {
	beforeEach(() => sim.configure({ requestGeneration: 'W1' }));

	test('run-task: flat taskDetails + startingPoint, files, outputType, secrets, profileId', async () => {
		const fileId = await uploadOne();
		const r = await api.post('/start/run-task', {
			taskDetails: 'Fill the form',
			startingPoint: 'https://form.com',
			files: [fileId],
			outputType: 'text',
			secrets: [{ match: '*.form.com', fields: { email: 'a@b.c' } }],
			profileId: 'env_w1',
			policyId: 'ignored',
			task: { prompt: 'ignored' },
		});
		expect(r.status).toBe(200);
		expect(last().fields).toEqual({
			taskText: 'taskDetails',
			startingUrl: 'startingPoint',
			outputType: 'outputType',
			files: 'files',
			secrets: 'secrets',
			environmentId: 'profileId',
		});
		expect(sim.tasks[0].options).toMatchObject({
			files: [fileId],
			environmentId: 'env_w1',
			startingUrl: 'https://form.com',
		});
		expect(sim.tasks[0].options.policyId).toBeUndefined();
	});

	test('start-session: the first task only from initialTask; a flat taskDetails is silently ignored', async () => {
		const flat = await api.post('/start/start-session', {
			taskDetails: 'Go to amazon.com',
			startingUrl: 'https://amazon.com',
		});
		expect(flat.status).toBe(200);
		expect(flat.data.sessionId).toBeDefined();
		expect(flat.data.taskId).toBeUndefined();
		expect(flat.data.initialPrompt).toBeUndefined();
		expect(sim.tasksStarted).toBe(0);
		expect(last().fields).toEqual({});

		const s = await api.post('/start/start-session', {
			environmentId: 'env1',
			mode: 'default',
			initialTask: {
				taskDetails: 'Go',
				startingPoint: 'https://amazon.com',
				startingUrl: 'https://ignored.com',
				maxDuration: 1000,
				terminateOnCompletion: true,
			},
		});
		expect(s.data.taskId).toBeDefined();
		expect(last().fields).toEqual({
			taskText: 'initialTask.taskDetails',
			startingUrl: 'initialTask.startingPoint',
			maxDuration: 'initialTask.maxDuration',
			terminateOnCompletion: 'initialTask.terminateOnCompletion',
			environmentId: 'environmentId',
			mode: 'mode',
		});
		expect(sim.tasks[0].options.startingUrl).toBe('https://amazon.com');

		// newTask: message.taskDetails + message.startingPoint
		const s2 = await api.post('/start/start-session', {});
		await api.post('/start/send-message', {
			sessionId: s2.data.sessionId,
			message: {
				actionType: 'newTask',
				newState: 'start',
				taskDetails: 'Next',
				startingPoint: 'https://next.com',
				startingUrl: 'https://no.com',
			},
		});
		expect(last().fields).toEqual({
			taskText: 'message.taskDetails',
			startingUrl: 'message.startingPoint',
		});
		const p = await api.post('/start/send-message', {
			sessionId: s2.data.sessionId,
			message: { actionType: 'newTask', prompt: 'x' },
		});
		expect(p.status).toBe(400);
	});
});

describe('W2 (task{} and message.prompt)', () => {
	beforeEach(() => sim.configure({ requestGeneration: 'W2' }));

	test('run-task reads task{} and the top-level W2 fields; no avoidDomains', async () => {
		const fileId = await uploadOne('w2.pdf');
		const body = {
			task: {
				prompt: 'Search Google for Anthropic',
				startingUrl: 'https://google.com',
				files: [fileId],
				maxDuration: 300000,
				maxInputTokens: 100000,
				maxOutputTokens: 100000,
				avoidDomains: ['x.com'],
				outputType: 'structured_csv',
				outputSchema: ['name', 'price'],
				secrets: [{ match: 'all', fields: { password: 'p' } }],
			},
			environmentId: '683a1f2e4b0c1d2e3f4a5b6c',
			policyId: 'pol_xyz789',
			proxy: { source: 'WebRun', country: 'US' },
			reachOutMode: 'guardrail_only',
			mode: 'default',
			taskDetails: 'ignored',
		};
		const r = await api.post('/start/run-task', body);
		expect(r.status).toBe(200);
		expect(last().fields).toEqual({
			taskText: 'task.prompt',
			startingUrl: 'task.startingUrl',
			maxDuration: 'task.maxDuration',
			maxInputTokens: 'task.maxInputTokens',
			maxOutputTokens: 'task.maxOutputTokens',
			mode: 'mode',
			environmentId: 'environmentId',
			outputType: 'task.outputType',
			outputSchema: 'task.outputSchema',
			files: 'task.files',
			secrets: 'task.secrets',
			policyId: 'policyId',
			proxy: 'proxy',
			reachOutMode: 'reachOutMode',
		});
		const o = sim.tasks[0].options;
		expect(o).toMatchObject({
			files: [fileId],
			policyId: 'pol_xyz789',
			proxy: { source: 'WebRun', country: 'US' },
			outputType: 'structured_csv',
		});
		expect(o.avoidDomains).toBeUndefined();
		expect(o.taskText).toBeUndefined();
	});

	test('400s: flat body, bad reachOutMode, bad proxy; each starts nothing and counts', async () => {
		const flat = await api.post('/start/run-task', {
			taskDetails: 'x',
			startingUrl: 'https://a.com',
		});
		expect(flat.status).toBe(400);
		expect(flat.data).toEqual({ success: false, message: 'Missing task.prompt' });
		const flatPrompt = await api.post('/start/run-task', { prompt: 'x' });
		expect(flatPrompt.data).toEqual({ success: false, message: 'Missing task.prompt' });
		const rom = await api.post('/start/run-task', {
			task: { prompt: 'x' },
			reachOutMode: 'sometimes',
		});
		expect(rom.status).toBe(400);
		expect(rom.data.message).toBe('reachOutMode must be one of: off, guardrail_only, full');
		const romS = await api.post('/start/start-session', { reachOutMode: 'loud' });
		expect(romS.status).toBe(400);
		for (const proxy of [
			{ source: 'WebRun' },
			{ source: 'WebRun', country: 'USA' },
			{ source: 'custom', url: 'http://proxy:8080' },
			{ source: 'custom', type: 'http', host: 'proxy.example.com', port: 8080 },
			{ source: 'webrun', country: 'US' },
		]) {
			const r = await api.post('/start/run-task', { task: { prompt: 'x' }, proxy });
			expect(r.status).toBe(400);
			expect(r.data.message).toMatch(/^Invalid parameter 'proxy'/);
		}
		expect(sim.tasksStarted).toBe(0);
		expect(sim.count('run-task')).toBe(8);
		const ok = [
			{ source: 'WebRun', country: 'GB', level: 'chrome' },
			{ source: 'WebRun', country: 'random' },
			{
				source: 'custom',
				type: 'socks',
				host: 'proxy.example.com',
				port: '1080',
				username: 'u',
				password: 'p',
			},
			null,
		];
		sim.configure({ rateLimit: false });
		for (const proxy of ok)
			expect((await api.post('/start/run-task', { task: { prompt: 'x' }, proxy })).status).toBe(
				200,
			);
	});

	test('start-session: task{} optional; a flat first task is ignored (default) or rejected (w2FlatSession)', async () => {
		const s = await api.post('/start/start-session', {
			task: {
				prompt: 'Go [sim {"durationMs":30}]',
				startingUrl: 'https://a.com',
				terminateOnCompletion: true,
			},
			proxy: { source: 'WebRun', country: 'DE' },
		});
		expect(s.data.taskId).toBeDefined();
		expect(sim.tasks[0].options).toEqual({
			startingUrl: 'https://a.com',
			terminateOnCompletion: true,
			proxy: { source: 'WebRun', country: 'DE' },
		});
		const empty = await api.post('/start/start-session', {});
		expect(empty.status).toBe(200);
		const flat = await api.post('/start/start-session', { taskDetails: 'Go to amazon.com' });
		expect(flat.status).toBe(200);
		expect(flat.data.taskId).toBeUndefined();
		expect(sim.tasksStarted).toBe(1);
		sim.configure({ w2FlatSession: 'reject' });
		const rejected = await api.post('/start/start-session', { taskDetails: 'Go to amazon.com' });
		expect(rejected.status).toBe(400);
		expect(rejected.data).toEqual({ success: false, message: 'Missing task.prompt' });
		expect((await api.post('/start/start-session', {})).status).toBe(200);
	});

	test('newTask and guardrail read message.prompt; missing → 400 "Missing message.prompt"', async () => {
		const s = await api.post('/start/start-session', {});
		const sessionId = s.data.sessionId;
		const flat = await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'newTask', newState: 'start', taskDetails: 'x' },
		});
		expect(flat.status).toBe(400);
		expect(flat.data).toEqual({ success: false, message: 'Missing message.prompt' });
		const ok = await api.post('/start/send-message', {
			sessionId,
			message: {
				actionType: 'newTask',
				newState: 'start',
				prompt: 'Log in [sim {"guardrails":[{"atMs":10,"value":"2FA?"}]}]',
				startingUrl: 'https://a.com',
				avoidDomains: ['x'],
			},
		});
		expect(ok.status).toBe(200);
		expect(last().fields).toEqual({
			taskText: 'message.prompt',
			startingUrl: 'message.startingUrl',
		});
		const bad = await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'guardrail', taskDetails: '123', newState: 'resume' },
		});
		expect(bad.status).toBe(400);
		expect(bad.data).toEqual({ success: false, message: 'Missing message.prompt' });
		const good = await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'guardrail', prompt: '123', newState: 'resume' },
		});
		expect(good.status).toBe(200);
		expect(last().fields).toEqual({ taskText: 'message.prompt' });
		expect(sim.tasks[0].guardrailReplies.map((x) => x.text)).toEqual(['123']);
	});
});

test('configure rejects an unknown requestGeneration', () => {
	expect(() => sim.configure({ requestGeneration: 'W3' as never })).toThrow(/requestGeneration/);
});
