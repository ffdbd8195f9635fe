/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	@n8n/community-nodes/no-restricted-imports --
	test tooling (the loopback API simulator): runs in Node,
	never shipped or loaded by n8n. See README.md, Development. */
import axios, { AxiosInstance, AxiosResponse } from 'axios';
import { spawn } from 'child_process';
import * as path from 'path';
import { fakeClock } from '../helpers/timing';
import { startSimulator, Simulator, extractSimTag } from './index';

const KEY = 'wr_test_key';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sim: Simulator;
let api: AxiosInstance;

function client(key: string | null = KEY): AxiosInstance {
	return axios.create({
		baseURL: sim.url,
		validateStatus: () => true,
		headers: key ? { Authorization: `Bearer ${key}` } : {},
		timeout: 10000,
	});
}

async function pollUntilDone(
	sessionId: string,
	taskId: string,
	c = api,
	max = 200,
): Promise<AxiosResponse> {
	for (let i = 0; i < max; i++) {
		const r = await c.get(`/task/${sessionId}/${taskId}`);
		const d = r.data;
		const running = d.status === 'running' || d.status === 'active' || d.pending === true;
		if (!running) return r;
		await sleep(15);
	}
	throw new Error('poll timeout');
}

beforeAll(async () => {
	sim = await startSimulator({ inlineWindowMs: 2000 });
	api = client();
});

afterAll(async () => {
	await sim.close();
});

/** Set by the tests that run on Jest's fake timers; back to real timers after each test. */
let clock: ReturnType<typeof fakeClock> | undefined;
afterEach(() => {
	clock?.stop();
	clock = undefined;
});

beforeEach(() => {
	sim.reset();
	sim.configure({ inlineWindowMs: 2000 });
});

