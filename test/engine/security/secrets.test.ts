/**
 * Secrets in output (issue 18, cases 4–7), through n8n's real engine against the simulator: the
 * Secrets option's values, a custom proxy's password and the API key are removed from the
 * finished item (`output` after Output Format parsing, `message`, `network`, `raw`, binary file
 * names) and from errors, in their encoded forms too; fixed-text expressions and proxy passwords
 * holding `/` are hidden in the error's copy of the parameters; a 4-digit PIN never corrupts IDs
 * or download links; nesting depth lets nothing through.
 */
import type { IDataObject } from 'n8n-workflow';

import { TEST_API_KEY } from '../../helpers/engine';
import { runTaskParams, useSimulator } from '../../helpers/simulator';
import type { Simulator } from '../../simulator';
import { simCall, visibleRecorder } from '../reliability/shared';

const simulator = useSimulator({ defaultScript: { durationMs: 50 } });
let sim: Simulator;
beforeEach(() => (sim = simulator()));
const rec = visibleRecorder();

const secretsOption = (...values: string[]) => ({
	secrets: {
		secret: [
			{
				match: 'all',
				fields: { field: values.map((value, i) => ({ name: `field${i}`, value })) },
			},
		],
	},
});

const JSON_SECRET = 'pa"ss\\word';
const UNICODE_SECRET = 'päss-wörd';
const CSV_SECRET = 'ab"cd1234';
const URL_SECRET = 'me+you@home 1/2';
const BASIC_SECRET = 'Bas1c-Secret!';

/** The item as text, with what the node added (`output`, `raw`, binary metadata). */
const itemText = (r: { completed: Array<{ json: IDataObject; binary?: unknown }> }) =>
	JSON.stringify(r.completed.map((item) => ({ json: item.json, binary: item.binary ?? null })));

describe('case 4: secrets are removed after Output Format parsing, in every encoded form', () => {
	test('JSON answer: a JSON-escaped and a \\u-escaped secret are gone from output and message', async () => {
		const answer = `{"user":"jane","password":${JSON.stringify(JSON_SECRET)},"pin":"p\\u00e4ss-w\\u00F6rd"}`;
		sim.script('json login', { message: answer });
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: {
				...runTaskParams('json login', {
					includeRawResponse: true,
					...secretsOption(JSON_SECRET, UNICODE_SECRET),
				}),
				outputFormat: 'json',
				jsonSchemaType: 'fromExample',
				jsonExample: JSON.stringify({ user: 'x', password: 'y', pin: 'z' }),
			},
		});
		expect(r.error).toBeUndefined();
		const json = r.completed[0].json;
		expect(json.output).toEqual({ user: 'jane', password: '***', pin: '***' });
		// The raw answer keeps its JSON form, the secrets' spans replaced.
		expect(JSON.parse(String(json.message))).toEqual({
			user: 'jane',
			password: '***',
			pin: '***',
		});
		const text = itemText(r);
		for (const needle of [JSON_SECRET, JSON.stringify(JSON_SECRET).slice(1, -1), UNICODE_SECRET])
			expect(text).not.toContain(needle);
		expect(text.toLowerCase()).not.toContain('p\\\\u00e4ss');
		// The server got the secrets as typed.
		expect(sim.tasks[0].options.secrets).toEqual([
			{ match: 'all', fields: { field0: JSON_SECRET, field1: UNICODE_SECRET } },
		]);
	});

	test('CSV answer: a secret in a quoted cell ("" for ") is gone from output and message', async () => {
		sim.script('csv login', {
			message: `site,password\nshop,"${CSV_SECRET.replace('"', '""')}"\n`,
		});
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: {
				...runTaskParams('csv login', secretsOption(CSV_SECRET)),
				outputFormat: 'csv',
				csvColumns: 'site, password',
			},
		});
		expect(r.error).toBeUndefined();
		expect(r.completed[0].json.output).toEqual([{ site: 'shop', password: '***' }]);
		expect(r.completed[0].json.message).toBe('site,password\nshop,"***"\n');
		expect(itemText(r)).not.toContain('ab""cd1234');
		expect(itemText(r)).not.toContain(CSV_SECRET);
	});

	test('network: URL-encoded (both forms) and base64 in a Basic header are gone', async () => {
		const basic = Buffer.from(`jane:${BASIC_SECRET}`).toString('base64');
		const network = [
			{
				url: `https://shop.example.com/login?pw=${encodeURIComponent(URL_SECRET)}`,
				body: `user=jane&pw=${encodeURIComponent(URL_SECRET).replace(/%20/g, '+')}`,
				headers: { Authorization: `Basic ${basic}` },
				query: `pw=${encodeURIComponent(URL_SECRET).toLowerCase()}`,
			},
		];
		sim.script('network login', { network });
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: runTaskParams('network login', {
				includeRawResponse: true,
				...secretsOption(URL_SECRET, BASIC_SECRET),
			}),
		});
		expect(r.error).toBeUndefined();
		const [entry] = r.completed[0].json.network as IDataObject[];
		expect(entry.url).toBe('https://shop.example.com/login?pw=***');
		expect(entry.body).toBe('user=jane&pw=***');
		expect(String((entry.headers as IDataObject).Authorization)).not.toContain(basic);
		const text = itemText(r);
		for (const needle of [
			URL_SECRET,
			encodeURIComponent(URL_SECRET),
			encodeURIComponent(URL_SECRET).replace(/%20/g, '+'),
			basic,
			Buffer.from(BASIC_SECRET).toString('base64').slice(0, 12),
		])
			expect(text).not.toContain(needle);
		// Nothing in the header still decodes to the secret.
		const header = String((entry.headers as IDataObject).Authorization).replace('Basic ', '');
		expect(Buffer.from(header.replace(/\*/g, ''), 'base64').toString('latin1')).not.toContain(
			BASIC_SECRET,
		);
	});

	test('an answer that does not match: the description is redacted before it is cut', async () => {
		// The secret straddles the 2,000th character, where the description cuts the raw answer.
		const secret = 'Straddle-Dummy-Secret-42';
		const answer = `${'x'.repeat(1990)}${secret} and more text`;
		sim.script('long answer', { message: answer });
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: {
				...runTaskParams('long answer', secretsOption(secret)),
				outputFormat: 'json',
				jsonSchemaType: 'fromExample',
				jsonExample: JSON.stringify({ name: 'x' }),
			},
		});
		expect(r.error?.message).toContain('not the requested JSON');
		const description = String(r.error?.description);
		expect(description).toContain(`${'x'.repeat(1990)}***`);
		// Not even the part of the secret before the cut is left.
		expect(description).not.toContain(secret.slice(0, 10));
		expect(JSON.stringify(r.error)).not.toContain(secret.slice(0, 10));
	});
});

