/**
 * Bad input never reaches WebRun: for Send Message, Get Task, Control Session and Start Session
 * every invalid parameter is an error naming the item, and the simulator's request log stays
 * empty. (Run Task's checks are in operations/runTask.test.ts.)
 */
import type { IDataObject } from 'n8n-workflow';

import { useSimulator } from '../../helpers/simulator';
import type { Simulator } from '../../simulator';
import { startSessionDirect, visibleRecorder } from './shared';

const simulator = useSimulator();
let sim: Simulator;
beforeEach(() => (sim = simulator()));
const rec = visibleRecorder();

const newTask: IDataObject = {
	operation: 'sendMessage',
	sessionId: 'abc123def456',
	messageType: 'newTask',
	taskDetails: 'next task',
};
const reply: IDataObject = {
	operation: 'sendMessage',
	sessionId: 'abc123def456',
	taskId: 'tsk123def456',
	messageType: 'guardrailResponse',
	guardrailResponse: 'the answer',
};
const getTask: IDataObject = {
	operation: 'getTask',
	sessionId: 'abc123def456',
	taskId: 'tsk123def456',
};
const control: IDataObject = {
	operation: 'controlSession',
	sessionId: 'abc123def456',
	action: 'terminate',
};
const startSession: IDataObject = { operation: 'startSession', taskDetails: 'first task' };
const runTask: IDataObject = { operation: 'runTask', taskDetails: 'a task' };

/** Values that must never be visible, even in the errors of the input they came with. */
const SECRET_VALUE = 'dummy-hunter2-Correct-Horse';
const PROXY_PASSWORD = 'Pr0xyPa55word';
const PASSWORD_FIELD: IDataObject[] = [{ name: 'password', value: SECRET_VALUE }];
const secrets = (match: string, fields: IDataObject[] = PASSWORD_FIELD) => ({
	secrets: { secret: [{ match, fields: { field: fields } }] },
});

type Case = [string, IDataObject, RegExp];

/** An empty value as a workflow meets it at run time: an expression that resolves to nothing. */
const EMPTY = '={{ $json.missing }}';

/** Environment, Policy ID, Proxy, Reach Out Mode, Secrets (Run Task, Start Session, New Task). */
const sessionSettingCases: Case[] = [
	[
		'Run Task: WebRun proxy without a country',
		{ ...runTask, options: { proxy: 'webRun' } },
		/Proxy is WebRun, but no Proxy Country is set/,
	],
	[
		'Start Session: custom proxy without a URL',
		{ ...startSession, options: { proxy: 'custom' } },
		/Proxy is Custom URL, but no Proxy URL is set/,
	],
	[
		'Run Task: environment id with a slash',
		{ ...runTask, environmentId: '={{ "env/1" }}' },
		/Environment is not a valid WebRun environment ID/,
	],
	[
		'Start Session: policy id with a space',
		{ ...startSession, options: { policyId: 'pol 1' } },
		/Policy ID is not a valid WebRun ID/,
	],
	[
		'Run Task: proxy country of three letters',
		{ ...runTask, options: { proxy: 'webRun', proxyCountry: 'USA' } },
		/Proxy Country is not a two-letter country code: "USA"/,
	],
	[
		'Run Task: proxy country UK (not ISO)',
		{ ...runTask, options: { proxy: 'webRun', proxyCountry: 'uk' } },
		/Proxy Country is not a two-letter/,
	],
	[
		'Run Task: proxy country unassigned',
		{ ...runTask, options: { proxy: 'webRun', proxyCountry: 'ZZ' } },
		/Proxy Country/,
	],
	[
		'Start Session: proxy country empty',
		{ ...startSession, options: { proxy: 'webRun', proxyCountry: '' } },
		/Proxy Country is empty/,
	],
	[
		'Run Task: proxy URL empty',
		{ ...runTask, options: { proxy: 'custom', proxyUrl: '' } },
		/Proxy URL is empty/,
	],
	[
		'Run Task: proxy URL not a URL',
		{ ...runTask, options: { proxy: 'custom', proxyUrl: `pw ${PROXY_PASSWORD} at host` } },
		/Proxy URL is not a valid URL/,
	],
	[
		'Run Task: https proxy URL',
		{
			...runTask,
			options: { proxy: 'custom', proxyUrl: `https://u:${PROXY_PASSWORD}@p.example.com:443` },
		},
		/must start with http:\/\/ or socks5:\/\//,
	],
	[
		'Start Session: ftp proxy URL',
		{ ...startSession, options: { proxy: 'custom', proxyUrl: 'ftp://p.example.com:21' } },
		/must start with http:\/\//,
	],
	[
		'Start Session: proxy URL with a path',
		{
			...startSession,
			options: { proxy: 'custom', proxyUrl: `http://u:${PROXY_PASSWORD}@p.example.com:8080/x` },
		},
		/must not have a path/,
	],
	[
		'Run Task: unknown reach out mode',
		{ ...runTask, options: { reachOutMode: '={{ "sometimes" }}' } },
		/Reach Out Mode "sometimes" is not known/,
	],
	[
		'Run Task: secret without a pattern',
		{ ...runTask, options: secrets('') },
		/Secret 1 has no domain pattern/,
	],
	[
		'Run Task: secret with a bad pattern',
		{ ...runTask, options: secrets('not a domain!') },
		/Secret 1 has an invalid domain pattern/,
	],
	[
		'Start Session: secret with a path pattern',
		{ ...startSession, options: secrets('github.com/login') },
		/invalid domain pattern/,
	],
	[
		'Run Task: secret without fields',
		{ ...runTask, options: { secrets: { secret: [{ match: 'github.com', fields: {} }] } } },
		/Secret 1 \(github.com\) has no fields/,
	],
	[
		'Run Task: secret field without a name',
		{ ...runTask, options: secrets('github.com', [{ name: ' ', value: SECRET_VALUE }]) },
		/has a field without a name/,
	],
	[
		'Send Message: secret field without a value',
		{ ...newTask, options: secrets('all', [{ name: 'password', value: EMPTY }]) },
		/the field "password" has no value/,
	],
	[
		'Send Message: a secret field twice',
		{
			...newTask,
			options: secrets('*.x.com', [
				{ name: 'pin', value: SECRET_VALUE },
				{ name: 'pin', value: 'x' },
			]),
		},
		/the field "pin" twice/,
	],
	[
		'Run Task: Parallel Tasks 0 next to secrets',
		{ ...runTask, options: { concurrency: 0, ...secrets('all') } },
		/Parallel Tasks/,
	],
	[
		'Start Session: secrets without a first task',
		{ operation: 'startSession', options: secrets('all') },
		/Secrets need a task/,
	],
];