describe('inline shapes', () => {
	test('webrun run-task inline (W-inline) with files/network/usage', async () => {
		const r = await api.post('/start/run-task', {
			taskDetails: 'Search Google for Anthropic',
			startingUrl: 'https://google.com',
		});
		expect(r.status).toBe(200);
		expect(Object.keys(r.data).sort()).toEqual(
			['data', 'sessionId', 'success', 'taskId', 'type', 'usage'].sort(),
		);
		expect(r.data).toMatchObject({
			success: true,
			type: 'task_completed',
			data: { message: 'Completed: Search Google for Anthropic', files: [] },
			usage: {
				prompt_tokens: 12450,
				completion_tokens: 3200,
				total_tokens: 15650,
				cost: 0.0124,
				completion_time: 0.2,
			},
		});
		expect(r.data.data.network).toHaveLength(1);
		expect(r.data.data.network[0]).toMatchObject({
			taskId: r.data.taskId,
			urls: [{ url: 'https://google.com' }],
		});
		expect(r.data.sessionId).toMatch(/^[a-z0-9]{12}$/);
		expect(r.data.taskId).toMatch(/^[a-z0-9]{12}$/);
		// run-task session ends with its task
		expect(sim.sessions.get(r.data.sessionId)).toMatchObject({
			state: 'terminated',
			createdByRunTask: true,
		});
		expect(sim.tasks[0].state).toBe('completed');
		expect(sim.tasks[0].endedAt! - sim.tasks[0].startedAt!).toBeGreaterThanOrEqual(200);
	});

	test('enigma run-task inline (E-inline) and send-message inline / pending', async () => {
		sim.configure({ generation: 'enigma' });
		const r = await api.post('/start/run-task', { taskDetails: 'Search' });
		expect(r.data).toEqual({
			success: true,
			sessionId: r.data.sessionId,
			taskId: r.data.taskId,
			status: 'complete',
			result: {
				type: 'task_completed',
				data: {
					message: 'Completed: Search',
					completion_time: 0.2,
					prompt_tokens: 12450,
					completion_tokens: 3200,
					total_tokens: 15650,
				},
				usage: { cost: 0.0124 },
			},
		});

		const s = await api.post('/start/start-session', { taskDetails: '' });
		expect(s.data).toMatchObject({
			success: true,
			expiresIn: 300000,
			balance: 12.5,
			socketURL: sim.url,
		});
		expect(s.data.taskId).toBeUndefined();
		expect(s.data.streaming.dimensions).toEqual({ width: 1024, height: 600 });
		const m = await api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: { actionType: 'newTask', newState: 'start', taskDetails: 'Add to cart' },
		});
		expect(m.data).toEqual({
			success: true,
			sessionId: s.data.sessionId,
			taskId: m.data.taskId,
			result: {
				type: 'task_completed',
				data: {
					message: 'Completed: Add to cart',
					prompt_tokens: 12450,
					completion_tokens: 3200,
					total_tokens: 15650,
				},
			},
		});
		// pending on send-message (enigma): pending:true, no status
		sim.configure({ inlineWindowMs: 30 });
		const p = await api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: {
				actionType: 'newTask',
				newState: 'start',
				taskDetails: 'slow [sim {"durationMs":300}]',
			},
		});
		expect(p.data).toEqual({
			success: true,
			sessionId: s.data.sessionId,
			taskId: p.data.taskId,
			pending: true,
			pollUrl: `${sim.url}/task/${s.data.sessionId}/${p.data.taskId}`,
			message: 'Task still running. Poll GET /task/:sessionId/:taskId for result.',
		});
		const running = await api.get(`/task/${s.data.sessionId}/${p.data.taskId}`);
		expect(running.data).toMatchObject({ success: true, status: 'active', pending: true });
		expect(Object.keys(running.data.usage).sort()).toEqual([
			'computeTime',
			'cost',
			'inputTokens',
			'outputTokens',
		]);
		const done = await pollUntilDone(s.data.sessionId, p.data.taskId);
		expect(done.data).toMatchObject({
			success: true,
			type: 'task_completed',
			data: { message: 'Completed: slow', total_tokens: 15650 },
			usage: { inputTokens: 12450, outputTokens: 3200, cost: 0.0124 },
		});
		expect(done.data.sessionId).toBeUndefined();
		expect(typeof done.data.completedAt).toBe('string');
	});

	test('start-session with a first task answers at once with taskId (W2 task{} form)', async () => {
		const s = await api.post('/start/start-session', {
			task: {
				prompt: 'Go to amazon.com [sim {"durationMs":600}]',
				startingUrl: 'https://amazon.com',
			},
		});
		// Not held: answered before the 600 ms task could end (the simulator's log).
		const start = sim.requests[0];
		expect((start.respondedAt as number) - start.time).toBeLessThan(600);
		expect(s.data).toMatchObject({
			success: true,
			initialPrompt: 'Go to amazon.com [sim {"durationMs":600}]',
			message: 'Connect to instance using sessionId in auth',
		});
		expect(s.data.streaming.webRTCURL).toBe(`https://${s.data.sessionId}.webrun.ai/whep`);
		expect(typeof s.data.taskId).toBe('string');
		const done = await pollUntilDone(s.data.sessionId, s.data.taskId);
		expect(done.data.type).toBe('task_completed');
		expect(done.data.data.network[0].urls[0].url).toBe('https://amazon.com');
		expect(sim.sessions.get(s.data.sessionId)!.state).toBe('active');
	});
});

