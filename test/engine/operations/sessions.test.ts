/**
 * Start Session, Send Message (new task, guardrail response), Control Session and AI-tool mode,
 * through n8n's real engine against the simulator, in both response generations.
 */
import type { IDataObject } from 'n8n-workflow';

import { useSimulator } from '../../helpers/simulator';
import { eventually } from '../../helpers/timing';
import type { Simulator } from '../../simulator';
import { runWorkflow } from '../../helpers/engine';

const simulator = useSimulator();
let sim: Simulator;
beforeEach(() => (sim = simulator()));

const fast = { pollInterval: 1 };

async function startSession(parameters: IDataObject = {}) {
	return runWorkflow({
		baseUrl: sim.url,
		parameters: { operation: 'startSession', options: fast, ...parameters },
	});
}

describe.each(['webrun', 'enigma'] as const)('%s generation', (generation) => {
	beforeEach(() => sim.configure({ generation }));

	test('Start Session without a first task: returns the session at once on Completed', async () => {
		const r = await startSession();
		expect(r.error).toBeUndefined();
		expect(r.completed).toHaveLength(1);
		const json = r.completed[0].json;
		const session = [...sim.sessions.values()][0];
		expect(json).toMatchObject({
			status: 'started',
			sessionId: session.sessionId,
			expiresIn: 300000,
			balance: 12.5,
		});
		expect(typeof json.liveViewUrl).toBe('string');
		expect(typeof json.webRtcUrl).toBe('string');
		expect(json.socketUrl).toBe(sim.url);
		expect(sim.tasksStarted).toBe(0);
		expect(sim.count('poll')).toBe(0);
		// Nothing to send: n8n drops an empty JSON body.
		expect(sim.requests[0].body ?? {}).toEqual({});
	});

	test('Start Session with a first task waits for it and adds the session fields', async () => {
		sim.script('amazon', { durationMs: 1200, message: 'On amazon.com' });
		const r = await startSession({
			taskDetails: 'Go to amazon.com',
			options: { ...fast, startingUrl: 'https://amazon.com', terminateOnCompletion: false },
		});
		expect(r.error).toBeUndefined();
		const task = sim.tasks[0];
		expect(r.completed[0].json).toMatchObject({
			status: 'completed',
			message: 'On amazon.com',
			sessionId: task.sessionId,
			taskId: task.taskId,
			expiresIn: 300000,
		});
		expect(r.completed[0].json.liveViewUrl).toBeDefined();
		// What the server read as the first task (generations.test.ts: where, per generation).
		expect(task.text).toBe('Go to amazon.com');
		expect(task.options).toEqual({
			startingUrl: 'https://amazon.com/',
			terminateOnCompletion: false,
		});
		expect(sim.tasksStarted).toBe(1);
	});

	test('Send Message → New Task runs a task in an existing session and waits', async () => {
		const s = await startSession();
		const sessionId = String(s.completed[0].json.sessionId);
		sim.configure({ inlineWindowMs: 300 });
		sim.script('search', { durationMs: 1200, message: 'Found 50 results' });
		const r = await runWorkflow({
			baseUrl: sim.url,
			items: [{ sessionId }],
			parameters: {
				operation: 'sendMessage',
				messageType: 'newTask',
				sessionId: '={{ $json.sessionId }}',
				taskDetails: 'search for laptops',
				options: { ...fast, terminateOnCompletion: true, maxDuration: 60000 },
			},
		});
		expect(r.error).toBeUndefined();
		expect(r.completed[0].json).toMatchObject({
			status: 'completed',
			message: 'Found 50 results',
			sessionId,
			taskId: sim.tasks[0].taskId,
		});
		const send = sim.requests.find((q) => q.endpoint === 'send-message');
		expect(send?.body).toMatchObject({
			sessionId,
			message: { actionType: 'newTask', newState: 'start' },
		});
		expect(sim.tasks[0].text).toBe('search for laptops');
		expect(sim.tasks[0].options).toEqual({ terminateOnCompletion: true, maxDuration: 60000 });
		expect(sim.tasks[0].sessionId).toBe(sessionId);
	});

	test('the full guardrail round-trip: guardrail → human reply → the same task completes', async () => {
		sim.configure({ inlineWindowMs: 400 });
		sim.script('login', {
			durationMs: 1500,
			guardrails: [{ atMs: 100, value: 'I need login credentials' }],
			message: 'Logged in',
		});
		const first = await runWorkflow({
			baseUrl: sim.url,
			parameters: { operation: 'runTask', taskDetails: 'login to the shop', options: fast },
		});
		expect(first.guardrail).toHaveLength(1);
		const waiting = first.guardrail[0].json;

		const reply = await runWorkflow({
			baseUrl: sim.url,
			items: [{ ...waiting, answer: 'user: jane, password: hunter2' }],
			parameters: {
				operation: 'sendMessage',
				messageType: 'guardrailResponse',
				sessionId: '={{ $json.sessionId }}',
				taskId: '={{ $json.taskId }}',
				guardrailResponse: '={{ $json.answer }}',
				options: fast,
			},
		});
		expect(reply.error).toBeUndefined();
		expect(reply.guardrail).toHaveLength(0);
		expect(reply.completed[0].json).toMatchObject({
			status: 'completed',
			message: 'Logged in',
			sessionId: waiting.sessionId,
			taskId: waiting.taskId,
		});
		expect(reply.completed[0].pairedItem).toEqual({ item: 0 });

		// Exactly one task was started; the reply was sent with newState "resume" to that task's session.
		expect(sim.tasksStarted).toBe(1);
		const replies = sim.requests.filter((q) => q.endpoint === 'send-message');
		expect(replies).toHaveLength(1);
		expect(replies[0].body).toMatchObject({
			sessionId: waiting.sessionId,
			message: { actionType: 'guardrail', newState: 'resume' },
		});
		expect(sim.tasks[0].guardrailReplies.map((reply) => reply.text)).toEqual([
			'user: jane, password: hunter2',
		]);
		const polls = sim.requests.filter((q) => q.endpoint === 'poll' && q.time > replies[0].time);
		expect(polls.every((p) => p.path === `/task/${waiting.sessionId}/${waiting.taskId}`)).toBe(
			true,
		);
	});

	test('a second guardrail on the same task goes to Guardrail again, then a second reply completes it', async () => {
		sim.configure({ inlineWindowMs: 300 });
		sim.script('two factor', {
			durationMs: 1500,
			guardrails: [
				{ atMs: 100, value: 'I need login credentials' },
				{ atMs: 600, value: 'Enter the 2FA code sent to your phone' },
			],
			message: 'Logged in with 2FA',
		});
		const first = await runWorkflow({
			baseUrl: sim.url,
			parameters: { operation: 'runTask', taskDetails: 'login with two factor', options: fast },
		});
		const ids = {
			sessionId: first.guardrail[0].json.sessionId,
			taskId: first.guardrail[0].json.taskId,
		};
		const reply = (answer: string) =>
			runWorkflow({
				baseUrl: sim.url,
				items: [ids],
				parameters: {
					operation: 'sendMessage',
					messageType: 'guardrailResponse',
					sessionId: '={{ $json.sessionId }}',
					taskId: '={{ $json.taskId }}',
					guardrailResponse: answer,
					options: fast,
				},
			});
		const second = await reply('jane / hunter2');
		expect(second.completed).toHaveLength(0);
		expect(second.guardrail[0].json).toMatchObject({
			status: 'guardrail',
			...ids,
			guardrail: { value: 'Enter the 2FA code sent to your phone' },
		});
		const third = await reply('123456');
		expect(third.completed[0].json).toMatchObject({
			status: 'completed',
			message: 'Logged in with 2FA',
			...ids,
		});
		expect(sim.tasksStarted).toBe(1);
		expect(sim.tasks[0].guardrailReplies).toHaveLength(2);
	});

	test.each(['pause', 'resume', 'stop', 'terminate'])('Control Session: %s', async (action) => {
		const s = await startSession();
		const sessionId = String(s.completed[0].json.sessionId);
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: { operation: 'controlSession', sessionId, action },
		});
		expect(r.error).toBeUndefined();
		expect(r.outputNames).toHaveLength(1);
		expect(r.outputs).toHaveLength(1);
		expect(r.completed[0].json).toEqual({
			sessionId,
			action,
			success: true,
			message: 'Message sent successfully',
		});
		const sent = sim.requests.filter((q) => q.endpoint === 'send-message');
		expect(sent.map((q) => q.body)).toEqual([
			{ sessionId, message: { actionType: 'state', newState: action } },
		]);
		if (action === 'terminate') expect(sim.sessions.get(sessionId)?.state).toBe('terminated');
	});
});