const cases: Case[] = [
	// Send Message → New Task
	['Send Message: empty session id', { ...newTask, sessionId: EMPTY }, /Session ID is empty/],
	['Send Message: blank session id', { ...newTask, sessionId: '   ' }, /Session ID is empty/],
	[
		'Send Message: session id with a space',
		{ ...newTask, sessionId: 'abc 123' },
		/Session ID is not a valid WebRun ID/,
	],
	[
		'Send Message: session id with a slash',
		{ ...newTask, sessionId: 'abc/123' },
		/Session ID is not a valid WebRun ID/,
	],
	[
		'Send Message: session id with ../',
		{ ...newTask, sessionId: '../admin' },
		/Session ID is not a valid WebRun ID/,
	],
	[
		'Send Message: session id with a query',
		{ ...newTask, sessionId: 'abc?x=1' },
		/Session ID is not a valid WebRun ID/,
	],
	['Send Message: empty new task', { ...newTask, taskDetails: EMPTY }, /Task is empty/],
	[
		'Send Message: new task from an empty string expression',
		{ ...newTask, taskDetails: '={{ "" }}' },
		/Task is empty/,
	],
	['Send Message: blank new task', { ...newTask, taskDetails: ' \n ' }, /Task is empty/],
	[
		'Send Message: maxDuration too big',
		{ ...newTask, options: { maxDuration: 300001 } },
		/Max Duration/,
	],
	[
		'Send Message: maxInputTokens not a number',
		{ ...newTask, options: { maxInputTokens: 'many' } },
		/Max Input Tokens/,
	],
	[
		'Send Message: bad starting URL',
		{ ...newTask, options: { startingUrl: 'javascript:alert(1)' } },
		/Starting URL/,
	],
	[
		'Send Message: bad avoid domain',
		{ ...newTask, options: { avoidDomains: 'ok.com, not a domain' } },
		/Avoid Domains/,
	],
	['Send Message: Parallel Tasks 0', { ...newTask, options: { concurrency: 0 } }, /Parallel Tasks/],
	// Send Message → Guardrail Response
	['Guardrail reply: empty response', { ...reply, guardrailResponse: EMPTY }, /Response is empty/],
	['Guardrail reply: blank response', { ...reply, guardrailResponse: '   ' }, /Response is empty/],
	['Guardrail reply: empty task id', { ...reply, taskId: EMPTY }, /Task ID is empty/],
	[
		'Guardrail reply: task id with a slash',
		{ ...reply, taskId: 'a/b' },
		/Task ID is not a valid WebRun ID/,
	],
	['Guardrail reply: empty session id', { ...reply, sessionId: EMPTY }, /Session ID is empty/],
	['Guardrail reply: timeout zero', { ...reply, options: { timeout: 0 } }, /Timeout/],
	// Get Task
	['Get Task: empty session id', { ...getTask, sessionId: EMPTY }, /Session ID is empty/],
	['Get Task: empty task id', { ...getTask, taskId: EMPTY }, /Task ID is empty/],
	[
		'Get Task: task id with a space',
		{ ...getTask, taskId: 'tsk 1' },
		/Task ID is not a valid WebRun ID/,
	],
	[
		'Get Task: task id with a slash',
		{ ...getTask, taskId: 'tsk/../../v1/models' },
		/Task ID is not a valid WebRun ID/,
	],
	[
		'Get Task: task id with a #',
		{ ...getTask, taskId: 'tsk#1' },
		/Task ID is not a valid WebRun ID/,
	],
	[
		'Get Task: session id starting with a dot',
		{ ...getTask, sessionId: '.hidden' },
		/Session ID is not a valid WebRun ID/,
	],
	[
		'Get Task: poll interval below 1 s',
		{ ...getTask, options: { pollInterval: 0.2 } },
		/Poll Interval/,
	],
	['Get Task: timeout not a number', { ...getTask, options: { timeout: 'never' } }, /Timeout/],
	['Get Task: Parallel Tasks 11', { ...getTask, options: { concurrency: 11 } }, /Parallel Tasks/],
	['Get Task: Parallel Tasks 2.5', { ...getTask, options: { concurrency: 2.5 } }, /Parallel Tasks/],
	// Control Session
	['Control Session: empty session id', { ...control, sessionId: EMPTY }, /Session ID is empty/],
	[
		'Control Session: session id with a slash',
		{ ...control, sessionId: 'a/b' },
		/Session ID is not a valid WebRun ID/,
	],
	[
		'Control Session: unknown action',
		{ ...control, action: 'explode' },
		/Unknown action "explode"/,
	],
	// Start Session
	[
		'Start Session: bad starting URL',
		{ ...startSession, options: { startingUrl: 'not a url' } },
		/Starting URL/,
	],
	[
		'Start Session: ftp starting URL',
		{ ...startSession, options: { startingUrl: 'ftp://example.com' } },
		/Starting URL/,
	],
	[
		'Start Session: maxDuration below 1000',
		{ ...startSession, options: { maxDuration: 10 } },
		/Max Duration/,
	],
	[
		'Start Session: maxOutputTokens above 100000',
		{ ...startSession, options: { maxOutputTokens: 100001 } },
		/Max Output Tokens/,
	],
	[
		'Start Session: bad avoid domain',
		{ ...startSession, options: { avoidDomains: 'bad domain!' } },
		/Avoid Domains/,
	],
	['Start Session: timeout negative', { ...startSession, options: { timeout: -1 } }, /Timeout/],
	...sessionSettingCases,
];