describe('pending, polling, guardrails', () => {
	test('pending then poll to completion (webrun)', async () => {
		sim.configure({ inlineWindowMs: 50 });
		const r = await api.post('/start/run-task', {
			task: { prompt: 'long task [sim {"durationMs":400}]' },
		});
		expect(r.data).toEqual({
			success: true,
			sessionId: r.data.sessionId,
			taskId: r.data.taskId,
			status: 'pending',
			pollUrl: `${sim.url}/task/${r.data.sessionId}/${r.data.taskId}`,
			message: 'Task still running. Poll GET /task/:sessionId/:taskId for result.',
		});
		const running = await axios.get(r.data.pollUrl, {
			headers: { Authorization: `Bearer ${KEY}` },
		});
		expect(running.data).toMatchObject({
			success: true,
			sessionId: r.data.sessionId,
			taskId: r.data.taskId,
			status: 'running',
		});
		expect(running.data.usage.prompt_tokens).toBeLessThan(12450);
		const done = await pollUntilDone(r.data.sessionId, r.data.taskId);
		expect(done.data).toMatchObject({
			success: true,
			type: 'task_completed',
			data: { message: 'Completed: long task' },
		});
		expect(done.data.usage.completion_time).toBe(0.4);
		const task = sim.tasks[0];
		expect(task.polls).toBeGreaterThanOrEqual(2);
		expect(task.endedAt! - task.startedAt!).toBeGreaterThanOrEqual(400);
		expect(task.endedAt! - task.startedAt!).toBeLessThan(420); // exact, not poll-driven
	});

	test('guardrail → reply resume → second guardrail → reply → completed', async () => {
		sim.script('Log in', {
			durationMs: 300,
			guardrails: [
				{ atMs: 100, value: 'I need login credentials' },
				{ atMs: 200, value: 'Enter the 2FA code' },
			],
		});
		const r = await api.post('/start/run-task', { taskDetails: 'Log in to the portal' });
		// default inlineGuardrail 'pending': answered pending when the guardrail fires, well before the window
		expect(r.data.status).toBe('pending');
		const { sessionId, taskId } = r.data;
		const g1 = await api.get(`/task/${sessionId}/${taskId}`);
		expect(g1.data).toEqual({
			success: true,
			type: 'guardrail_trigger',
			data: { type: 'human_input_needed', value: 'I need login credentials' },
		});
		await sleep(100); // waiting at a guardrail does not consume working time
		expect((await api.get(`/task/${sessionId}/${taskId}`)).data.type).toBe('guardrail_trigger');
		const rep = await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'guardrail', taskDetails: 'user / pass', newState: 'resume' },
		});
		expect(rep.data).toEqual({ success: true, message: 'Message sent successfully' });
		let g2 = await pollUntilDone(sessionId, taskId);
		expect(g2.data.data.value).toBe('Enter the 2FA code');
		// reply with the W2 field name
		await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'guardrail', prompt: '123456', newState: 'resume' },
		});
		g2 = await pollUntilDone(sessionId, taskId);
		expect(g2.data.type).toBe('task_completed');
		const t = sim.tasks[0];
		expect(t.guardrailReplies.map((x) => x.text)).toEqual(['user / pass', '123456']);
		expect(t.guardrailsFired).toHaveLength(2);
		expect(t.guardrailsFired[0].firedAt - t.startedAt!).toBeGreaterThanOrEqual(100);
		expect(t.guardrailsFired[0].repliedAt).toBeGreaterThan(t.guardrailsFired[0].firedAt);
		// working time = 300 ms; wall time = 300 + both waits
		const waits = t.guardrailsFired.reduce((a, g) => a + (g.repliedAt! - g.firedAt), 0);
		expect(t.endedAt! - t.startedAt! - waits).toBeGreaterThanOrEqual(299);
		expect(t.endedAt! - t.startedAt! - waits).toBeLessThan(330);
		expect(sim.sessions.get(sessionId)!.state).toBe('terminated');
		// a reply when nothing waits
		const late = await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'guardrail', taskDetails: 'x' },
		});
		expect(late.status).toBe(404);
	});

	test('inlineGuardrail "inline" answers the guardrail in the start response; guardrail stop terminates the task', async () => {
		sim.configure({ inlineGuardrail: 'inline' });
		const s = await api.post('/start/start-session', {});
		const m = await api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: {
				actionType: 'newTask',
				newState: 'start',
				prompt: 'buy [sim {"guardrails":[{"atMs":20,"value":"Confirm purchase?"}]}]',
			},
		});
		expect(m.data).toEqual({
			success: true,
			sessionId: s.data.sessionId,
			taskId: m.data.taskId,
			type: 'guardrail_trigger',
			data: { type: 'human_input_needed', value: 'Confirm purchase?' },
		});
		const busy = await api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: { actionType: 'newTask', newState: 'start', taskDetails: 'other' },
		});
		expect(busy.status).toBe(409);
		expect(busy.data).toMatchObject({ success: false, code: 'TASK_ALREADY_RUNNING' });
		const stop = await api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: { actionType: 'guardrail', taskDetails: 'no', newState: 'stop' },
		});
		expect(stop.status).toBe(200);
		const p = await api.get(`/task/${s.data.sessionId}/${m.data.taskId}`);
		expect(p.data).toEqual({
			success: false,
			sessionId: s.data.sessionId,
			taskId: m.data.taskId,
			status: 'terminated',
			error: 'Session terminated',
			usage: expect.objectContaining({ cost: sim.tasks[0].costAtEnd }),
		});
		const nothing = await api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: { actionType: 'guardrail', taskDetails: 'x' },
		});
		expect(nothing.status).toBe(409);
		expect(nothing.data.code).toBe('NO_GUARDRAIL_PENDING');
	});

	test('failed task with code: inline (HTTP 200) and poll bodies, both generations', async () => {
		const r = await api.post('/start/run-task', {
			taskDetails:
				'x [sim {"outcome":"fail","failCode":"PAGE_CRASH","failError":"Browser page crashed during execution","durationMs":50}]',
		});
		expect(r.status).toBe(200);
		expect(r.data).toMatchObject({
			success: false,
			status: 'failed',
			code: 'PAGE_CRASH',
			error: 'Browser page crashed during execution',
			sessionId: r.data.sessionId,
			taskId: r.data.taskId,
		});
		expect(r.data.usage.total_tokens).toBe(15650);
		sim.configure({ generation: 'enigma' });
		const p = await api.get(`/task/${r.data.sessionId}/${r.data.taskId}`);
		expect(p.data).toEqual({
			success: false,
			status: 'failed',
			error: 'Browser page crashed during execution',
			code: 'PAGE_CRASH',
			usage: { inputTokens: 12450, outputTokens: 3200, computeTime: 0.1, cost: 0.0124 },
		});
		// default fail, and maxDuration → TASK_TIMEOUT
		const d = await api.post('/start/run-task', { taskDetails: 'y [sim {"outcome":"fail"}]' });
		expect(d.data).toMatchObject({
			status: 'failed',
			code: 'NAVIGATION_TIMEOUT',
			error: 'Navigation timeout after 30 seconds',
		});
		sim.configure({ generation: 'webrun' });
		const to = await api.post('/start/run-task', {
			taskDetails: 'z [sim {"durationMs":5000}]',
			maxDuration: 50,
		});
		expect(to.data).toMatchObject({
			status: 'failed',
			code: 'TASK_TIMEOUT',
			error: 'Task exceeded maximum duration of 50ms',
		});
	});

	test('state: pause freezes the clock, stop keeps the session, terminate ends it', async () => {
		// Fake timers: the simulator's working time moves only by c.advance(), exactly.
		const c = (clock = fakeClock());
		sim.configure({ inlineWindowMs: 0 });
		const s = await api.post('/start/start-session', {
			initialTask: { taskDetails: 'work [sim {"durationMs":200}]' },
		});
		const { sessionId, taskId } = s.data;
		await c.advance(50);
		expect(
			(
				await api.post('/start/send-message', {
					sessionId,
					message: { actionType: 'state', newState: 'pause' },
				})
			).data,
		).toEqual({
			success: true,
			message: 'Message sent successfully',
		});
		await c.advance(250);
		expect((await api.get(`/task/${sessionId}/${taskId}`)).data.status).toBe('running');
		await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'state', newState: 'resume' },
		});
		await c.advance(149);
		expect((await api.get(`/task/${sessionId}/${taskId}`)).data.status).toBe('running');
		await c.advance(1);
		const done = await api.get(`/task/${sessionId}/${taskId}`);
		expect(done.data.type).toBe('task_completed');
		// 200 ms of work and 250 ms paused.
		expect(sim.tasks[0].endedAt! - sim.tasks[0].startedAt!).toBe(450);

		const t2 = await api.post('/start/send-message', {
			sessionId,
			message: {
				actionType: 'newTask',
				newState: 'start',
				taskDetails: 'again [sim {"durationMs":5000}]',
			},
		});
		expect(t2.data.status).toBe('pending');
		await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'state', newState: 'stop' },
		});
		expect((await api.get(`/task/${sessionId}/${t2.data.taskId}`)).data.status).toBe('terminated');
		expect(sim.sessions.get(sessionId)!.state).toBe('active');

		const t3 = await api.post('/start/send-message', {
			sessionId,
			message: {
				actionType: 'newTask',
				newState: 'start',
				taskDetails: 'third [sim {"durationMs":5000}]',
			},
		});
		const term = await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'state', newState: 'terminate' },
		});
		expect(term.data).toEqual({ success: true, message: 'Message sent successfully' });
		expect((await api.get(`/task/${sessionId}/${t3.data.taskId}`)).data).toEqual({
			success: false,
			sessionId,
			taskId: t3.data.taskId,
			status: 'terminated',
			error: 'Session terminated',
			usage: expect.objectContaining({
				cost: expect.any(Number),
				prompt_tokens: expect.any(Number),
			}),
		});
		const tasks = sim.tasks;
		expect(tasks[2]).toMatchObject({ state: 'terminated', endReason: 'terminate' });
		expect(sim.sessions.get(sessionId)).toMatchObject({
			state: 'terminated',
			endReason: 'terminated',
		});
		expect(sim.tasksStarted).toBe(3); // stop / terminate did not start tasks

		const after = await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'newTask', newState: 'start', taskDetails: 'x' },
		});
		expect(after.status).toBe(404);
		expect(after.data).toMatchObject({ success: false, code: 'SESSION_NOT_FOUND' });
		sim.configure({ unknownSessionStatus: 401 });
		const after401 = await api.post('/start/send-message', {
			sessionId: 'nope',
			message: { actionType: 'state', newState: 'stop' },
		});
		expect(after401.status).toBe(401);
		expect(after401.data).toEqual({ success: false, message: 'Session not found or unauthorized' });
	});

	test('busySession queue runs tasks one after the other', async () => {
		sim.configure({ busySession: 'queue', inlineWindowMs: 1000 });
		const s = await api.post('/start/start-session', {});
		const first = api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: {
				actionType: 'newTask',
				newState: 'start',
				taskDetails: 'a [sim {"durationMs":100}]',
			},
		});
		await sleep(10);
		const second = await api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: {
				actionType: 'newTask',
				newState: 'start',
				taskDetails: 'b [sim {"durationMs":100}]',
			},
		});
		expect((await first).data.type).toBe('task_completed');
		expect(second.data.type).toBe('task_completed');
		const [a, b] = sim.tasks;
		expect(b.startedAt).toBe(a.endedAt);
	});
});