test('terminate ends a running task: its waiting node fails with a clear "terminated" error', async () => {
	sim.configure({ inlineWindowMs: 200 });
	const s = await startSession();
	const sessionId = String(s.completed[0].json.sessionId);
	sim.script('long', { durationMs: 20000 });
	const running = runWorkflow({
		baseUrl: sim.url,
		parameters: {
			operation: 'sendMessage',
			messageType: 'newTask',
			sessionId,
			taskDetails: 'long job',
			options: fast,
		},
	});
	// Terminated once the node waits for the task (its first poll was answered).
	const waiting = () => sim.requests.some((q) => q.endpoint === 'poll' && q.respondedAt);
	expect(await eventually(waiting)).toBe(true);
	await runWorkflow({
		baseUrl: sim.url,
		parameters: { operation: 'controlSession', sessionId, action: 'terminate' },
	});
	const r = await running;
	expect(r.error?.message).toMatch(/terminated/);
	expect(r.error?.message).toContain(sessionId);
});

describe('unknown or ended sessions give clear errors', () => {
	test('Control Session on an unknown session (404)', async () => {
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: { operation: 'controlSession', sessionId: 'nosuchsession', action: 'pause' },
		});
		expect(r.error?.message).toContain('Control Session');
		expect(r.error?.message).toContain('could not find the session');
		expect(r.error?.message).toContain('nosuchsession');
		expect(sim.count('send-message')).toBe(1);
	});

	test('Send Message to an ended session, documented 401 "Session not found or unauthorized"', async () => {
		sim.configure({ unknownSessionStatus: 401 });
		const s = await startSession();
		const sessionId = String(s.completed[0].json.sessionId);
		await runWorkflow({
			baseUrl: sim.url,
			parameters: { operation: 'controlSession', sessionId, action: 'terminate' },
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'sendMessage',
				messageType: 'newTask',
				sessionId,
				taskDetails: 'more work',
			},
		});
		expect(r.error?.message).toContain('did not accept the session');
		expect(r.error?.message).toContain(sessionId);
		expect(r.error?.message).not.toMatch(/API key/);
		expect(sim.tasksStarted).toBe(0);
	});

	test('a guardrail reply to a task that is not waiting is refused clearly', async () => {
		const s = await startSession();
		const sessionId = String(s.completed[0].json.sessionId);
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'sendMessage',
				messageType: 'guardrailResponse',
				sessionId,
				taskId: 'notwaiting01',
				guardrailResponse: 'hello',
			},
		});
		expect(r.error?.message).toContain('Send Message');
		expect(r.error?.message).toContain(sessionId);
	});
});

