/**
 * Browser environments and the rest of the session settings (docs/webrun-api-notes.md#sessions):
 * the Environment list (listSearch in n8n's real LoadOptionsContext), the Environment parameter in
 * both modes, strict API Formats refusing what they cannot carry, secrets redacted like the API
 * key, and the guardrail item's liveViewUrl.
 */
import type { IDataObject } from 'n8n-workflow';

import { listSearch, TEST_API_KEY } from '../../helpers/engine';
import { useSimulator } from '../../helpers/simulator';
import type { Simulator } from '../../simulator';
import { visibleRecorder } from '../reliability/shared';

const simulator = useSimulator({ defaultScript: { durationMs: 100 } });
let sim: Simulator;
beforeEach(() => (sim = simulator()));
const rec = visibleRecorder();

const SECRET = 'Tr0ub4dor&3-horse';
const OTP = '48213907';
const secrets = (
	match = 'github.com',
	fields: IDataObject[] = [
		{ name: 'password', value: SECRET },
		{ name: 'otp', value: OTP },
	],
) => ({
	secrets: { secret: [{ match, fields: { field: fields } }] },
});

describe('Environment list (From List)', () => {
	const search = (filter?: string, extra: { apiKey?: string; baseUrl?: string } = {}) =>
		listSearch({ method: 'searchEnvironments', filter, baseUrl: sim.url, ...extra });

	test('GET /environments with the credential: name and status shown, _id as value', async () => {
		const { results } = await search();
		expect(results).toEqual([
			{
				name: 'Amazon (logged in) (ready)',
				value: '683a1f2e4b0c1d2e3f4a5b6c',
				description: 'Chrome profile logged in to amazon.com',
			},
			{
				name: 'Salesforce CRM (ready)',
				value: '683a1f2e4b0c1d2e3f4a5b6d',
				description: 'Sales team login',
			},
			{ name: 'Fresh profile (empty)', value: '683a1f2e4b0c1d2e3f4a5b6e' },
		]);
		expect(sim.requests.map((q) => `${q.method} ${q.path} ${q.headers.authorization}`)).toEqual([
			`GET /environments Bearer ${TEST_API_KEY}`,
		]);
	});

	test.each([
		['sales', ['Salesforce CRM (ready)']],
		['AMAZON', ['Amazon (logged in) (ready)']],
		['5b6e', ['Fresh profile (empty)']],
		['nothing like it', []],
	])('filtered by the typed text "%s"', async (filter, names) => {
		const { results } = await search(filter);
		expect(results.map((r) => r.name)).toEqual(names);
	});

	test('an `id` instead of `_id`, no status: read too; entries without an id skipped', async () => {
		sim.configure({ environments: [{ id: 'env_plain_1', name: 'Plain' }] });
		const r = await fetch(`${sim.url}/environments`, {
			headers: { Authorization: `Bearer ${TEST_API_KEY}` },
		});
		// The simulator always answers `_id` (the docs' field): the node reads it.
		const body = (await r.json()) as { environments: Array<{ _id: string }> };
		const { results } = await search();
		expect(results).toEqual([{ name: 'Plain (ready)', value: body.environments[0]._id }]);
	});

	test.each([
		[
			401,
			{ success: false, message: 'Invalid or revoked API key' },
			/rejected the API key \(HTTP 401\)/,
		],
		[
			403,
			{ success: false, message: 'Account is deactivated' },
			/could not list the environments \(HTTP 403\): Account is deactivated/,
		],
		[
			404,
			{ success: false, message: 'Cannot GET /environments' },
			/has no environments API \(HTTP 404\)/,
		],
		[
			500,
			{ success: false, message: 'Authentication error' },
			/could not list the environments \(HTTP 500\)/,
		],
		[200, { success: true }, /without a list of environments/],
	])('HTTP %s gives a clear error without the key', async (status, body, message) => {
		sim.fault({ endpoint: 'environments', status, body: { ...body, echo: TEST_API_KEY } });
		const error = await search().then(
			() => undefined,
			(e: Error & { description?: string }) => e,
		);
		expect(error?.message).toMatch(message);
		expect(JSON.stringify({ m: error?.message, d: error?.description })).not.toContain(
			TEST_API_KEY,
		);
	});

	test('an unreachable server: a clear error naming the origin', async () => {
		const error = await listSearch({
			method: 'searchEnvironments',
			baseUrl: 'http://127.0.0.1:1',
		}).catch((e: Error) => e);
		expect((error as Error).message).toMatch(/Could not reach WebRun at http:\/\/127\.0\.0\.1:1/);
	});
});

