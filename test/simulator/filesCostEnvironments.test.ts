/* eslint-disable @n8n/community-nodes/no-restricted-imports --
	test tooling (the loopback API simulator): runs in Node,
	never shipped or loaded by n8n. See README.md, Development. */
/**
 * Version 0.2 additions: GET /environments, structured output, downloaded files (second origin),
 * POST /files/upload, cost per second, count429 and the out-of-process counters.
 */
import axios, { AxiosInstance } from 'axios';
import { createHash } from 'crypto';
import * as http from 'http';
import { useSimulatorApi } from '../helpers/simulator';
import { eventually, fakeClock } from '../helpers/timing';
import { startSimulator, Simulator } from './index';

const KEY = 'wr_v02_key';
let sim: Simulator;
let api: AxiosInstance;
useSimulatorApi(KEY, (started, client) => {
	sim = started;
	api = client;
});

/** Minimal RFC 4180 parser (quoted fields, doubled quotes, newlines inside quotes). */
function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (c === '"') quoted = false;
			else field += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') {
			row.push(field);
			field = '';
		} else if (c === '\n') {
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
		} else field += c;
	}
	if (quoted) throw new Error('unterminated quote');
	row.push(field);
	rows.push(row);
	return rows;
}

/** GET that counts the bytes without keeping them. */
function download(
	url: string,
	headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: number; text: string }> {
	return new Promise((resolve, reject) => {
		http
			.get(url, { headers }, (res) => {
				let bytes = 0;
				let text = '';
				res.on('data', (c: Buffer) => {
					bytes += c.length;
					if (text.length < 1000) text += c.toString('utf8');
				});
				res.on('end', () =>
					resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, text }),
				);
				res.on('error', reject);
			})
			.on('error', reject);
	});
}

function multipart(
	boundary: string,
	parts: Array<{ name: string; filename?: string; type?: string; data: Buffer | string }>,
): Buffer {
	const chunks: Buffer[] = [];
	for (const p of parts) {
		let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
		if (p.filename !== undefined) head += `; filename="${p.filename.replace(/"/g, '\\"')}"`;
		head += '\r\n';
		if (p.type) head += `Content-Type: ${p.type}\r\n`;
		chunks.push(
			Buffer.from(head + '\r\n'),
			Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data),
			Buffer.from('\r\n'),
		);
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return Buffer.concat(chunks);
}

describe('GET /environments', () => {
	test('documented envelope, authenticated, logged, not rate limited', async () => {
		const r = await api.get('/environments');
		expect(r.status).toBe(200);
		expect(r.data.success).toBe(true);
		expect(r.data.environments.length).toBeGreaterThanOrEqual(2);
		expect(r.data.environments[0]).toEqual({
			_id: '683a1f2e4b0c1d2e3f4a5b6c',
			userId: expect.any(String),
			name: 'Amazon (logged in)',
			description: expect.any(String),
			status: 'ready',
			createdAt: expect.any(String),
			updatedAt: expect.any(String),
		});
		expect(r.headers['x-ratelimit-limit']).toBeUndefined();
		expect(
			(await axios.get(`${sim.url}/environments`, { validateStatus: () => true })).status,
		).toBe(401);
		expect(sim.count('environments')).toBe(2);

		sim.configure({
			rateLimit: { limit: 1, windowMs: 60000 },
			environments: [{ id: 'env_amazon_01', name: 'Amazon', status: 'uploading' }],
		});
		await api.post('/start/start-session', {});
		expect((await api.post('/start/start-session', {})).status).toBe(429);
		const custom = await api.get('/environments');
		expect(custom.status).toBe(200);
		expect(custom.data.environments).toEqual([
			expect.objectContaining({ _id: 'env_amazon_01', name: 'Amazon', status: 'uploading' }),
		]);
	});
});