describe('errors', () => {
	test('401 / 403 / 402 / 400', async () => {
		const none = await client(null).post('/start/run-task', { taskDetails: 'x' });
		expect(none.status).toBe(401);
		expect(none.data).toEqual({
			success: false,
			message: 'API key required. Provide Authorization: Bearer <api_key>',
		});
		expect((await client(null).get('/task/a/b')).status).toBe(401);
		expect((await client(null).get('/v1/models')).status).toBe(401);
		expect((await client(null).get('/start/health')).data).toMatchObject({
			success: true,
			status: 'healthy',
			instancesAvailable: true,
		});

		sim.configure({ apiKeys: { good: {}, off: { deactivated: true }, poor: { balance: 0.15 } } });
		const bad = await client('wrong').post('/start/run-task', { taskDetails: 'x' });
		expect(bad.status).toBe(401);
		expect(bad.data).toMatchObject({
			success: false,
			message: 'Invalid or revoked API key',
			code: 'INVALID_API_KEY',
		});
		const off = await client('off').post('/start/start-session', {});
		expect(off.status).toBe(403);
		expect(off.data).toEqual({ success: false, message: 'Account is deactivated' });
		const poor = await client('poor').post('/start/run-task', { taskDetails: 'x' });
		expect(poor.status).toBe(402);
		expect(poor.data).toEqual({ success: false, message: 'Insufficient balance.', balance: 0.15 });
		expect(sim.tasksStarted).toBe(0);

		const good = client('good');
		const missing = await good.post('/start/run-task', { startingUrl: 'https://x.com' });
		expect(missing.status).toBe(400);
		expect(missing.data).toMatchObject({
			success: false,
			message: 'taskDetails is required',
			error: 'taskDetails is required',
		});
		const big = await good.post('/start/run-task', { taskDetails: 'x', maxDuration: 300001 });
		expect(big.status).toBe(400);
		expect(big.data.code).toBe('INVALID_PARAMETER');
		const tokens = await good.post('/start/start-session', {
			task: { prompt: 'x', maxInputTokens: 100001 },
		});
		expect(tokens.data.code).toBe('INVALID_PARAMETER');
		const sm = await good.post('/start/send-message', {
			message: { actionType: 'state', newState: 'stop' },
		});
		expect(sm.status).toBe(400);
		expect(sm.data.message).toBe('sessionId and message are required');
		const models = await good.get('/v1/models');
		expect(models.data).toEqual({
			object: 'list',
			data: [{ id: 'webrun-browser-1', object: 'model', created: 1704067200, owned_by: 'webrun' }],
		});
	});

	test('404 poll for unknown task; ids are URL-decoded', async () => {
		const r = await api.get('/task/nosession/notask');
		expect(r.status).toBe(404);
		expect(r.data).toMatchObject({
			success: false,
			code: 'TASK_NOT_FOUND',
			message: 'Task notask not found in session nosession',
		});
		const ok = await api.post('/start/run-task', { taskDetails: 'x' });
		const enc = await api.get(
			`/task/${encodeURIComponent(ok.data.sessionId)}/${ok.data.taskId.replace(/^(.)/, (c: string) => `%${c.charCodeAt(0).toString(16)}`)}`,
		);
		expect(enc.data.type).toBe('task_completed');
		expect(
			(await client('someone-else').get(`/task/${ok.data.sessionId}/${ok.data.taskId}`)).status,
		).toBe(404);
	});

	test('rate limit: 429 on the 11th start, with Retry-After and X-RateLimit-*; polls and models not limited', async () => {
		sim.configure({ inlineWindowMs: 0 });
		const statuses: number[] = [];
		let last: AxiosResponse | undefined;
		for (let i = 0; i < 11; i++) {
			const r = await api.post(
				i % 2 ? '/start/start-session' : '/start/send-message',
				i % 2 ? {} : { sessionId: 'x', message: {} },
			);
			last = r;
			statuses.push(r.status);
			expect(Number(r.headers['x-ratelimit-limit'])).toBe(10);
			expect(Number(r.headers['x-ratelimit-remaining'])).toBe(Math.max(0, 9 - i));
			const reset = Number(r.headers['x-ratelimit-reset']);
			expect(Number.isInteger(reset)).toBe(true);
			// The window ends a minute after the request arrived (the simulator's log), in seconds.
			const arrived = sim.requests[sim.requests.length - 1].time;
			expect(reset * 1000).toBeGreaterThanOrEqual(arrived + 59000 - 1000);
		}
		expect(statuses.slice(0, 10).every((s) => s !== 429)).toBe(true);
		expect(last!.status).toBe(429);
		expect(last!.data).toMatchObject({
			success: false,
			message: 'Rate limit exceeded. Please try again later.',
			code: 'RATE_LIMIT_EXCEEDED',
		});
		const ra = Number(last!.headers['retry-after']);
		expect(Number.isInteger(ra)).toBe(true);
		expect(ra).toBeGreaterThan(55);
		expect(ra).toBeLessThanOrEqual(60);
		expect((await api.get('/task/a/b')).status).toBe(404);
		expect((await api.get('/v1/models')).status).toBe(200);
		expect((await api.get('/task/a/b')).headers['x-ratelimit-limit']).toBeUndefined();
		// per key
		expect((await client('other').post('/start/start-session', {})).status).toBe(200);
		// the 429 itself counts, and the window slides (on Jest's fake timers: exactly 300 ms)
		const c = (clock = fakeClock());
		sim.reset();
		sim.configure({ rateLimit: { limit: 2, windowMs: 300 } });
		expect((await api.post('/start/start-session', {})).status).toBe(200);
		expect((await api.post('/start/start-session', {})).status).toBe(200);
		const r3 = await api.post('/start/start-session', {});
		expect(r3.status).toBe(429);
		expect(r3.headers['retry-after']).toBe('1');
		await c.advance(299);
		expect((await api.post('/start/start-session', {})).status).toBe(429);
		await c.advance(1);
		expect((await api.post('/start/start-session', {})).status).toBe(200);
	});

	test('sessionLimit → SESSION_LIMIT_REACHED, freed when a session ends', async () => {
		sim.configure({ sessionLimit: 2 });
		const a = await api.post('/start/start-session', {});
		await api.post('/start/start-session', {});
		const c = await api.post('/start/run-task', { taskDetails: 'x' });
		expect(c.status).toBe(429);
		expect(c.headers['retry-after']).toBeUndefined();
		expect(c.data).toMatchObject({
			success: false,
			code: 'SESSION_LIMIT_REACHED',
			details: { current: 2, limit: 2 },
		});
		expect(sim.tasksStarted).toBe(0);
		await api.post('/start/send-message', {
			sessionId: a.data.sessionId,
			message: { actionType: 'state', newState: 'terminate' },
		});
		expect((await api.post('/start/run-task', { taskDetails: 'x' })).status).toBe(200);
		sim.configure({ sessionLimitStatus: 403 });
		expect((await api.post('/start/start-session', {})).status).toBe(200);
		expect((await api.post('/start/start-session', {})).status).toBe(403);
	});
});