describe('Environment parameter', () => {
	test.each([
		[
			'From List',
			{
				__rl: true,
				mode: 'list',
				value: '683a1f2e4b0c1d2e3f4a5b6d',
				cachedResultName: 'Salesforce CRM (ready)',
			},
		],
		['By ID', { __rl: true, mode: 'id', value: ' 683a1f2e4b0c1d2e3f4a5b6d ' }],
		['an expression giving the id', '={{ "683a1f2e4b0c1d2e3f4a5b6d" }}'],
	])('%s: sent top level as environmentId (Run Task)', async (_, environmentId) => {
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: { operation: 'runTask', taskDetails: 'open the CRM', environmentId },
		});
		expect(r.error).toBeUndefined();
		expect(sim.requests[0].body.environmentId).toBe('683a1f2e4b0c1d2e3f4a5b6d');
		expect(sim.tasks[0].options.environmentId).toBe('683a1f2e4b0c1d2e3f4a5b6d');
	});

	test('empty (the default): not sent', async () => {
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: {
				operation: 'startSession',
				environmentId: { __rl: true, mode: 'list', value: '' },
			},
		});
		expect(r.error).toBeUndefined();
		expect(sim.requests[0].body ?? {}).toEqual({});
	});
});

describe('a strict API Format refuses, before any request, what it has no field for', () => {
	test.each([
		[
			'e',
			{ environmentId: { __rl: true, mode: 'id', value: 'env1' } },
			/Environment cannot be sent with the API Format "Enigma \(Flat\)"/,
		],
		['e', { options: secrets() }, /Secrets cannot be sent/],
		[
			'w1',
			{ options: { policyId: 'pol_1', proxy: 'webRun', proxyCountry: 'US' } },
			/Policy ID, Proxy cannot be sent with the API Format "WebRun v1"/,
		],
		['w1', { options: { reachOutMode: 'full' } }, /Reach Out Mode cannot be sent/],
		[
			'w2',
			{ options: { avoidDomains: 'facebook.com' } },
			/Avoid Domains cannot be sent with the API Format "WebRun v2"/,
		],
	])('%s: %j', async (apiFormat, patch, message) => {
		const r = await rec.run({
			baseUrl: sim.url,
			credential: { apiFormat },
			items: [{}, {}],
			parameters: { operation: 'runTask', taskDetails: 'a task', ...patch },
		});
		expect(r.error?.message).toMatch(message);
		expect(r.error?.description).toMatch(/API Format to Auto/);
		expect(sim.requests).toHaveLength(0);
	});

	test('a later item a strict format cannot carry stops the node before item 0 goes', async () => {
		const r = await rec.run({
			baseUrl: sim.url,
			credential: { apiFormat: 'w1' },
			items: [{ p: '' }, { p: 'pol_1' }],
			parameters: {
				operation: 'runTask',
				taskDetails: 'a task',
				options: { policyId: '={{ $json.p }}' },
			},
		});
		expect(r.error?.message).toMatch(/Policy ID cannot be sent/);
		expect(r.error?.context?.itemIndex).toBe(1);
		expect(sim.requests).toHaveLength(0);
	});

	test('under Continue the refused item is an error item and the other one runs', async () => {
		const r = await rec.run({
			baseUrl: sim.url,
			credential: { apiFormat: 'w1' },
			items: [{ p: '' }, { p: 'pol_1' }],
			onError: 'continueRegularOutput',
			parameters: {
				operation: 'runTask',
				taskDetails: 'a task',
				options: { policyId: '={{ $json.p }}' },
			},
		});
		expect(r.completed.map((o) => o.json.status ?? o.json.error)).toEqual([
			'completed',
			expect.stringMatching(/Policy ID/),
		]);
		expect(sim.tasksStarted).toBe(1);
	});

	test("Auto sends every generation's fields", async () => {
		const r = await rec.run({
			baseUrl: sim.url,
			credential: { apiFormat: 'auto' },
			parameters: {
				operation: 'runTask',
				taskDetails: 'a task',
				environmentId: { __rl: true, mode: 'id', value: 'env1' },
				options: { startingUrl: 'https://a.example.com' },
			},
		});
		expect(r.error).toBeUndefined();
		// W1's startingPoint and profileId (docs.webrun.ai's name) alongside E's and W2's names.
		expect(sim.requests[0].body).toMatchObject({
			taskDetails: 'a task',
			startingUrl: 'https://a.example.com/',
			startingPoint: 'https://a.example.com/',
			task: { prompt: 'a task', startingUrl: 'https://a.example.com/' },
			environmentId: 'env1',
			profileId: 'env1',
		});
	});
});