describe('structured output (§5.9)', () => {
	const schema = {
		type: 'object',
		properties: {
			query: { type: 'string' },
			results: {
				type: 'array',
				items: {
					type: 'object',
					properties: {
						name: { type: 'string' },
						price: { type: 'number' },
						inStock: { type: 'boolean' },
						reviews: { type: 'integer' },
						url: { type: 'string' },
					},
					required: ['name', 'price'],
				},
			},
		},
		required: ['query', 'results'],
	};

	test('structured_json: a JSON string matching the schema, in both response generations', async () => {
		const r = await api.post('/start/run-task', {
			task: { prompt: 'Top keyboards', outputType: 'structured_json', outputSchema: schema },
		});
		const value = JSON.parse(r.data.data.message);
		expect(value).toEqual(sim.tasks[0].output!.value);
		expect(typeof value.query).toBe('string');
		expect(value.results).toHaveLength(2);
		for (const item of value.results) {
			expect(Object.keys(item).sort()).toEqual(['inStock', 'name', 'price', 'reviews', 'url']);
			expect(typeof item.price).toBe('number');
			expect(Number.isInteger(item.reviews)).toBe(true);
			expect(typeof item.inStock).toBe('boolean');
		}
		expect(sim.tasks[0].output).toMatchObject({
			format: 'json',
			kind: 'valid',
			message: r.data.data.message,
		});

		sim.configure({ generation: 'enigma' });
		const e = await api.post('/start/run-task', {
			taskDetails: 'Top keyboards',
			outputType: 'structured_json',
			outputSchema: schema,
		});
		expect(JSON.parse(e.data.result.data.message)).toEqual(value);
		const p = await api.get(`/task/${e.data.sessionId}/${e.data.taskId}`);
		expect(JSON.parse(p.data.data.message)).toEqual(value);
	});

	test('invalid-json and mismatch; a script message still wins; text without outputType', async () => {
		const body = (tag: string) => ({
			task: { prompt: `x [sim ${tag}]`, outputType: 'structured_json', outputSchema: schema },
		});
		const bad = await api.post('/start/run-task', body('{"structured":"invalid-json"}'));
		expect(() => JSON.parse(bad.data.data.message)).toThrow();
		const mm = await api.post('/start/run-task', body('{"structured":"mismatch"}'));
		const v = JSON.parse(mm.data.data.message);
		expect(typeof v.results[0].price).toBe('string');
		expect(sim.tasks[1].output).toMatchObject({ kind: 'mismatch', wrongPath: 'results[0].price' });
		// no number inside an array item: a required property goes missing
		const flat = {
			type: 'object',
			properties: { title: { type: 'string' }, count: { type: 'integer' } },
			required: ['title', 'count'],
		};
		const mm2 = await api.post('/start/run-task', {
			task: {
				prompt: 'y [sim {"structured":"mismatch"}]',
				outputType: 'structured_json',
				outputSchema: flat,
			},
		});
		expect(JSON.parse(mm2.data.data.message)).toEqual({ count: expect.any(Number) });
		expect(sim.tasks[2].output!.wrongPath).toBe('title');
		const msg = await api.post('/start/run-task', body('{"message":"{\\"mine\\":1}"}'));
		expect(msg.data.data.message).toBe('{"mine":1}');
		const text = await api.post('/start/run-task', { task: { prompt: 'plain' } });
		expect(text.data.data.message).toBe('Completed: plain');
		expect(sim.tasks[4].output).toBeUndefined();
	});

	test('structured_csv: header row + 2 rows, RFC 4180 quoting of comma, quote and newline', async () => {
		const cols = ['name', 'price', 'url'];
		const r = await api.post('/start/run-task', {
			task: { prompt: 'csv', outputType: 'structured_csv', outputSchema: cols },
		});
		const text: string = r.data.data.message;
		expect(text.split('\n')[0]).toBe('name,price,url');
		const rows = parseCsv(text);
		expect(rows).toHaveLength(3);
		expect(rows[0]).toEqual(cols);
		const cells = rows.slice(1).flat();
		expect(cells.some((c) => c.includes(','))).toBe(true);
		expect(cells.some((c) => c.includes('"'))).toBe(true);
		expect(cells.some((c) => c.includes('\n'))).toBe(true);
		expect(text).toContain('""');
		expect(sim.tasks[0].output!.value).toEqual(
			rows.slice(1).map((row) => Object.fromEntries(cols.map((c, i) => [c, row[i]]))),
		);
		// one column: still every special case
		const one = await api.post('/start/run-task', {
			task: { prompt: 'csv1', outputType: 'structured_csv', outputSchema: ['name'] },
		});
		const oneRows = parseCsv(one.data.data.message);
		expect(oneRows).toHaveLength(3);
		expect(oneRows.slice(1).flat().join('')).toMatch(/,[\s\S]*"[\s\S]*\n|,[\s\S]*\n[\s\S]*"/);
		// mismatch: the header lacks the last column; invalid: an unterminated quote
		const mm = await api.post('/start/run-task', {
			task: {
				prompt: 'csv [sim {"structured":"mismatch"}]',
				outputType: 'structured_csv',
				outputSchema: cols,
			},
		});
		expect(parseCsv(mm.data.data.message)[0]).toEqual(['name', 'price']);
		const bad = await api.post('/start/run-task', {
			task: {
				prompt: 'csv [sim {"structured":"invalid-json"}]',
				outputType: 'structured_csv',
				outputSchema: cols,
			},
		});
		expect(() => parseCsv(bad.data.data.message)).toThrow();
	});

	test('validation: structured without a usable schema, unknown outputType', async () => {
		const noSchema = await api.post('/start/run-task', {
			task: { prompt: 'x', outputType: 'structured_json' },
		});
		expect(noSchema.status).toBe(400);
		expect(noSchema.data.message).toBe(
			'outputSchema is required when outputType is structured_json',
		);
		expect(
			(
				await api.post('/start/run-task', {
					task: { prompt: 'x', outputType: 'structured_csv', outputSchema: { a: 1 } },
				})
			).status,
		).toBe(400);
		expect(
			(await api.post('/start/run-task', { task: { prompt: 'x', outputType: 'json' } })).status,
		).toBe(400);
		expect(sim.tasksStarted).toBe(0);
	});
});

