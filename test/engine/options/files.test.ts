/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	@n8n/community-nodes/no-restricted-imports --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * Files (docs/webrun-api-notes.md#files) through n8n's real engine (WorkflowExecute) against the
 * simulator: Download Files (binary data out, the key only on the credential's origin, Max File
 * Size with and without Content-Length, failed downloads) and Attach Files (one multipart upload
 * through the start budget, its fileIds in the task, a missing property sending nothing).
 */
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { binaryContent, itemWithFiles } from '../../helpers/binary';
import { everythingVisible, runWorkflow, TEST_API_KEY } from '../../helpers/engine';
import { runTaskParams, useSimulator } from '../../helpers/simulator';
import { eventually } from '../../helpers/timing';
import type { Simulator } from '../../simulator';

const simulator = useSimulator();
let sim: Simulator;
beforeEach(() => (sim = simulator()));

const MB = 1024 * 1024;
const download = (task: string, options: IDataObject = {}) =>
	runTaskParams(task, { downloadFiles: true, ...options });
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** The simulator's generated content of `size` bytes (a 64 KiB pattern, repeated). */
function generated(size: number): Buffer {
	const chunk = Buffer.alloc(64 * 1024);
	for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + 7) & 0xff;
	const out = Buffer.alloc(size);
	for (let at = 0; at < size; at += chunk.length)
		chunk.copy(out, at, 0, Math.min(chunk.length, size - at));
	return out;
}