describe('secret values are treated exactly like the API key', () => {
	test('the agent echoing a secret: redacted in the item, raw and downstream', async () => {
		sim.script('echo', {
			durationMs: 100,
			message: `Typed ${SECRET} and code ${OTP} into github.com`,
		});
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: {
				operation: 'runTask',
				taskDetails: 'echo my login',
				options: { includeRawResponse: true, ...secrets() },
			},
		});
		expect(r.error).toBeUndefined();
		expect(r.completed[0].json.message).toBe('Typed *** and code *** into github.com');
		expect(JSON.stringify(r.completed[0].json.raw)).toContain('Typed *** and code ***');
		// The server got them, exactly as given.
		expect(sim.tasks[0].options.secrets).toEqual([
			{ match: 'github.com', fields: { password: SECRET, otp: OTP } },
		]);
	});

	test('a failure that quotes a secret: redacted in the error and under Continue', async () => {
		sim.script('fails', {
			durationMs: 50,
			outcome: 'fail',
			failCode: 'LOGIN_FAILED',
			failError: `Password ${SECRET} was rejected`,
		});
		const parameters = {
			operation: 'runTask',
			taskDetails: 'fails to log in',
			options: secrets('*.github.com'),
		};
		const stopped = await rec.run({ baseUrl: sim.url, parameters });
		expect(stopped.error?.message).toContain('Password *** was rejected');
		const continued = await rec.run({
			baseUrl: sim.url,
			parameters,
			onError: 'continueErrorOutput',
		});
		expect(continued.downstream.error).toHaveLength(1);
		expect(JSON.stringify(continued.downstream.error)).not.toContain(SECRET);
	});

	test('a short secret (under 4 characters) is redacted where a whole value is it', async () => {
		sim.script('pin', { durationMs: 50, message: '123' });
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: {
				operation: 'runTask',
				taskDetails: 'pin code',
				options: secrets('all', [{ name: 'pin', value: '123' }]),
			},
		});
		expect(r.completed[0].json.message).toBe('***');
		expect(r.completed[0].json.usage).toMatchObject({ promptTokens: 12450 });
	});

	test('Send Message → New Task carries secrets too (task level in W1 and W2)', async () => {
		const s = await rec.run({ baseUrl: sim.url, parameters: { operation: 'startSession' } });
		const sessionId = s.completed[0].json.sessionId;
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: {
				operation: 'sendMessage',
				messageType: 'newTask',
				sessionId,
				taskDetails: 'log in',
				options: secrets(),
			},
		});
		expect(r.error).toBeUndefined();
		expect(sim.tasks[0].options.secrets).toEqual([
			{ match: 'github.com', fields: { password: SECRET, otp: OTP } },
		]);
	});

	test('nothing in this file showed the key or a secret', () => {
		rec.expectNoKey([SECRET, OTP]);
	});
});

describe('the guardrail item carries liveViewUrl when the session has one', () => {
	test('Start Session with a first task that stops at a guardrail', async () => {
		sim.script('2fa', {
			durationMs: 3000,
			guardrails: [{ atMs: 50, value: 'Enter the 2FA code' }],
		});
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: {
				operation: 'startSession',
				taskDetails: 'log in with 2fa',
				options: { pollInterval: 1 },
			},
		});
		expect(r.guardrail[0].json).toMatchObject({
			status: 'guardrail',
			guardrail: { value: 'Enter the 2FA code' },
			liveViewUrl: `https://${sim.tasks[0].sessionId}.webrun.ai`,
		});
	});

	test('Run Task: taken from the answer when the server sends one, absent otherwise', async () => {
		sim.configure({ inlineGuardrail: 'inline' });
		sim.script('2fa', {
			durationMs: 3000,
			guardrails: [{ atMs: 50, value: 'Enter the 2FA code' }],
		});
		const plain = await rec.run({
			baseUrl: sim.url,
			parameters: { operation: 'runTask', taskDetails: 'log in with 2fa' },
		});
		expect(plain.guardrail[0].json.status).toBe('guardrail');
		expect(plain.guardrail[0].json).not.toHaveProperty('liveViewUrl');

		sim.fault({
			endpoint: 'run-task',
			status: 200,
			body: {
				success: true,
				sessionId: 'sess00000001',
				taskId: 'task00000001',
				type: 'guardrail_trigger',
				data: { type: 'human_input_needed', value: 'Enter the 2FA code' },
				streaming: { webViewURL: 'https://sess00000001.webrun.ai' },
			},
		});
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: { operation: 'runTask', taskDetails: 'log in with 2fa' },
		});
		expect(r.guardrail[0].json).toMatchObject({
			status: 'guardrail',
			liveViewUrl: 'https://sess00000001.webrun.ai',
		});
	});
});