describe('downloaded files (§5.2): a second origin', () => {
	test('data.files entries, content, Content-Type, 404, same-origin, log', async () => {
		expect(sim.filesUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(sim.filesUrl).not.toBe(sim.url);
		const script = {
			downloads: [
				{ filename: 'report.csv', content: 'a,b\n1,2\n' },
				{ filename: 'gone.pdf', status: 404 },
				{ filename: 'local.txt', content: 'same origin', sameOrigin: true },
			],
		};
		const r = await api.post('/start/run-task', {
			taskDetails: `Get report [sim ${JSON.stringify(script)}]`,
		});
		const files = r.data.data.files;
		expect(files).toHaveLength(3);
		expect(files[0]).toEqual({
			source: expect.stringMatching(/^https:\/\//),
			downloadUrl: expect.any(String),
			filename: 'report.csv',
			timestamp: expect.any(Number),
		});
		expect(files[0].downloadUrl.startsWith(`${sim.filesUrl}/files/`)).toBe(true);
		expect(files[2].downloadUrl.startsWith(`${sim.url}/files/download/`)).toBe(true);
		expect(sim.tasks[0].downloads!.map((d) => d.filename)).toEqual([
			'report.csv',
			'gone.pdf',
			'local.txt',
		]);

		const a = await download(files[0].downloadUrl);
		expect(a).toMatchObject({ status: 200, text: 'a,b\n1,2\n', bytes: 8 });
		expect(a.headers['content-type']).toBe('text/csv');
		expect(a.headers['content-length']).toBe('8');
		expect((await download(files[1].downloadUrl)).status).toBe(404);
		const c = await download(files[2].downloadUrl, { Authorization: `Bearer ${KEY}` });
		expect(c).toMatchObject({ status: 200, text: 'same origin' });
		expect((await download(`${sim.filesUrl}/files/nope/x.bin`)).status).toBe(404);

		expect(sim.downloads.map((d) => [d.origin, d.status, d.hadAuthorization, d.filename])).toEqual([
			['files', 200, false, 'report.csv'],
			['files', 404, false, 'gone.pdf'],
			['api', 200, true, 'local.txt'],
			['files', 404, false, undefined],
		]);
		expect(sim.downloads[0]).toMatchObject({
			method: 'GET',
			bytesSent: 8,
			taskId: sim.tasks[0].taskId,
		});
		expect(typeof sim.downloads[0].time).toBe('number');
		expect(sim.requests.map((q) => q.endpoint)).toEqual(['run-task']); // downloads are not API requests
		const ctl = await axios.get(`${sim.url}/__sim/downloads`);
		expect(ctl.data).toHaveLength(4);
		// enigma shapes have no data.files
		sim.configure({ generation: 'enigma' });
		const p = await api.get(`/task/${r.data.sessionId}/${r.data.taskId}`);
		expect(p.data.data.files).toBeUndefined();
	});

	test('sizeBytes streams a large file with Content-Length; chunked omits it; HEAD', async () => {
		const size = 50 * 1024 * 1024;
		const script = {
			downloads: [
				{ filename: 'big.zip', sizeBytes: size },
				{ filename: 'stream.bin', sizeBytes: 300000, chunked: true },
			],
		};
		const r = await api.post('/start/run-task', {
			taskDetails: `big [sim ${JSON.stringify(script)}]`,
		});
		const [big, chunked] = r.data.data.files;
		const b = await download(big.downloadUrl);
		expect(b.status).toBe(200);
		expect(b.bytes).toBe(size);
		expect(b.headers['content-length']).toBe(String(size));
		expect(b.headers['content-type']).toBe('application/zip');
		const c = await download(chunked.downloadUrl);
		expect(c.bytes).toBe(300000);
		expect(c.headers['content-length']).toBeUndefined();
		expect(c.headers['transfer-encoding']).toBe('chunked');
		const head = await axios.head(big.downloadUrl);
		expect(head.headers['content-length']).toBe(String(size));
		expect(sim.downloads.map((d) => d.method)).toEqual(['GET', 'GET', 'HEAD']);
	});

	test('a client that stops reading early is logged as aborted', async () => {
		const r = await api.post('/start/run-task', {
			taskDetails: 'huge [sim {"downloads":[{"filename":"huge.bin","sizeBytes":209715200}]}]',
		});
		await new Promise<void>((resolve) => {
			const req = http.get(r.data.data.files[0].downloadUrl, (res) => {
				let got = 0;
				res.on('data', (c: Buffer) => {
					got += c.length;
					if (got > 1024 * 1024) {
						req.destroy();
						resolve();
					}
				});
			});
			req.on('error', () => resolve());
		});
		expect(await eventually(() => sim.downloads[0].clientAborted === true)).toBe(true);
		expect(sim.downloads[0].bytesSent).toBeLessThan(209715200);
	});

	test('the file server closes with the simulator', async () => {
		const other = await startSimulator();
		const url = other.filesUrl;
		expect((await download(`${url}/files/x/y`)).status).toBe(404);
		await other.close();
		await expect(download(`${url}/files/x/y`)).rejects.toThrow();
	});
});

describe('POST /files/upload (§2.5)', () => {
	test('multipart, repeated files field, binary-safe, documented answer, logged', async () => {
		const binary = Buffer.concat([
			Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
			Buffer.from('\r\n--not-the-boundary\r\n\r\n'),
		]);
		const boundary = '----simtest7MA4YWxkTrZu0gW';
		const body = multipart(boundary, [
			{ name: 'files', filename: 'report.pdf', type: 'application/pdf', data: binary },
			{ name: 'environmentId', data: '683a1f2e4b0c1d2e3f4a5b6c' },
			{ name: 'files', filename: 'notes "v2".txt', type: 'text/plain', data: 'hello\r\n' },
		]).toString('base64');
		const r = await api.post('/files/upload', Buffer.from(body, 'base64'), {
			headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
		});
		expect(r.status).toBe(200);
		expect(r.data).toEqual({
			success: true,
			files: [
				{
					fileId: expect.stringMatching(/^[0-9a-f]{24}$/),
					originalName: 'report.pdf',
					size: binary.length,
				},
				{ fileId: expect.any(String), originalName: 'notes "v2".txt', size: 7 },
			],
		});
		expect(sim.uploads).toHaveLength(1);
		const up = sim.uploads[0];
		expect(up).toMatchObject({
			apiKey: KEY,
			environmentId: '683a1f2e4b0c1d2e3f4a5b6c',
			fileIds: r.data.files.map((f: { fileId: string }) => f.fileId),
		});
		expect(up.files[0]).toEqual({
			fileId: r.data.files[0].fileId,
			filename: 'report.pdf',
			contentType: 'application/pdf',
			size: binary.length,
			sha256: createHash('sha256').update(binary).digest('hex'),
		});
		expect(up.files[1].sha256).toBe(createHash('sha256').update('hello\r\n').digest('hex'));
		expect(sim.count('upload')).toBe(1);
		expect(sim.requests[0].body).toEqual({
			files: [
				{ filename: 'report.pdf', contentType: 'application/pdf', size: binary.length },
				{ filename: 'notes "v2".txt', contentType: 'text/plain', size: 7 },
			],
			environmentId: '683a1f2e4b0c1d2e3f4a5b6c',
		});
		expect((await axios.get(`${sim.url}/__sim/uploads`)).data).toHaveLength(1);
	});

	test("a real client's FormData; tasks record the fileIds; unknown or another key's fileId → 400", async () => {
		const form = new FormData();
		form.append(
			'files',
			new Blob([Buffer.from([0, 1, 2, 255])], { type: 'image/png' }),
			'pixel.png',
		);
		form.append('files', new Blob(['x,y\n']), 'data.csv');
		const res = await fetch(`${sim.url}/files/upload`, {
			method: 'POST',
			body: form,
			headers: { Authorization: `Bearer ${KEY}` },
		});
		const up = (await res.json()) as {
			files: Array<{ fileId: string; originalName: string; size: number }>;
		};
		expect(up.files.map((f) => [f.originalName, f.size])).toEqual([
			['pixel.png', 4],
			['data.csv', 4],
		]);
		expect(sim.uploads[0].files[0].contentType).toBe('image/png');
		const ids = up.files.map((f) => f.fileId);
		const t = await api.post('/start/run-task', { task: { prompt: 'use files', files: ids } });
		expect(t.status).toBe(200);
		expect(sim.tasks[0].options.files).toEqual(ids);
		const s = await api.post('/start/start-session', {
			initialTask: { taskDetails: 'with file', files: [ids[0]] },
		});
		expect(sim.task(s.data.taskId)!.options.files).toEqual([ids[0]]);
		const m = await api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: { actionType: 'state', newState: 'stop' },
		});
		expect(m.status).toBe(200);
		const nt = await api.post('/start/send-message', {
			sessionId: s.data.sessionId,
			message: { actionType: 'newTask', taskDetails: 'again', files: [ids[1]] },
		});
		expect(sim.task(nt.data.taskId)!.options.files).toEqual([ids[1]]);

		const unknown = await api.post('/start/run-task', {
			task: { prompt: 'x', files: ['0123456789abcdef01234567'] },
		});
		expect(unknown.status).toBe(400);
		expect(unknown.data).toMatchObject({
			success: false,
			code: 'INVALID_PARAMETER',
			message: "Invalid parameter 'files': unknown fileId 0123456789abcdef01234567",
		});
		const other = axios.create({
			baseURL: sim.url,
			validateStatus: () => true,
			headers: { Authorization: 'Bearer someone-else' },
		});
		expect(
			(await other.post('/start/run-task', { task: { prompt: 'x', files: [ids[0]] } })).status,
		).toBe(400);
		expect(sim.tasksStarted).toBe(3);
	});

	test('errors, and the upload counts against the start rate limit', async () => {
		expect(
			(await axios.post(`${sim.url}/files/upload`, 'x', { validateStatus: () => true })).status,
		).toBe(401);
		const notMultipart = await api.post('/files/upload', { files: [] });
		expect(notMultipart.status).toBe(400);
		const empty = await api.post(
			'/files/upload',
			multipart('b0undary', [{ name: 'other', filename: 'a.txt', data: 'a' }]),
			{
				headers: { 'Content-Type': 'multipart/form-data; boundary=b0undary' },
			},
		);
		expect(empty.status).toBe(400);
		expect(empty.data).toEqual({ success: false, message: 'No files provided' });
		const broken = await api.post(
			'/files/upload',
			Buffer.from('--b0undary\r\nContent-Disposition: form-data; name="files"\r\n\r\nno end'),
			{
				headers: { 'Content-Type': 'multipart/form-data; boundary=b0undary' },
			},
		);
		expect(broken.status).toBe(400);

		sim.reset();
		sim.configure({ rateLimit: { limit: 2, windowMs: 60000 } });
		const one = () =>
			api.post(
				'/files/upload',
				multipart('b1', [{ name: 'files', filename: 'a.txt', data: 'a' }]),
				{
					headers: { 'Content-Type': 'multipart/form-data; boundary=b1' },
				},
			);
		expect((await one()).status).toBe(200);
		expect((await api.post('/start/start-session', {})).status).toBe(200);
		const limited = await one();
		expect(limited.status).toBe(429);
		expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
		expect(sim.uploads).toHaveLength(1);
		expect(sim.count429()).toBe(1);
	});
});

