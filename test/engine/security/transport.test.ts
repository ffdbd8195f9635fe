/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	@n8n/community-nodes/no-restricted-imports --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * Issue 18, part A — "one way out" and "addresses", through n8n's real engine (WorkflowExecute,
 * LoadOptionsContext) against the simulator:
 *  1. a 301/302/307/308 to a foreign host on every request path (task start, poll, stop, upload,
 *     Environment list, download) and on the credential test (2.): the foreign host — a loopback
 *     server of this file that logs the Authorization header — never receives the key;
 *  3. a text answer echoing the key around the 300th character: redacted before it is cut;
 *  9. downloads end at the item's Timeout (a slow-drip file server) and one item's files have a
 *     total size cap;
 * 10. link-local/metadata links are refused before any connection, and a file host that
 *     redirects onto the API origin gets nothing;
 * 15. stored file names without control/bidi characters, at most 255 bytes.
 * Network rule: every connection to a non-loopback host fails in test/helpers/loopbackOnly.ts
 * before any packet is sent; the tests also assert that the node did not even try.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { IDataObject } from 'n8n-workflow';

import { binaryContent, itemWithFiles } from '../../helpers/binary';
import { testCredential } from '../../helpers/credentialTest';
import { everythingVisible, listSearch, runWorkflow, TEST_API_KEY } from '../../helpers/engine';
import { nonLoopbackAttempts } from '../../helpers/loopbackOnly';
import { runTaskParams, useSimulator } from '../../helpers/simulator';
import { eventually, settlesWithin } from '../../helpers/timing';
import * as addresses from '../../../nodes/WebRun/transport/addresses';
import type { Simulator } from '../../simulator';

const simulator = useSimulator();
let sim: Simulator;
beforeEach(() => (sim = simulator()));

interface Seen {
	method: string;
	url: string;
	authorization?: string;
}