test.each(cases)('%s → error before any request', async (_, parameters, message) => {
	const r = await rec.run({ baseUrl: sim.url, parameters });
	expect(r.error?.message).toMatch(message);
	expect(r.error?.context?.itemIndex).toBe(0);
	expect(r.completed).toHaveLength(0);
	expect(sim.requests).toHaveLength(0);
});

test('a literal empty required field is refused by n8n itself before the node runs (nothing is sent)', async () => {
	await expect(
		rec.run({ baseUrl: sim.url, parameters: { ...getTask, taskId: '' } }),
	).rejects.toThrow(/workflow has issues/);
	expect(sim.requests).toHaveLength(0);
});

test('the id given as an expression is checked per item; one bad item stops the node before anything is sent', async () => {
	const r = await rec.run({
		baseUrl: sim.url,
		items: [{ sid: 'goodsession1' }, { sid: 'bad session' }],
		parameters: { operation: 'controlSession', sessionId: '={{ $json.sid }}', action: 'stop' },
	});
	expect(r.error?.message).toMatch(/Session ID is not a valid WebRun ID: "bad session"/);
	expect(r.error?.context?.itemIndex).toBe(1);
	expect(sim.requests).toHaveLength(0);
});

test('under Continue On Fail the bad item becomes an error item and only the good one is sent', async () => {
	const { sessionId } = await startSessionDirect(sim);
	sim.requests.length = 0;
	const r = await rec.run({
		baseUrl: sim.url,
		items: [{ sid: 'bad/one' }, { sid: sessionId }],
		parameters: { operation: 'controlSession', sessionId: '={{ $json.sid }}', action: 'stop' },
		onError: 'continueRegularOutput',
	});
	expect(r.error).toBeUndefined();
	expect(r.completed.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	expect(String(r.completed[0].json.error)).toMatch(/Session ID is not a valid WebRun ID/);
	expect(r.completed[1].json).toMatchObject({ sessionId, action: 'stop', success: true });
	expect(sim.requests.map((q) => q.body?.sessionId)).toEqual([sessionId]);
});

test('ids with "." ":" "_" "-" are valid and reach the server', async () => {
	const r = await rec.run({
		baseUrl: sim.url,
		parameters: { operation: 'controlSession', sessionId: 'a1.b2:c3_d4-e5', action: 'pause' },
	});
	// The simulator knows no such session (its ids are alphanumeric), but the request went out as given.
	expect(r.error?.message).toMatch(/could not find the session \(session a1\.b2:c3_d4-e5\)/);
	expect(sim.requests.map((q) => q.body)).toEqual([
		{ sessionId: 'a1.b2:c3_d4-e5', message: { actionType: 'state', newState: 'pause' } },
	]);
});

test('no run in this file made the key, a secret value or a proxy password visible', () => {
	rec.expectNoKey([SECRET_VALUE, PROXY_PASSWORD]);
});