describe('case 5: fixed-text expressions and proxy passwords holding "/"', () => {
	test('a secret given as `=Hunter2!`: the value Hunter2! is redacted, the parameter copy masked', async () => {
		sim.script('fixed', {
			outcome: 'fail',
			failCode: 'LOGIN_FAILED',
			failError: 'Password Hunter2! was rejected',
		});
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: runTaskParams('fixed expression login', secretsOption('=Hunter2!')),
		});
		expect(r.error?.message).toContain('Password *** was rejected');
		// n8n evaluated the expression: the server got the value.
		expect(sim.tasks[0].options.secrets).toEqual([
			{ match: 'all', fields: { field0: 'Hunter2!' } },
		]);
		const node = (r.error as unknown as { node: { parameters: IDataObject } }).node;
		const options = node.parameters.options as IDataObject;
		expect(JSON.stringify(options.secrets)).toContain('"value":"***"');
		expect(JSON.stringify(r.error)).not.toContain('Hunter2!');
		expect(JSON.stringify(r.run.data.resultData)).not.toContain('Hunter2!');
	});

	test('a pure {{ }} expression stays readable in the parameter copy; its value is redacted', async () => {
		sim.script('pure', { outcome: 'fail', failError: 'Password Hunter2! was rejected' });
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: runTaskParams('pure expression login', secretsOption('={{ "Hunter" + "2!" }}')),
		});
		expect(r.error?.message).toContain('Password *** was rejected');
		const node = (r.error as unknown as { node: { parameters: IDataObject } }).node;
		expect(JSON.stringify(node.parameters)).toContain('{{ \\"Hunter\\" + \\"2!\\" }}');
		expect(JSON.stringify(r.error)).not.toContain('Hunter2!');
	});

	test.each([
		['as text', 'http://bob:2024/Summer!@proxy.example.com:8080'],
		['as a fixed-text expression', '=http://bob:2024/Summer!@proxy.example.com:8080'],
	])(
		'proxy URL with a "/" in the password, %s: parsed, password redacted and masked',
		async (_, proxyUrl) => {
			sim.configure({ requestGeneration: 'W2' });
			sim.script('proxy check', {
				message: 'Logged in through bob:2024/Summer!@proxy.example.com',
			});
			const ok = await rec.run({
				baseUrl: sim.url,
				parameters: runTaskParams('proxy check', { proxy: 'custom', proxyUrl }),
			});
			expect(ok.error).toBeUndefined();
			expect(sim.tasks[0].options.proxy).toEqual({
				source: 'custom',
				type: 'http',
				host: 'proxy.example.com',
				port: '8080',
				username: 'bob',
				password: '2024/Summer!',
			});
			expect(ok.completed[0].json.message).toBe('Logged in through bob:***@proxy.example.com');

			sim.script('proxy fails', { outcome: 'fail', failError: 'proxy refused 2024/Summer!' });
			const failed = await rec.run({
				baseUrl: sim.url,
				parameters: runTaskParams('proxy fails', { proxy: 'custom', proxyUrl }),
			});
			expect(failed.error?.message).toContain('proxy refused ***');
			const node = (failed.error as unknown as { node: { parameters: IDataObject } }).node;
			const masked = (node.parameters.options as IDataObject).proxyUrl;
			expect(masked).toBe(
				`${proxyUrl.startsWith('=') ? '=' : ''}http://***@proxy.example.com:8080`,
			);
			expect(JSON.stringify(failed.error)).not.toContain('Summer!');
		},
	);
});