describe('faults', () => {
	test('status fault (not processed), with custom headers', async () => {
		sim.fault({ endpoint: 'run-task', status: 503 });
		const r = await api.post('/start/run-task', { taskDetails: 'x' });
		expect(r.status).toBe(503);
		expect(r.data).toEqual({ success: false, message: 'No available instances.' });
		expect(sim.tasksStarted).toBe(0);
		sim.fault({ endpoint: '*', status: 429, headers: { 'Retry-After': '2' }, times: 2 });
		expect((await api.get('/task/a/b')).headers['retry-after']).toBe('2');
		expect((await api.get('/v1/models')).status).toBe(429);
		expect((await api.get('/v1/models')).status).toBe(200);
		expect(sim.requests.filter((q) => q.fault).map((q) => q.fault)).toEqual([
			'status',
			'status',
			'status',
		]);
	});

	test('garbage and truncated', async () => {
		sim.fault({ endpoint: 'poll', kind: 'garbage' });
		const g = await api.get('/task/a/b');
		expect(g.status).toBe(200);
		expect(g.headers['content-type']).toContain('text/html');
		expect(g.data).toBe('<html>502 Bad Gateway</html>');
		sim.fault({ endpoint: 'run-task', kind: 'truncated' });
		const t = await api.post('/start/run-task', { taskDetails: 'x' });
		expect(t.status).toBe(200);
		expect(t.headers['content-type']).toContain('application/json');
		expect(typeof t.data).toBe('string');
		expect(() => JSON.parse(t.data)).toThrow();
		expect(sim.tasksStarted).toBe(0);
	});

	test('drop-before starts nothing; drop-after-accept starts the task but the socket dies', async () => {
		sim.fault({ endpoint: 'run-task', kind: 'drop-before' });
		await expect(api.post('/start/run-task', { taskDetails: 'x' })).rejects.toThrow();
		expect(sim.tasksStarted).toBe(0);
		sim.fault({ endpoint: 'run-task', kind: 'drop-after-accept' });
		const err = await api
			.post('/start/run-task', { taskDetails: 'accepted [sim {"durationMs":30}]' })
			.catch((e) => e);
		expect(axios.isAxiosError(err)).toBe(true);
		expect(err.response).toBeUndefined();
		expect(sim.tasksStarted).toBe(1);
		expect(sim.tasks[0].state).toBe('completed');
		expect(sim.count('run-task')).toBe(2);
		expect(sim.requests[1]).toMatchObject({
			fault: 'drop-after-accept',
			taskId: sim.tasks[0].taskId,
		});
		expect(sim.requests[1].status).toBeUndefined();
		// the next request works
		expect((await api.post('/start/run-task', { taskDetails: 'ok' })).status).toBe(200);
	});

	test('delay', async () => {
		sim.fault({ endpoint: 'start-session', kind: 'delay', delayMs: 200 });
		const r = await api.post('/start/start-session', {});
		expect(r.status).toBe(200);
		// Held 200 ms by the simulator's own timer, from arrival to answer.
		const held = sim.requests[0];
		expect((held.respondedAt as number) - held.time).toBeGreaterThanOrEqual(199); // ms rounding
		sim.fault({ endpoint: 'send-message', actionType: 'newTask', kind: 'delay', delayMs: 100 });
		const st = await api.post('/start/send-message', {
			sessionId: r.data.sessionId,
			message: { actionType: 'state', newState: 'pause' },
		});
		expect(st.status).toBe(200);
		expect(sim.requests[sim.requests.length - 1].fault).toBeUndefined();
	});
});

