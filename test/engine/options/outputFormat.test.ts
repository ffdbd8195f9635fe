/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	@n8n/community-nodes/no-restricted-imports --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * Output Format (docs/webrun-api-notes.md#structured-output) through n8n's real engine
 * (WorkflowExecute) against the simulator, in both response generations: what the request carries,
 * `output` next to the raw `message`, answers that do not parse or match, Continue, bad input that
 * sends nothing, and the answer an AI agent gets when the node is its tool.
 */
import { readFileSync } from 'fs';
import type { IDataObject } from 'n8n-workflow';
import { join } from 'path';

import { schemaFromExample } from '../../../nodes/WebRun/task/output/schema';
import { runWorkflow } from '../../helpers/engine';
import { runTaskParams, useSimulator } from '../../helpers/simulator';
import type { Simulator } from '../../simulator';

const simulator = useSimulator();
let sim: Simulator;
beforeEach(() => (sim = simulator()));

const EXAMPLE = { products: [{ name: 'Keyboard', price: 29.99, url: 'https://example.com/k' }] };
const SCHEMA = {
	type: 'object',
	properties: {
		results: {
			type: 'array',
			items: {
				type: 'object',
				properties: {
					name: { type: 'string' },
					price: { type: 'number' },
					rating: { type: 'number' },
				},
				required: ['name', 'price'],
			},
		},
	},
	required: ['results'],
};

const fromExample = (task: string, example: unknown = EXAMPLE, options: IDataObject = {}) => ({
	...runTaskParams(task, options),
	outputFormat: 'json',
	jsonSchemaType: 'fromExample',
	jsonExample: typeof example === 'string' ? example : JSON.stringify(example, null, 2),
});
const manual = (task: string, schema: unknown = SCHEMA) => ({
	...runTaskParams(task),
	outputFormat: 'json',
	jsonSchemaType: 'manual',
	outputSchema: typeof schema === 'string' ? schema : JSON.stringify(schema),
});
const csv = (task: string, columns = 'name, price, url', options: IDataObject = {}) => ({
	...runTaskParams(task, options),
	outputFormat: 'csv',
	csvColumns: columns,
});

/** Every key anywhere in a request body (the node sends each generation's fields). */
function keysIn(value: unknown): string[] {
	if (typeof value !== 'object' || value === null) return [];
	return Object.entries(value).flatMap(([key, v]) => [key, ...keysIn(v)]);
}

describe.each(['webrun', 'enigma'] as const)(
	'Output Format, %s response generation',
	(generation) => {
		beforeEach(() => sim.configure({ generation }));

		test('JSON from an example: schema at task level, `output` parsed, `message` raw', async () => {
			const r = await runWorkflow({
				baseUrl: sim.url,
				parameters: fromExample('List keyboards'),
			});
			expect(r.error).toBeUndefined();
			const task = sim.tasks[0];
			expect(task.options.outputType).toBe('structured_json');
			expect(task.options.outputSchema).toEqual(schemaFromExample(EXAMPLE));
			const json = r.completed[0].json;
			expect(typeof json.message).toBe('string');
			expect(json.message).toBe(task.output?.message);
			expect(json.output).toEqual(task.output?.value);
			expect((json.output as IDataObject).products).toHaveLength(2);
			expect(json).toMatchObject({
				status: 'completed',
				sessionId: task.sessionId,
				taskId: task.taskId,
			});
		});

		test('JSON from a JSON Schema: the schema goes out as written', async () => {
			const r = await runWorkflow({ baseUrl: sim.url, parameters: manual('Rate keyboards') });
			expect(r.error).toBeUndefined();
			expect(sim.tasks[0].options.outputSchema).toEqual(SCHEMA);
			expect(r.completed[0].json.output).toEqual(sim.tasks[0].output?.value);
		});

		test('CSV: columns sent as a list, `output` = rows keyed by the header', async () => {
			const r = await runWorkflow({ baseUrl: sim.url, parameters: csv('Table of keyboards') });
			expect(r.error).toBeUndefined();
			const task = sim.tasks[0];
			expect(task.options).toMatchObject({
				outputType: 'structured_csv',
				outputSchema: ['name', 'price', 'url'],
			});
			const rows = r.completed[0].json.output as IDataObject[];
			expect(rows).toEqual(task.output?.value);
			// The simulator puts a comma, a doubled quote and a newline in the first cells.
			expect(JSON.stringify(rows)).toMatch(/,/);
			expect(rows.some((row) => Object.values(row).some((v) => String(v).includes('"')))).toBe(
				true,
			);
			expect(rows.some((row) => Object.values(row).some((v) => String(v).includes('\n')))).toBe(
				true,
			);
			expect(r.completed[0].json.message).toBe(task.output?.message);
		});

		test('Text sends neither outputType nor outputSchema and adds no `output`', async () => {
			const r = await runWorkflow({
				baseUrl: sim.url,
				parameters: { ...runTaskParams('Plain'), outputFormat: 'text' },
			});
			expect(r.error).toBeUndefined();
			expect(keysIn(sim.requests[0].body)).not.toEqual(expect.arrayContaining(['outputType']));
			expect(keysIn(sim.requests[0].body)).not.toEqual(expect.arrayContaining(['outputSchema']));
			expect(sim.tasks[0].options.outputType).toBeUndefined();
			expect(r.completed[0].json.output).toBeUndefined();
		});

		test(
			'an answer that is not JSON fails the item, naming the ids, raw ' +
				'answer in the description',
			async () => {
				sim.script('broken', { structured: 'invalid-json' });
				const r = await runWorkflow({ baseUrl: sim.url, parameters: fromExample('broken answer') });
				const task = sim.tasks[0];
				expect(r.error?.name).toBe('NodeApiError');
				expect(r.error?.message).toContain(`session ${task.sessionId}`);
				expect(r.error?.message).toContain(`task ${task.taskId}`);
				expect(r.error?.message).toMatch(/not the requested JSON/);
				expect(r.error?.description).toContain(task.output?.message.slice(0, 40));
				expect(sim.tasksStarted).toBe(1);
			},
		);

		test('an answer that does not match the schema names the first wrong path', async () => {
			sim.script('mismatch', { structured: 'mismatch' });
			const r = await runWorkflow({ baseUrl: sim.url, parameters: fromExample('mismatch answer') });
			const task = sim.tasks[0];
			expect(task.output?.wrongPath).toBe('products[0].price');
			expect(r.error?.message).toContain('products[0].price: expected number, got string');
			expect(r.error?.message).toContain(task.taskId);
			expect(r.error?.description).toContain(task.output?.message);
		});

		test('a required property missing from a JSON Schema answer is named', async () => {
			sim.script('missing', { structured: 'mismatch' });
			const schema = {
				type: 'object',
				properties: { title: { type: 'string' } },
				required: ['title'],
			};
			const r = await runWorkflow({
				baseUrl: sim.url,
				parameters: manual('missing title', schema),
			});
			expect(sim.tasks[0].output?.wrongPath).toBe('title');
			expect(r.error?.message).toContain('(root): missing required property "title"');
		});

		test('CSV without a requested column fails the item, naming the column', async () => {
			sim.script('csv mismatch', { structured: 'mismatch' });
			const r = await runWorkflow({ baseUrl: sim.url, parameters: csv('csv mismatch') });
			expect(sim.tasks[0].output?.wrongPath).toBe('url');
			expect(r.error?.message).toMatch(
				/not the requested CSV.*url: the header has no column "url"/,
			);
		});

		test('CSV that does not parse fails the item', async () => {
			sim.script('csv broken', { structured: 'invalid-json' });
			const r = await runWorkflow({ baseUrl: sim.url, parameters: csv('csv broken') });
			expect(r.error?.message).toMatch(/not the requested CSV.*never closed/);
		});

		test('under Continue the item keeps the raw message, the ids and the error', async () => {
			sim.script('mismatch', { structured: 'mismatch' });
			const r = await runWorkflow({
				baseUrl: sim.url,
				parameters: fromExample('mismatch answer'),
				onError: 'continueRegularOutput',
			});
			expect(r.error).toBeUndefined();
			const task = sim.tasks[0];
			const json = r.completed[0].json;
			expect(json).toMatchObject({
				sessionId: task.sessionId,
				taskId: task.taskId,
				message: task.output?.message,
				code: 'OUTPUT_MISMATCH',
			});
			expect(json.error).toContain('products[0].price');
			expect(json.output).toBeUndefined();
			expect(r.completed[0].pairedItem).toEqual({ item: 0 });
		});

		test('under Continue (error output) the item goes to the error branch', async () => {
			sim.script('mismatch', { structured: 'mismatch' });
			const r = await runWorkflow({
				baseUrl: sim.url,
				parameters: fromExample('mismatch answer'),
				onError: 'continueErrorOutput',
			});
			expect(r.downstream.error).toHaveLength(1);
			expect(r.downstream.completed).toHaveLength(0);
			expect(JSON.stringify(r.downstream.error[0].json)).toContain('products[0].price');
		});

		test('as an AI tool, the agent gets the parsed output', async () => {
			const r = await runWorkflow({
				baseUrl: sim.url,
				asTool: true,
				parameters: fromExample('tool task'),
			});
			expect(r.error).toBeUndefined();
			// n8n's tool wrapper answers the agent with JSON.stringify(output0.flatMap((i) => i.json)).
			const answer = r.completed.flatMap((item) => item.json);
			expect(answer).toEqual([sim.tasks[0].output?.value]);
			const rows = await runWorkflow({
				baseUrl: sim.url,
				asTool: true,
				parameters: csv('tool table'),
			});
			expect(rows.completed.flatMap((item) => item.json)).toEqual(sim.tasks[1].output?.value);
		});

		test('Start Session (first task) and Send Message → New Task parse answers', async () => {
			const started = await runWorkflow({
				baseUrl: sim.url,
				parameters: {
					...fromExample('first task'),
					operation: 'startSession',
					taskDetails: 'first task',
				},
			});
			expect(started.error).toBeUndefined();
			const first = sim.tasks[0];
			expect(first.options.outputType).toBe('structured_json');
			expect(started.completed[0].json.output).toEqual(first.output?.value);
			const sent = await runWorkflow({
				baseUrl: sim.url,
				parameters: {
					...csv('next task'),
					operation: 'sendMessage',
					messageType: 'newTask',
					sessionId: first.sessionId,
				},
			});
			expect(sent.error).toBeUndefined();
			expect(sim.tasks[1].options).toMatchObject({ outputType: 'structured_csv' });
			expect(sent.completed[0].json.output).toEqual(sim.tasks[1].output?.value);
		});
	},
);

test('examples/4-structured-to-rows.json: its WebRun node gives output.products', async () => {
	const file = join(__dirname, '..', '..', '..', 'examples', '4-structured-to-rows.json');
	const workflow = JSON.parse(readFileSync(file, 'utf8'));
	const node = workflow.nodes.find((n: { type: string }) => n.type === 'n8n-nodes-webrun.webRun');
	const r = await runWorkflow({ baseUrl: sim.url, parameters: node.parameters });
	expect(r.error).toBeUndefined();
	const products = (r.completed[0].json.output as IDataObject).products as IDataObject[];
	expect(products).toHaveLength(2);
	expect(typeof products[0].price).toBe('number');
	expect(
		workflow.nodes.find((n: { type: string }) => n.type === 'n8n-nodes-base.splitOut').parameters,
	).toMatchObject({ fieldToSplitOut: 'output.products' });
});

describe('invalid Output Format input fails before any request', () => {
	test.each<[string, IDataObject, RegExp]>([
		[
			'an example that is not JSON',
			fromExample('x', '{"a": 1,}'),
			/JSON Example is not valid JSON/,
		],
		[
			'an example that is not an object or list',
			fromExample('x', '"text"'),
			/JSON Example must be a JSON object or list/,
		],
		['an empty example', fromExample('x', '  '), /JSON Example is empty/],
		['a schema that is not JSON', manual('x', '{type: object}'), /JSON Schema is not valid JSON/],
		[
			'a schema of an unsupported top-level type',
			manual('x', { type: 'string' }),
			/top level must be "object" or "array"/,
		],
		[
			'a schema with an unsupported keyword',
			manual('x', { type: 'object', oneOf: [] }),
			/"oneOf" is not supported/,
		],
		['empty columns', csv('x', ' , '), /Columns: enter at least one column name/],
		['a column given twice', csv('x', 'a, b, a'), /"a" is listed twice/],
		[
			'a format for a session without a first task',
			{ ...fromExample('x'), operation: 'startSession', taskDetails: '' },
			/Output Format needs a First Task/,
		],
	])('%s', async (_name, parameters, message) => {
		const r = await runWorkflow({ baseUrl: sim.url, parameters, items: [{}, {}] });
		expect(r.error?.message).toMatch(message);
		expect(sim.requests).toHaveLength(0);
	});
});