describe('AI agent tool mode', () => {
	test('a guardrail goes to output 0 with status "guardrail" (only output 0 reaches the agent)', async () => {
		sim.configure({ inlineWindowMs: 300 });
		sim.script('login', {
			durationMs: 1500,
			guardrails: [{ atMs: 100, value: 'I need login credentials' }],
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			asTool: true,
			parameters: { operation: 'runTask', taskDetails: 'login', options: fast },
		});
		expect(r.error).toBeUndefined();
		expect(r.completed).toHaveLength(1);
		expect(r.completed[0].json).toMatchObject({
			status: 'guardrail',
			guardrail: { value: 'I need login credentials' },
		});
		expect(r.guardrail).toHaveLength(0);
	});

	test('the node declares usableAsTool and every parameter has a description an agent can follow', async () => {
		const { WebRun } = await import('../../../nodes/WebRun/WebRun.node');
		const description = new WebRun().description;
		expect(description.usableAsTool).toBe(true);
		const walk = (
			props: Array<{ name: string; description?: string; options?: unknown[]; type: string }>,
		) => {
			for (const p of props) {
				if (p.type === 'collection') walk(p.options as never);
				else if (p.name !== 'operation' && p.name !== 'messageType' && p.name !== 'action') {
					expect(`${p.name}: ${p.description ?? ''}`.length).toBeGreaterThan(p.name.length + 15);
				}
			}
		};
		walk(description.properties as never);
	});
});