describe('cost per second (usage.cost) and its freeze on stop', () => {
	// Working time passes only when the test advances the fake clock: the costs are exact.
	let clock: ReturnType<typeof fakeClock>;
	beforeEach(() => (clock = fakeClock()));
	afterEach(() => clock.stop());
	test('running polls grow with working time; the final cost is rate × duration', async () => {
		sim.configure({ inlineWindowMs: 0 });
		const r = await api.post('/start/run-task', {
			taskDetails: 'metered [sim {"durationMs":400,"costPerSecond":0.05}]',
		});
		const { sessionId, taskId } = r.data;
		await clock.advance(150);
		const p1 = await api.get(`/task/${sessionId}/${taskId}`);
		expect(p1.data.status).toBe('running');
		const c1 = p1.data.usage.cost;
		expect(c1).toBeGreaterThan(0.05 * 0.1);
		expect(c1).toBeLessThan(0.05 * 0.4);
		expect(p1.data.usage.cost).toBeCloseTo(0.05 * p1.data.usage.completion_time, 2);
		await clock.advance(100);
		const p2 = await api.get(`/task/${sessionId}/${taskId}`);
		expect(p2.data.usage.cost).toBeGreaterThan(c1);
		await clock.advance(250);
		const done = await api.get(`/task/${sessionId}/${taskId}`);
		expect(done.data.type).toBe('task_completed');
		expect(done.data.usage.cost).toBe(0.02);
		expect(sim.tasks[0].costAtEnd).toBe(0.02);
		// enigma usage carries the same cost
		sim.configure({ generation: 'enigma' });
		expect((await api.get(`/task/${sessionId}/${taskId}`)).data.usage.cost).toBe(0.02);
		// default (no costPerSecond): unchanged proportional cost (answered inline, in real time)
		clock.stop();
		sim.configure({ generation: 'webrun', inlineWindowMs: 2000 });
		const d = await api.post('/start/run-task', { taskDetails: 'plain' });
		expect(d.data.usage.cost).toBe(0.0124);
		expect(sim.tasks[1].costAtEnd).toBe(0.0124);
	});

	test('stop freezes the cost; later polls show it in the terminated answer (both generations)', async () => {
		sim.configure({ inlineWindowMs: 0 });
		const s = await api.post('/start/start-session', {
			task: { prompt: 'long [sim {"durationMs":60000,"costPerSecond":0.1}]' },
		});
		const { sessionId, taskId } = s.data;
		await clock.advance(200);
		await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'state', newState: 'stop' },
		});
		const frozen = sim.tasks[0].costAtEnd!;
		expect(frozen).toBeGreaterThanOrEqual(0.02);
		expect(frozen).toBeLessThan(0.06);
		await clock.advance(150);
		const p = await api.get(`/task/${sessionId}/${taskId}`);
		expect(p.data).toMatchObject({ success: false, status: 'terminated', usage: { cost: frozen } });
		sim.configure({ generation: 'enigma' });
		const e = await api.get(`/task/${sessionId}/${taskId}`);
		expect(e.data.usage).toEqual({
			inputTokens: expect.any(Number),
			outputTokens: expect.any(Number),
			computeTime: expect.any(Number),
			cost: frozen,
		});
		// terminate: same freeze
		sim.configure({ generation: 'webrun' });
		const t2 = await api.post('/start/send-message', {
			sessionId,
			message: {
				actionType: 'newTask',
				taskDetails: 'next [sim {"durationMs":60000,"costPerSecond":1}]',
			},
		});
		await clock.advance(100);
		await api.post('/start/send-message', {
			sessionId,
			message: { actionType: 'state', newState: 'terminate' },
		});
		const c = sim.task(t2.data.taskId)!.costAtEnd!;
		await clock.advance(100);
		expect((await api.get(`/task/${sessionId}/${t2.data.taskId}`)).data.usage.cost).toBe(c);
		expect(c).toBeGreaterThan(0.05);
		expect(c).toBeLessThan(0.5);
	});
});

describe('counters for out-of-process tests', () => {
	test('count429, /__sim/requests statuses and /__sim/stats', async () => {
		sim.configure({ rateLimit: { limit: 1, windowMs: 60000 } });
		await api.post('/start/run-task', { taskDetails: 'one' });
		await api.post('/start/run-task', { taskDetails: 'two' });
		sim.fault({ endpoint: 'poll', status: 429 });
		await api.get('/task/a/b');
		expect(sim.count429()).toBe(2);
		const ctl = axios.create({ baseURL: sim.url });
		const reqs = (await ctl.get('/__sim/requests')).data;
		expect(reqs.map((q: { status: number }) => q.status)).toEqual([200, 429, 429]);
		const stats = (await ctl.get('/__sim/stats')).data;
		expect(stats).toMatchObject({
			requests: 3,
			tasksStarted: 1,
			count429: 2,
			byStatus: { '200': 1, '429': 2 },
			byEndpoint: { 'run-task': 2, poll: 1 },
		});
		expect(stats.filesUrl).toBe(sim.filesUrl);
	});
});