describe('scripting and control', () => {
	test('[sim {...}] tag parsing', () => {
		expect(
			extractSimTag(
				'Log in [sim {"durationMs":300,"guardrails":[{"atMs":100,"value":"I need ] login }"}]}] now',
			),
		).toEqual({
			script: { durationMs: 300, guardrails: [{ atMs: 100, value: 'I need ] login }' }] },
			cleanText: 'Log in now',
		});
		expect(extractSimTag('no tag')).toBeNull();
		expect(extractSimTag('[sim {broken]')).toBeNull();
	});

	test('text scripting beats registered scripts; message override; usage', async () => {
		sim.script(/report/i, { message: 'registered', durationMs: 10 });
		sim.script('report', { message: 'second (never wins)' });
		const a = await api.post('/start/run-task', { taskDetails: 'Get the report' });
		expect(a.data.data.message).toBe('registered');
		const b = await api.post('/start/run-task', {
			prompt:
				'Get the report [sim {"message":"from tag","usage":{"prompt_tokens":10,"completion_tokens":5,"cost":0.5},"files":[{"filename":"r.zip"}]}]',
		});
		expect(b.data.data).toMatchObject({ message: 'from tag', files: [{ filename: 'r.zip' }] });
		expect(b.data.usage).toMatchObject({
			prompt_tokens: 10,
			completion_tokens: 5,
			total_tokens: 15,
			cost: 0.5,
		});
	});

	test('control endpoints (not logged)', async () => {
		const ctl = axios.create({ baseURL: sim.url, validateStatus: () => true });
		expect(
			(await ctl.post('/__sim/configure', { generation: 'enigma', inlineWindowMs: 20 })).data
				.success,
		).toBe(true);
		expect(
			(await ctl.post('/__sim/script', { match: 'slowpoke', script: { durationMs: 150 } })).data
				.success,
		).toBe(true);
		expect((await ctl.post('/__sim/fault', { endpoint: 'models', status: 500 })).data.success).toBe(
			true,
		);
		const r = await api.post('/start/run-task', { taskDetails: 'slowpoke' });
		expect(r.data).toMatchObject({ status: 'pending' });
		expect((await api.get('/v1/models')).status).toBe(500);
		const reqs = (await ctl.get('/__sim/requests')).data;
		expect(reqs.map((q: { endpoint: string }) => q.endpoint)).toEqual(['run-task', 'models']);
		expect(reqs[0]).toMatchObject({
			seq: 1,
			method: 'POST',
			path: '/start/run-task',
			apiKey: KEY,
			body: { taskDetails: 'slowpoke' },
			status: 200,
		});
		const tasks = (await ctl.get('/__sim/tasks')).data;
		expect(tasks).toHaveLength(1);
		expect(tasks[0]).toMatchObject({ text: 'slowpoke', state: 'running' });
		expect((await ctl.post('/__sim/reset')).data.success).toBe(true);
		expect((await ctl.get('/__sim/requests')).data).toEqual([]);
		expect(sim.options.generation).toBe('webrun');
		expect(sim.tasksStarted).toBe(0);
	});

	test('count() by endpoint and by endpoint:action; no chat completions endpoint', async () => {
		const s = await api.post('/start/start-session', {});
		await api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: { actionType: 'interaction', action: { type: 'CLICK', x: 1, y: 200 } },
		});
		await api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: { actionType: 'state', newState: 'stop' },
		});
		expect(sim.count('send-message')).toBe(2);
		expect(sim.count('send-message:state')).toBe(1);
		const c = await api.post('/v1/chat/completions', {
			model: 'webrun-browser-1',
			messages: [{ role: 'user', content: 'hi' }],
		});
		expect(c.status).toBe(404);
		expect(c.data).toEqual({ success: false, message: 'Cannot POST /v1/chat/completions' });
		expect(sim.count('unknown')).toBe(1);
		expect(sim.tasksStarted).toBe(0);
	});

	test('hundreds of concurrent held requests', async () => {
		sim.configure({ rateLimit: false });
		const n = 200;
		const rs = await Promise.all(
			Array.from({ length: n }, (_, i) =>
				api.post('/start/run-task', {
					taskDetails: `t${i} [sim {"durationMs":${100 + (i % 5) * 20}}]`,
				}),
			),
		);
		expect(rs.every((r) => r.status === 200 && r.data.type === 'task_completed')).toBe(true);
		expect(sim.tasksStarted).toBe(n);
	});
});

