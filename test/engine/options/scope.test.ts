/**
 * An option applies where the editor shows it: one `appliesTo` list per option group
 * (nodes/WebRun/actions/scope.ts) makes both the editor's displayOptions and the reader's guard.
 * A value left in the node's options from another operation is not read where it is hidden.
 */
import { runWorkflow } from '../../helpers/engine';
import { useSimulator } from '../../helpers/simulator';
import type { Simulator } from '../../simulator';

const simulator = useSimulator({ defaultScript: { durationMs: 100 } });
let sim: Simulator;
beforeEach(() => (sim = simulator()));

/** Values every task option would refuse (each one alone fails a Run Task). */
const STALE_TASK_OPTIONS = {
	pollInterval: 1,
	startingUrl: 'not a web address',
	avoidDomains: 'not a domain!',
	maxDuration: 5,
	secrets: { secret: [{ match: 'all', fields: { field: [] } }] },
	attachBinaryProperties: 'missing',
};

test('the same stale task options fail a Run Task before any request', async () => {
	const r = await runWorkflow({
		baseUrl: sim.url,
		parameters: { operation: 'runTask', taskDetails: 'a task', options: STALE_TASK_OPTIONS },
	});
	expect(r.error?.message).toMatch(/Starting URL is not a valid web address/);
	expect(sim.requests).toHaveLength(0);
});

test('a guardrail answer does not read the task options (hidden for it in the editor)', async () => {
	sim.configure({ inlineWindowMs: 400 });
	sim.script('login', {
		durationMs: 1500,
		guardrails: [{ atMs: 100, value: 'I need login credentials' }],
		message: 'Logged in',
	});
	const first = await runWorkflow({
		baseUrl: sim.url,
		parameters: { operation: 'runTask', taskDetails: 'login', options: { pollInterval: 1 } },
	});
	const { sessionId, taskId } = first.guardrail[0].json;
	const reply = await runWorkflow({
		baseUrl: sim.url,
		parameters: {
			operation: 'sendMessage',
			messageType: 'guardrailResponse',
			sessionId,
			taskId,
			guardrailResponse: 'signed in',
			options: STALE_TASK_OPTIONS,
		},
	});
	expect(reply.error).toBeUndefined();
	expect(reply.completed[0].json).toMatchObject({ status: 'completed', message: 'Logged in' });
	const replies = sim.requests.filter((q) => q.endpoint === 'send-message');
	expect(replies.map((q) => q.body)).toEqual([
		{ sessionId, message: expect.objectContaining({ actionType: 'guardrail' }) },
	]);
});

test('Control Session does not read the waiting options (Parallel Tasks, Poll Interval, Timeout)', async () => {
	const started = await runWorkflow({
		baseUrl: sim.url,
		parameters: { operation: 'startSession' },
	});
	const { sessionId } = started.completed[0].json;
	const r = await runWorkflow({
		baseUrl: sim.url,
		parameters: {
			operation: 'controlSession',
			sessionId,
			action: 'terminate',
			options: { concurrency: 99, pollInterval: 0, timeout: -1 },
		},
	});
	expect(r.error).toBeUndefined();
	expect(r.completed[0].json).toMatchObject({ sessionId, action: 'terminate', success: true });
});