describe('Download Files, webrun response generation', () => {
	test('each file becomes binary data on the item: file_0, file_1, named in files[i]', async () => {
		sim.script('report', {
			downloads: [
				{ filename: 'report.pdf', content: '%PDF-1.4 simulated report' },
				{ filename: 'prices.csv', content: 'name,price\nK380,29.99\n' },
			],
		});
		const r = await runWorkflow({ baseUrl: sim.url, parameters: download('Download the report') });
		expect(r.error).toBeUndefined();
		const item = r.completed[0];
		const task = sim.tasks[0];
		expect(Object.keys(item.binary ?? {})).toEqual(['file_0', 'file_1']);
		expect(await binaryContent(item.binary?.file_0)).toEqual(
			Buffer.from('%PDF-1.4 simulated report'),
		);
		expect((await binaryContent(item.binary?.file_1)).toString()).toBe('name,price\nK380,29.99\n');
		expect(item.binary?.file_0).toMatchObject({
			fileName: 'report.pdf',
			mimeType: 'application/pdf',
		});
		expect(item.binary?.file_1).toMatchObject({ fileName: 'prices.csv', mimeType: 'text/csv' });
		const files = item.json.files as IDataObject[];
		expect(files.map((f) => f.binaryProperty)).toEqual(['file_0', 'file_1']);
		expect(files.map((f) => f.downloadUrl)).toEqual(task.downloads?.map((d) => d.downloadUrl));
		// The binary data reaches the next node.
		expect(Object.keys(r.downstream.completed[0].binary ?? {})).toEqual(['file_0', 'file_1']);
		// WebRun's blob host is another origin: the API key never goes there.
		expect(sim.downloads).toHaveLength(2);
		expect(sim.downloads.every((d) => d.origin === 'files' && !d.hadAuthorization)).toBe(true);
	});

	test('a link on the credential’s own origin is fetched with the key', async () => {
		sim.script('same', {
			downloads: [{ filename: 'own.txt', content: 'own origin', sameOrigin: true }],
		});
		const r = await runWorkflow({ baseUrl: sim.url, parameters: download('same origin') });
		expect(r.error).toBeUndefined();
		expect((await binaryContent(r.completed[0].binary?.file_0)).toString()).toBe('own origin');
		expect(sim.downloads).toEqual([
			expect.objectContaining({ origin: 'api', hadAuthorization: true }),
		]);
	});

	test('off by default: files stay links, nothing is downloaded', async () => {
		sim.script('links', { downloads: [{ filename: 'a.txt' }] });
		const r = await runWorkflow({ baseUrl: sim.url, parameters: runTaskParams('links only') });
		expect(r.error).toBeUndefined();
		expect(r.completed[0].binary).toBeUndefined();
		expect((r.completed[0].json.files as IDataObject[])[0].binaryProperty).toBeUndefined();
		expect(sim.downloads).toHaveLength(0);
	});

	test('a file over Max File Size with Content-Length fails before its body is read', async () => {
		sim.script('big', { downloads: [{ filename: 'big.zip', sizeBytes: 20 * MB }] });
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: download('big file', { maxFileSizeMb: 1 }),
		});
		const task = sim.tasks[0];
		expect(r.error?.message).toContain('"big.zip" is larger than Max File Size (1 MB)');
		expect(r.error?.message).toContain(`task ${task.taskId}`);
		expect(r.error?.description).toMatch(/stopped at 20\.0 MB/);
		expect(await eventually(() => sim.downloads[0]?.endedAt !== undefined)).toBe(true);
		expect(sim.downloads[0].clientAborted).toBe(true);
		expect(sim.downloads[0].bytesSent).toBeLessThan(20 * MB);
	});

	test('a file over Max File Size without Content-Length is stopped while streaming', async () => {
		sim.script('chunked', {
			downloads: [{ filename: 'stream.bin', sizeBytes: 200 * MB, chunked: true }],
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: download('chunked file', { maxFileSizeMb: 1 }),
		});
		expect(r.error?.message).toContain('"stream.bin" is larger than Max File Size (1 MB)');
		expect(r.error?.description).toMatch(/stopped at 1\.\d MB/);
		expect(await eventually(() => sim.downloads[0]?.endedAt !== undefined)).toBe(true);
		expect(sim.downloads[0].clientAborted).toBe(true);
		// Stopped after about 1 MB (plus what the sockets had buffered), far from 200 MB.
		expect(sim.downloads[0].bytesSent).toBeLessThan(20 * MB);
	});

	test('a file just under the cap is kept whole, with or without Content-Length', async () => {
		sim.script('fits', {
			downloads: [
				{ filename: 'a.bin', sizeBytes: MB - 10 },
				{ filename: 'b.bin', sizeBytes: MB, chunked: true },
			],
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: download('fits', { maxFileSizeMb: 1 }),
		});
		expect(r.error).toBeUndefined();
		expect(sha256(await binaryContent(r.completed[0].binary?.file_0))).toBe(
			sha256(generated(MB - 10)),
		);
		expect(sha256(await binaryContent(r.completed[0].binary?.file_1))).toBe(sha256(generated(MB)));
	});

	test('a 404 download fails the item, naming the file and the task', async () => {
		sim.script('gone', {
			downloads: [{ filename: 'ok.txt' }, { filename: 'gone.pdf', status: 404 }],
		});
		const r = await runWorkflow({ baseUrl: sim.url, parameters: download('gone file') });
		const task = sim.tasks[0];
		expect(r.error?.message).toBe(
			`Run Task: could not download the file "gone.pdf" (HTTP 404) ` +
				`(session ${task.sessionId}, task ${task.taskId})`,
		);
		expect(r.error?.httpCode).toBe('404');
		expect(everythingVisible(r)).not.toContain(TEST_API_KEY);
	});

	test('a network failure fails the item; Continue keeps the ids and the answer', async () => {
		sim.script('unreachable', {
			message: 'Saved the file',
			files: [
				{
					source: 'x',
					downloadUrl: 'http://127.0.0.1:1/files/x.pdf',
					filename: 'x.pdf',
					timestamp: 1,
				},
			],
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: download('unreachable'),
			onError: 'continueRegularOutput',
		});
		expect(r.error).toBeUndefined();
		const task = sim.tasks[0];
		expect(r.completed[0].json).toMatchObject({
			sessionId: task.sessionId,
			taskId: task.taskId,
			code: 'DOWNLOAD_FAILED',
			message: 'Saved the file',
		});
		expect(r.completed[0].json.error).toMatch(
			/could not download the file "x\.pdf" \(connection refused\)/,
		);
		expect(r.completed[0].binary).toBeUndefined();
	});

	test('Get Task downloads the files of a completed task', async () => {
		sim.script('later', { downloads: [{ filename: 'late.txt', content: 'late' }] });
		const first = await runWorkflow({ baseUrl: sim.url, parameters: runTaskParams('later') });
		expect(first.completed[0].binary).toBeUndefined();
		const task = sim.tasks[0];
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: {
				operation: 'getTask',
				sessionId: task.sessionId,
				taskId: task.taskId,
				options: { downloadFiles: true },
			},
		});
		expect(r.error).toBeUndefined();
		expect((await binaryContent(r.completed[0].binary?.file_0)).toString()).toBe('late');
	});

	test('bad Max File Size fails before any request', async () => {
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: download('x', { maxFileSizeMb: 0 }),
		});
		expect(r.error?.message).toMatch(/Max File Size \(MB\) must be a number above 0/);
		expect(sim.requests).toHaveLength(0);
	});
});