test('cli prints its url and stops on SIGTERM', async () => {
	const root = path.resolve(__dirname, '..', '..');
	// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- tests the simulator CLI
	const child = spawn(
		process.execPath,
		[
			require.resolve('ts-node/dist/bin.js'),
			'--transpile-only',
			'test/simulator/cli.ts',
			'--port',
			'0',
			'--generation',
			'enigma',
			'--request-generation',
			'W2',
		],
		{
			cwd: root,
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	const line = await new Promise<string>((resolve, reject) => {
		let buf = '';
		child.stdout.on('data', (d) => {
			buf += String(d);
			if (buf.includes('\n')) resolve(buf.split('\n')[0]);
		});
		child.on('exit', (code) => reject(new Error(`exited ${code}`)));
	});
	const { url, filesUrl } = JSON.parse(line);
	expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	expect(filesUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	const m = await axios.get(`${url}/v1/models`, { headers: { Authorization: 'Bearer k' } });
	expect(m.data.data[0].id).toBe('enigma-browser-1');
	const flat = await axios.post(
		`${url}/start/run-task`,
		{ taskDetails: 'x' },
		{ headers: { Authorization: 'Bearer k' }, validateStatus: () => true },
	);
	expect(flat.status).toBe(400);
	expect(flat.data).toEqual({ success: false, message: 'Missing task.prompt' });
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	child.kill('SIGTERM');
	expect(await exited).toBe(0);
});