describe('case 6: a 4-digit PIN never rewrites IDs or download links', () => {
	const PIN = '2024';
	const SESSION = 'sess-2024-abc';
	const TASK = 'task-2024-xyz';

	/** A file with the blob id `2024` on the simulator's file server (made by a setup task). */
	async function fileAt2024(): Promise<string> {
		sim.script('make blob', {
			downloads: [{ filename: 'inv-2024.pdf', blobId: PIN, content: 'PDF invoice 2024' }],
		});
		const made = await simCall(sim, 'POST', '/start/run-task', { taskDetails: 'make blob' });
		expect(made.status).toBe(200);
		return `${sim.filesUrl}/files/${PIN}/inv-2024.pdf`;
	}

	test('IDs, download link and download stay intact; free text and file name are redacted', async () => {
		const downloadUrl = await fileAt2024();
		sim.fault({
			endpoint: 'run-task',
			status: 200,
			body: {
				success: true,
				sessionId: SESSION,
				taskId: TASK,
				type: 'task_completed',
				data: {
					message: `Saved the 2024 invoice with PIN 2024 (session ${SESSION})`,
					files: [{ source: 'https://shop.example.com', downloadUrl, filename: 'inv-2024.pdf' }],
					network: [],
				},
				usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, cost: 0.01 },
			},
		});
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: runTaskParams('get invoice', {
				downloadFiles: true,
				includeRawResponse: true,
				...secretsOption(PIN),
			}),
		});
		expect(r.error).toBeUndefined();
		const json = r.completed[0].json;
		expect(json).toMatchObject({ status: 'completed', sessionId: SESSION, taskId: TASK });
		expect(json.message).toBe(`Saved the *** invoice with PIN *** (session ${SESSION})`);
		expect(json.files).toEqual([
			{
				source: 'https://shop.example.com',
				downloadUrl,
				filename: 'inv-***.pdf',
				binaryProperty: 'file_0',
			},
		]);
		expect((json.raw as IDataObject).sessionId).toBe(SESSION);
		// The file was downloaded from the link as the server gave it.
		const downloads = sim.downloads.filter((d) => d.method === 'GET');
		expect(downloads.map((d) => [d.path, d.status])).toEqual([[`/files/${PIN}/inv-2024.pdf`, 200]]);
		expect(r.completed[0].binary?.file_0).toMatchObject({ fileName: 'inv-***.pdf' });
	});

	test('a failed task: the error keeps the IDs, the PIN is removed from its text', async () => {
		sim.fault({
			endpoint: 'run-task',
			status: 200,
			body: {
				success: false,
				sessionId: SESSION,
				taskId: TASK,
				status: 'failed',
				error: 'PIN 2024 was rejected',
				code: 'LOGIN_FAILED',
			},
		});
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: runTaskParams('wrong pin', secretsOption(PIN)),
			onError: 'continueRegularOutput',
		});
		const json = r.completed[0].json;
		expect(json).toMatchObject({ sessionId: SESSION, taskId: TASK, code: 'LOGIN_FAILED' });
		expect(String(json.error)).toContain('PIN *** was rejected');
		expect(String(json.error)).toContain(SESSION);
	});
});

describe('case 7: no nesting depth lets a value through', () => {
	test('the API key 100 levels deep in network and raw is removed', async () => {
		let deep: IDataObject = { header: `Bearer ${TEST_API_KEY}` };
		for (let i = 0; i < 100; i++) deep = { level: deep };
		sim.script('deep', { network: [deep] });
		const r = await rec.run({
			baseUrl: sim.url,
			parameters: runTaskParams('deep answer', { includeRawResponse: true }),
		});
		expect(r.error).toBeUndefined();
		const text = JSON.stringify(r.completed[0].json);
		expect(text).not.toContain(TEST_API_KEY);
		// Both copies (network and raw.data.network) still carry the structure, key replaced.
		expect(text.split('"header":"Bearer ***"')).toHaveLength(3);
	});
});

test('nothing in this file showed the key or a secret', () => {
	rec.expectNoKey([
		JSON_SECRET,
		UNICODE_SECRET,
		CSV_SECRET,
		URL_SECRET,
		BASIC_SECRET,
		'Hunter2!',
		'Summer!',
	]);
});