test('examples/5-download-file.json: its WebRun node gives the PDF as file_0', async () => {
	const file = join(__dirname, '..', '..', '..', 'examples', '5-download-file.json');
	const workflow = JSON.parse(readFileSync(file, 'utf8'));
	const node = workflow.nodes.find((n: { type: string }) => n.type === 'n8n-nodes-webrun.webRun');
	sim.script('Form W-9', { downloads: [{ filename: 'fw9.pdf', content: '%PDF-1.7 W-9' }] });
	const parameters = {
		...node.parameters,
		options: { ...node.parameters.options, pollInterval: 1 },
	};
	const r = await runWorkflow({ baseUrl: sim.url, parameters });
	expect(r.error).toBeUndefined();
	expect(r.completed[0].binary?.file_0).toMatchObject({
		fileName: 'fw9.pdf',
		mimeType: 'application/pdf',
	});
	expect((await binaryContent(r.completed[0].binary?.file_0)).toString()).toBe('%PDF-1.7 W-9');
});

describe('Download Files, enigma response generation', () => {
	test('Enigma answers list no files: nothing to download, no error', async () => {
		sim.configure({ generation: 'enigma' });
		sim.script('report', { downloads: [{ filename: 'report.pdf' }] });
		const r = await runWorkflow({ baseUrl: sim.url, parameters: download('Download the report') });
		expect(r.error).toBeUndefined();
		expect(r.completed[0].binary).toBeUndefined();
		expect(sim.downloads).toHaveLength(0);
	});
});

const invoice = '%PDF-1.7 invoice 2026-001';
const photo = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 255, 254]);
const withFiles = (): INodeExecutionData =>
	itemWithFiles(
		{
			invoice: { content: invoice, fileName: 'invoice.pdf', mimeType: 'application/pdf' },
			photo: { content: photo, fileName: 'photo.png', mimeType: 'image/png' },
		},
		{ customer: 'ACME' },
	);

describe.each(['webrun', 'enigma'] as const)(
	'Attach Files, %s response generation',
	(generation) => {
		beforeEach(() => sim.configure({ generation }));

		test('all the item’s files go up in one upload; its fileIds are in the task', async () => {
			const r = await runWorkflow({
				baseUrl: sim.url,
				inputItems: [withFiles()],
				parameters: runTaskParams('Fill the form with the invoice', {
					attachBinaryProperties: 'invoice, photo',
				}),
			});
			expect(r.error).toBeUndefined();
			expect(sim.uploads).toHaveLength(1);
			const upload = sim.uploads[0];
			expect(upload.files).toEqual([
				expect.objectContaining({
					filename: 'invoice.pdf',
					contentType: 'application/pdf',
					sha256: sha256(invoice),
				}),
				expect.objectContaining({
					filename: 'photo.png',
					contentType: 'image/png',
					sha256: sha256(photo),
				}),
			]);
			expect(sim.tasks[0].options.files).toEqual(upload.fileIds);
			const requests = sim.requests.map((q) => q.endpoint);
			expect(requests.slice(0, 2)).toEqual(['upload', 'run-task']);
			expect(sim.requests[0].headers.authorization).toBe(`Bearer ${TEST_API_KEY}`);
			expect(String(sim.requests[0].headers['content-type'])).toMatch(
				/^multipart\/form-data; boundary=/,
			);
			expect(r.completed[0].json.status).toBe('completed');
		});

		test('Send Message → New Task and Start Session carry the fileIds too', async () => {
			const started = await runWorkflow({
				baseUrl: sim.url,
				inputItems: [withFiles()],
				parameters: {
					operation: 'startSession',
					taskDetails: 'Open the upload page',
					options: { pollInterval: 1, attachBinaryProperties: 'photo' },
				},
			});
			expect(started.error).toBeUndefined();
			expect(sim.tasks[0].options.files).toEqual(sim.uploads[0].fileIds);
			const sent = await runWorkflow({
				baseUrl: sim.url,
				inputItems: [withFiles()],
				parameters: {
					operation: 'sendMessage',
					messageType: 'newTask',
					sessionId: sim.tasks[0].sessionId,
					taskDetails: 'Upload the invoice',
					options: { pollInterval: 1, attachBinaryProperties: 'invoice' },
				},
			});
			expect(sent.error).toBeUndefined();
			expect(sim.uploads).toHaveLength(2);
			expect(sim.uploads[1].files.map((f) => f.sha256)).toEqual([sha256(invoice)]);
			expect(sim.tasks[1].options.files).toEqual(sim.uploads[1].fileIds);
		});
	},
);