/** A loopback HTTP server of the test; `handler` answers, every request is logged. */
async function startServer(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
	const seen: Seen[] = [];
	const closed: string[] = [];
	const server = http.createServer((req, res) => {
		seen.push({
			method: req.method ?? '',
			url: req.url ?? '',
			authorization: req.headers.authorization,
		});
		res.on('close', () => closed.push(req.url ?? ''));
		handler(req, res);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		url,
		seen,
		closed,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** The "foreign host": answers 200 with plausible JSON to anything, and logs Authorization. */
let foreign: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
	foreign = await startServer((_req, res) => {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(
			JSON.stringify({
				success: true,
				sessionId: 'sess-foreign',
				taskId: 'task-foreign',
				status: 'completed',
				environments: [{ _id: 'env-foreign', name: 'Foreign' }],
				files: [{ fileId: 'file-foreign' }],
				data: [{ id: 'model' }],
			}),
		);
	});
});
afterAll(async () => foreign.close());
beforeEach(() => (foreign.seen.length = 0));

const noKeyAbroad = () => {
	expect(foreign.seen.filter((s) => s.authorization !== undefined)).toEqual([]);
	expect(JSON.stringify(foreign.seen)).not.toContain(TEST_API_KEY);
};

const REDIRECTS = [301, 302, 307, 308] as const;

describe('1. a redirect to another host never carries the key, on every path', () => {
	test.each(REDIRECTS)('task start (POST /start/run-task) answered %s', async (status) => {
		sim.fault({
			endpoint: 'run-task',
			status,
			headers: { Location: `${foreign.url}/start/run-task` },
			body: '',
		});
		const r = await runWorkflow({ baseUrl: sim.url, parameters: runTaskParams('redirected') });
		expect(r.error?.message).toContain(`redirect (HTTP ${status}), which the node does not follow`);
		expect(r.error?.description).toContain('Check the Base URL');
		expect(r.completed).toHaveLength(0);
		noKeyAbroad();
		expect(foreign.seen).toEqual([]);
		expect(everythingVisible(r)).not.toContain(TEST_API_KEY);
	});

	test.each(REDIRECTS)(
		'poll (GET /task/…) answered %s',
		async (status) => {
			sim.configure({ inlineWindowMs: 50 });
			sim.script('slow', { durationMs: 5000 });
			sim.fault({
				endpoint: 'poll',
				status,
				times: 100,
				headers: { Location: `${foreign.url}/task/x/y` },
				body: '',
			});
			const r = await runWorkflow({
				baseUrl: sim.url,
				parameters: runTaskParams('slow task', { timeout: 4 }),
			});
			expect(sim.requests.some((q) => q.endpoint === 'poll')).toBe(true);
			expect(r.error).toBeDefined();
			expect(r.completed).toHaveLength(0);
			noKeyAbroad();
			expect(foreign.seen).toEqual([]);
		},
		20_000,
	);

	test.each(REDIRECTS)('stop (Control Session → Stop) answered %s', async (status) => {
		sim.fault({
			endpoint: 'send-message',
			actionType: 'state', // Stop is a state change: {actionType: 'state', newState: 'stop'}
			status,
			headers: { Location: `${foreign.url}/start/send-message` },
			body: '',
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: { operation: 'controlSession', sessionId: 'sess-1', action: 'stop' },
		});
		expect(sim.requests.filter((q) => q.endpoint === 'send-message')).toHaveLength(1);
		expect(r.error?.message).toMatch(new RegExp(`HTTP ${status}`));
		noKeyAbroad();
		expect(foreign.seen).toEqual([]);
	});

	test.each(REDIRECTS)('upload (POST /files/upload) answered %s', async (status) => {
		sim.fault({
			endpoint: 'upload',
			status,
			headers: { Location: `${foreign.url}/files/upload` },
			body: '',
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			inputItems: [itemWithFiles({ invoice: { content: '%PDF-1.4', fileName: 'a.pdf' } })],
			parameters: runTaskParams('with a file', { attachBinaryProperties: 'invoice' }),
		});
		expect(r.error?.message).toMatch(new RegExp(`HTTP ${status}`));
		expect(sim.tasksStarted).toBe(0);
		noKeyAbroad();
		expect(foreign.seen).toEqual([]);
	});

	test.each(REDIRECTS)('Environment list (GET /environments) answered %s', async (status) => {
		sim.fault({
			endpoint: 'environments',
			status,
			headers: { Location: `${foreign.url}/environments` },
			body: '',
		});
		const error = await listSearch({ method: 'searchEnvironments', baseUrl: sim.url }).then(
			() => undefined,
			(e: Error & { description?: string }) => e,
		);
		expect(error?.message).toMatch(new RegExp(`redirect \\(HTTP ${status}\\)`));
		expect(error?.description).toMatch(/not followed/);
		noKeyAbroad();
		expect(foreign.seen).toEqual([]);
	});

	test.each(REDIRECTS)(
		'download: a link on the API origin answered %s to another host',
		async (status) => {
			sim.script('own', {
				downloads: [
					{
						filename: 'own.pdf',
						sameOrigin: true,
						status,
						location: `${foreign.url}/signed/own.pdf`,
					},
				],
			});
			const r = await runWorkflow({
				baseUrl: sim.url,
				parameters: runTaskParams('own file', { downloadFiles: true }),
			});
			// Followed (a blob host is another origin by design), without the key.
			expect(r.error).toBeUndefined();
			expect(sim.downloads).toEqual([expect.objectContaining({ origin: 'api' })]);
			expect(foreign.seen.map((s) => s.url)).toEqual(['/signed/own.pdf']);
			noKeyAbroad();
		},
	);
});

describe('2. the credential test (GET /v1/models) does not follow a redirect', () => {
	test.each(REDIRECTS)('answered %s: fails with a clear message, no key abroad', async (status) => {
		sim.fault({
			endpoint: 'models',
			status,
			headers: { Location: `${foreign.url}/v1/models` },
			body: '',
		});
		const outcome = await testCredential({ apiKey: TEST_API_KEY, baseUrl: sim.url });
		expect(outcome.status).toBe(status);
		expect(outcome.result.status).toBe('Error');
		expect(outcome.result.message).toMatch(new RegExp(`redirect \\(HTTP ${status}\\)`));
		expect(outcome.result.message).toMatch(/Base URL/);
		noKeyAbroad();
		expect(foreign.seen).toEqual([]);
	});

	test('without a redirect it still succeeds', async () => {
		const outcome = await testCredential({ apiKey: TEST_API_KEY, baseUrl: sim.url });
		expect(outcome.result).toEqual({ status: 'OK', message: 'Connection successful!' });
	});
});

describe('3. a server text is redacted before it is shortened', () => {
	// The key straddles the 300th character of the text the message quotes.
	const echo = `${'x'.repeat(290)}${TEST_API_KEY} and more text after it`;
	const keyHead = TEST_API_KEY.slice(0, 8);

	test('a text/plain 400 on the task start', async () => {
		sim.fault({ endpoint: 'run-task', status: 400, body: echo });
		const r = await runWorkflow({ baseUrl: sim.url, parameters: runTaskParams('echo') });
		expect(r.error?.message).toMatch(/rejected the request/);
		expect(r.error?.message).toContain('***');
		expect(everythingVisible(r)).not.toContain(keyHead);
	});

	test('a text/plain 403 on the Environment list', async () => {
		sim.fault({ endpoint: 'environments', status: 403, body: echo });
		const error = await listSearch({ method: 'searchEnvironments', baseUrl: sim.url }).then(
			() => undefined,
			(e: Error & { description?: string }) => e,
		);
		expect(error?.message).toMatch(/HTTP 403/);
		expect(JSON.stringify({ m: error?.message, d: error?.description })).not.toContain(keyHead);
	});

	test('a 2,000+ character text body (the client keeps 2,000): no part of the key', async () => {
		sim.fault({
			endpoint: 'run-task',
			status: 502,
			body: `${'y'.repeat(1990)}${TEST_API_KEY}`,
		});
		const r = await runWorkflow({ baseUrl: sim.url, parameters: runTaskParams('echo long') });
		expect(r.error).toBeDefined();
		expect(everythingVisible(r)).not.toContain(keyHead);
	});
});

describe('9. downloads end at the item’s Timeout and have a total cap', () => {
	test('a server that drips 1 byte every 200 ms: the item fails about at its Timeout', async () => {
		const drip = await startServer((_req, res) => {
			res.writeHead(200, {
				'Content-Type': 'application/octet-stream',
				'Content-Length': '1000000',
			});
			const timer = setInterval(() => res.write('x'), 200);
			res.on('close', () => clearInterval(timer));
		});
		try {
			sim.script('drip', {
				durationMs: 100,
				downloads: [{ filename: 'slow.bin', url: `${drip.url}/slow.bin` }],
			});
			const r = await settlesWithin(
				3000 + 3000,
				runWorkflow({
					baseUrl: sim.url,
					parameters: runTaskParams('drip', { downloadFiles: true, timeout: 3 }),
				}),
			);
			expect(r.error?.message).toMatch(/could not download the file "slow.bin" in time/);
			expect(r.error?.description).toMatch(/Timeout/);
			// The item's Timeout is 3 s (task included); the watchdog looks once a second.
			// The connection is closed (the server sees it a moment later).
			expect(await eventually(() => drip.closed.length > 0)).toBe(true);
			expect(drip.closed).toEqual(['/slow.bin']);
		} finally {
			await drip.close();
		}
	}, 20_000);

	test('files beyond 4 × Max File Size in total fail the item', async () => {
		// Max File Size 0.01 MB = 10,485 bytes: total cap 41,943 bytes; 5 files of 10,000 bytes.
		sim.script('many', {
			durationMs: 100,
			downloads: [0, 1, 2, 3, 4].map((i) => ({ filename: `f${i}.bin`, sizeBytes: 10_000 })),
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: runTaskParams('many', { downloadFiles: true, maxFileSizeMb: 0.01 }),
		});
		expect(r.error?.message).toMatch(/files together are larger than/);
		expect(r.error?.message).toContain('"f4.bin"');
		expect((r.error as { context?: IDataObject } | undefined)?.context).toBeDefined();
		expect(sim.downloads).toHaveLength(5);
	});

	test('under the total cap every file is kept', async () => {
		sim.script('few', {
			durationMs: 100,
			downloads: [0, 1, 2].map((i) => ({ filename: `f${i}.bin`, sizeBytes: 10_000 })),
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: runTaskParams('few', { downloadFiles: true, maxFileSizeMb: 0.01 }),
		});
		expect(r.error).toBeUndefined();
		expect(Object.keys(r.completed[0].binary ?? {})).toEqual(['file_0', 'file_1', 'file_2']);
	});
});

describe('10. addresses a download refuses', () => {
	test.each([
		'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
		'http://[fd00:ec2::254]/latest/meta-data/',
		'http://metadata.google.internal/computeMetadata/v1/',
		'http://[::ffff:169.254.169.254]/',
		'http://100.100.100.200/latest/meta-data/',
	])('%s: refused before any connection, even with a loopback Base URL', async (url) => {
		const attempts = nonLoopbackAttempts().length;
		sim.script('meta', { durationMs: 100, downloads: [{ filename: 'creds.json', url }] });
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: runTaskParams('meta', { downloadFiles: true }),
		});
		expect(r.error?.message).toMatch(/refused to download the file "creds.json"/);
		expect(r.error?.message).toMatch(/metadata/);
		// Not even attempted (the test's network guard would have blocked it anyway).
		expect(nonLoopbackAttempts().length).toBe(attempts);
	});

	test('a file host that redirects to a metadata address: refused at that hop', async () => {
		const attempts = nonLoopbackAttempts().length;
		const redirector = await startServer((_req, res) => {
			res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/' });
			res.end();
		});
		try {
			sim.script('hop', {
				durationMs: 100,
				downloads: [{ filename: 'a.pdf', url: `${redirector.url}/a.pdf` }],
			});
			const r = await runWorkflow({
				baseUrl: sim.url,
				parameters: runTaskParams('hop', { downloadFiles: true }),
			});
			expect(r.error?.message).toMatch(/refused to download the file "a.pdf".*metadata/);
			expect(redirector.seen).toHaveLength(1);
			expect(nonLoopbackAttempts().length).toBe(attempts);
		} finally {
			await redirector.close();
		}
	});

	test('a file host that redirects onto the API origin gets no authenticated answer', async () => {
		const redirector = await startServer((_req, res) => {
			res.writeHead(302, { Location: `${sim.url}/environments` });
			res.end();
		});
		try {
			sim.script('steal', {
				durationMs: 100,
				downloads: [{ filename: 'a.json', url: `${redirector.url}/a.json` }],
			});
			const r = await runWorkflow({
				baseUrl: sim.url,
				parameters: runTaskParams('steal', { downloadFiles: true }),
			});
			expect(r.error?.message).toMatch(/refused to download the file "a.json"/);
			expect(r.error?.message).toMatch(/WebRun API/);
			expect(r.completed).toHaveLength(0);
			// The API was not asked at all: neither with the key nor without.
			expect(sim.requests.filter((q) => q.endpoint === 'environments')).toEqual([]);
			expect(everythingVisible(r)).not.toContain('Salesforce');
		} finally {
			await redirector.close();
		}
	});

	test('a loopback file host is fine when the Base URL is loopback (local development)', async () => {
		// The rule also sees the address the connection reached (n8n's stream answer keeps its
		// socket): a host name cannot hide a private or metadata address.
		const check = jest.spyOn(addresses, 'checkDownloadAddress');
		sim.script('local', {
			durationMs: 100,
			downloads: [{ filename: 'a.txt', url: `${foreign.url}/a.txt` }],
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: runTaskParams('local', { downloadFiles: true }),
		});
		expect(r.error).toBeUndefined();
		expect(r.completed[0].binary?.file_0).toBeDefined();
		noKeyAbroad();
		expect(check.mock.calls.map((c) => c[1])).toEqual([undefined, '127.0.0.1']);
		check.mockRestore();
	});
});

describe('15. stored file names are cleaned', () => {
	test('control and bidi characters removed, 5,000 characters cut to 255 bytes, extension kept', async () => {
		const spoof = 'in\u0000voice\r\n\u202Efdp.exe';
		const long = `${'n'.repeat(5000)}.pdf`;
		sim.script('names', {
			durationMs: 100,
			downloads: [
				{ filename: spoof, content: 'a' },
				{ filename: long, content: 'b' },
				{ filename: '\u202E\u0000', content: 'c' },
			],
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: runTaskParams('names', { downloadFiles: true }),
		});
		expect(r.error).toBeUndefined();
		const binary = r.completed[0].binary ?? {};
		expect(binary.file_0.fileName).toBe('invoicefdp.exe');
		expect(Buffer.byteLength(binary.file_1.fileName ?? '')).toBe(255);
		expect(binary.file_1.fileName?.endsWith('.pdf')).toBe(true);
		expect(binary.file_2.fileName).toBe('file_2');
		expect((await binaryContent(binary.file_0)).toString()).toBe('a');
	});
});