describe('Attach Files: input checks, rate limit and retry rules', () => {
	test('a property the item lacks fails the item before any request', async () => {
		const r = await runWorkflow({
			baseUrl: sim.url,
			inputItems: [withFiles(), withFiles()],
			parameters: runTaskParams('x', { attachBinaryProperties: 'invoice, contract' }),
		});
		expect(r.error?.message).toBe('Attach Files: the input item has no binary property "contract"');
		expect(r.error?.description).toMatch(/invoice, photo/);
		expect(sim.requests).toHaveLength(0);
		expect(sim.uploads).toHaveLength(0);
	});

	test('an item without binary data says so', async () => {
		const r = await runWorkflow({
			baseUrl: sim.url,
			parameters: runTaskParams('x', { attachBinaryProperties: 'data' }),
		});
		expect(r.error?.description).toMatch(/has no binary data/);
		expect(sim.requests).toHaveLength(0);
	});

	test('Start Session without a first task cannot attach files', async () => {
		const r = await runWorkflow({
			baseUrl: sim.url,
			inputItems: [withFiles()],
			parameters: { operation: 'startSession', options: { attachBinaryProperties: 'invoice' } },
		});
		expect(r.error?.message).toMatch(/Attach Files needs a First Task/);
		expect(sim.requests).toHaveLength(0);
	});

	test('the upload takes a slot of the start budget: no 429 with a limit of 1', async () => {
		sim.configure({ rateLimit: { limit: 1, windowMs: 1500 } });
		const r = await runWorkflow({
			baseUrl: sim.url,
			inputItems: [withFiles()],
			parameters: runTaskParams('paced', { attachBinaryProperties: 'invoice' }),
		});
		expect(r.error).toBeUndefined();
		expect(sim.count429()).toBe(0);
		const [upload, start] = sim.requests;
		expect([upload.endpoint, start.endpoint]).toEqual(['upload', 'run-task']);
		expect(start.time - upload.time).toBeGreaterThanOrEqual(1400);
	});

	test('a 429 on the upload waits for Retry-After and uploads once', async () => {
		sim.fault({
			endpoint: 'upload',
			status: 429,
			headers: { 'Retry-After': '1' },
			body: { success: false, message: 'Rate limit exceeded' },
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			inputItems: [withFiles()],
			parameters: runTaskParams('after 429', { attachBinaryProperties: 'invoice' }),
		});
		expect(r.error).toBeUndefined();
		const uploads = sim.requests.filter((q) => q.endpoint === 'upload');
		expect(uploads.map((q) => q.status)).toEqual([429, 200]);
		expect(uploads[1].time - uploads[0].time).toBeGreaterThanOrEqual(950);
		expect(sim.uploads).toHaveLength(1);
		expect(sim.tasksStarted).toBe(1);
	});

	test('an upload that may have arrived is not sent again, and no task starts', async () => {
		sim.fault({ endpoint: 'upload', kind: 'drop-after-accept' });
		const r = await runWorkflow({
			baseUrl: sim.url,
			inputItems: [withFiles()],
			parameters: runTaskParams('dropped', { attachBinaryProperties: 'invoice' }),
		});
		expect(r.error?.message).toMatch(/broke while uploading the attached files/);
		expect(sim.requests.filter((q) => q.endpoint === 'upload')).toHaveLength(1);
		expect(sim.tasksStarted).toBe(0);
	});

	test('an upload refused by WebRun says it was the upload', async () => {
		sim.fault({
			endpoint: 'upload',
			status: 413,
			body: { success: false, message: 'File too large' },
		});
		const r = await runWorkflow({
			baseUrl: sim.url,
			inputItems: [withFiles()],
			parameters: runTaskParams('refused', { attachBinaryProperties: 'invoice' }),
		});
		expect(r.error?.message).toMatch(/HTTP 413/);
		expect(r.error?.description).toMatch(/upload of the attached files/);
		expect(sim.tasksStarted).toBe(0);
	});
});
