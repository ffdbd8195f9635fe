/**
 * Structured results (docs/webrun-api-notes.md#structured-output): the schema from an example, the
 * check of a hand-written schema, validation of the agent's JSON, CSV parsing and the "Columns"
 * parameter, and finding the JSON in an answer.
 */
import { parseJsonAnswer } from '../../../../nodes/WebRun/task/output/answer';
import { csvToRows, parseColumns, parseCsv } from '../../../../nodes/WebRun/task/output/csv';
import {
	checkSchema,
	type JsonSchema,
	schemaFromExample,
	validate,
} from '../../../../nodes/WebRun/task/output/schema';

describe('schemaFromExample', () => {
	test.each<[string, unknown, JsonSchema]>([
		['string', 'Bitcoin', { type: 'string' }],
		['integer → number', 3, { type: 'number' }],
		['fraction → number', 3.5, { type: 'number' }],
		['boolean', false, { type: 'boolean' }],
		['null accepts anything', null, {}],
		['empty array accepts any items', [], { type: 'array', items: {} }],
		['array typed by its first element', [1, 'two'], { type: 'array', items: { type: 'number' } }],
		['empty object', {}, { type: 'object', properties: {}, required: [] }],
		[
			'every key required, nested',
			{ top: [{ name: 'Bitcoin', price: 95360.97, note: null }], ok: true },
			{
				type: 'object',
				properties: {
					top: {
						type: 'array',
						items: {
							type: 'object',
							properties: { name: { type: 'string' }, price: { type: 'number' }, note: {} },
							required: ['name', 'price', 'note'],
						},
					},
					ok: { type: 'boolean' },
				},
				required: ['top', 'ok'],
			},
		],
	])('%s', (_name, example, expected) => {
		expect(schemaFromExample(example)).toEqual(expected);
	});

	test('a __proto__ key is an ordinary property', () => {
		const schema = schemaFromExample(JSON.parse('{"__proto__": 1}'));
		expect(Object.keys(schema.properties ?? {})).toEqual(['__proto__']);
		expect(Object.getPrototypeOf(schema.properties)).toBe(Object.prototype);
		expect(validate(JSON.parse('{"__proto__": "x"}'), schema)).toBe(
			'__proto__: expected number, got string',
		);
	});

	test.each<[string, unknown, unknown]>([
		['3 and 3.5 both pass', { n: 3 }, { n: 3.5 }],
		['null in the example accepts a value', { note: null }, { note: 'text' }],
		['null in the example accepts null', { note: null }, { note: null }],
		['extra keys pass', { a: 1 }, { a: 1, b: 2 }],
		['an empty array accepts anything', { list: [] }, { list: [1, 'a', null] }],
	])('the generated schema: %s', (_name, example, answer) => {
		expect(validate(answer, schemaFromExample(example))).toBeUndefined();
	});

	test('the generated schema of an object or array example passes checkSchema', () => {
		expect(checkSchema(schemaFromExample({ a: [{ b: null }] }))).toBeUndefined();
		expect(checkSchema(schemaFromExample([1]))).toBeUndefined();
	});
});

describe('checkSchema', () => {
	const object = (properties: Record<string, unknown>) => ({ type: 'object', properties });

	test.each<[string, unknown]>([
		['an object schema', object({ name: { type: 'string' } })],
		['an array schema', { type: 'array', items: { type: 'number' } }],
		['an array without items', { type: 'array' }],
		['type lists', object({ a: { type: ['string', 'null'] } })],
		['integer and null types', object({ a: { type: 'integer' }, b: { type: 'null' } })],
		['a schema without type', object({ a: {} })],
		['enum', object({ a: { enum: ['x', 1, null] } })],
		['required', { type: 'object', required: ['a'], properties: { a: {} } }],
		['additionalProperties false', { type: 'object', additionalProperties: false }],
		['additionalProperties schema', { type: 'object', additionalProperties: { type: 'string' } }],
		[
			'annotations',
			{
				$schema: 'https://json-schema.org/draft/2020-12/schema',
				title: 'T',
				type: 'object',
				description: 'd',
				properties: { at: { type: 'string', format: 'date-time', default: '', examples: [] } },
			},
		],
		["the docs' run-task example", object({ results: { type: 'array' } })],
	])('accepts %s', (_name, schema) => {
		expect(checkSchema(schema)).toBeUndefined();
	});

	test.each<[string, unknown, string]>([
		['a non-object', 'string', 'outputSchema: expected a JSON Schema object, got string'],
		['null', null, 'outputSchema: expected a JSON Schema object, got null'],
		['a list', [], 'outputSchema: expected a JSON Schema object, got array'],
		[
			'no top-level type',
			{ properties: {} },
			'outputSchema.type: the top level must be "object" or "array", got no type',
		],
		[
			'a string at the top',
			{ type: 'string' },
			'outputSchema.type: the top level must be "object" or "array", got "string"',
		],
		[
			'a type list at the top',
			{ type: ['object', 'null'] },
			'outputSchema.type: the top level must be "object" or "array", got ["object","null"]',
		],
		[
			'an unknown type',
			object({ price: { type: 'money' } }),
			'outputSchema.properties.price.type: "money" is not a JSON Schema type',
		],
		[
			'an unknown type in a list',
			object({ price: { type: ['number', 'money'] } }),
			'outputSchema.properties.price.type[1]: "money" is not a JSON Schema type',
		],
		[
			'a type given twice',
			object({ a: { type: ['number', 'number'] } }),
			'outputSchema.properties.a.type[1]: "number" is listed twice',
		],
		[
			'an empty type list',
			object({ a: { type: [] } }),
			'outputSchema.properties.a.type: expected at least one type name',
		],
		[
			'a type that is not a string',
			object({ a: { type: 3 } }),
			'outputSchema.properties.a.type: expected a type name (string), got number',
		],
		[
			'an unsupported keyword',
			object({ price: { type: 'number', minimum: 0 } }),
			'outputSchema.properties.price.minimum: "minimum" is not supported ' +
				'(supported: type, properties, required, items, enum, additionalProperties)',
		],
		[
			'$ref',
			{ type: 'object', $ref: '#/$defs/x' },
			'outputSchema.$ref: "$ref" is not supported ' +
				'(supported: type, properties, required, items, enum, additionalProperties)',
		],
		[
			'properties that are not an object',
			{ type: 'object', properties: ['a'] },
			'outputSchema.properties: expected an object of schemas, got array',
		],
		[
			'a property that is not a schema',
			object({ name: 'string' }),
			'outputSchema.properties.name: expected a schema (JSON object), got string',
		],
		[
			'a property name that is not an identifier',
			object({ 'first name': { type: 'text' } }),
			'outputSchema.properties["first name"].type: "text" is not a JSON Schema type',
		],
		[
			'required that is not a list',
			{ type: 'object', required: 'a' },
			'outputSchema.required: expected a list of property names, got string',
		],
		[
			'required with a non-string',
			{ type: 'object', required: ['a', 1] },
			'outputSchema.required[1]: expected a property name (string), got number',
		],
		[
			'required with a name twice',
			{ type: 'object', required: ['a', 'a'] },
			'outputSchema.required[1]: "a" is listed twice',
		],
		[
			'tuple items',
			{ type: 'array', items: [{ type: 'string' }] },
			'outputSchema.items: a list of schemas is not supported, give one schema for all items',
		],
		[
			'a bad items schema, nested',
			{ type: 'array', items: object({ tags: { type: 'array', items: { type: 'tag' } } }) },
			'outputSchema.items.properties.tags.items.type: "tag" is not a JSON Schema type',
		],
		[
			'an empty enum',
			object({ a: { enum: [] } }),
			'outputSchema.properties.a.enum: expected a non-empty list of allowed values',
		],
		[
			'an enum that is not a list',
			object({ a: { enum: 'x' } }),
			'outputSchema.properties.a.enum: expected a non-empty list of allowed values',
		],
		[
			'a bad additionalProperties schema',
			{ type: 'object', additionalProperties: { type: 'word' } },
			'outputSchema.additionalProperties.type: "word" is not a JSON Schema type',
		],
		[
			'additionalProperties that is neither',
			{ type: 'object', additionalProperties: 'no' },
			'outputSchema.additionalProperties: expected a schema (JSON object), got string',
		],
	])('refuses %s', (_name, schema, problem) => {
		expect(checkSchema(schema)).toBe(problem);
	});

	test('names the parameter it is given', () => {
		expect(checkSchema({ type: 'string' }, 'jsonExample')).toBe(
			'jsonExample.type: the top level must be "object" or "array", got "string"',
		);
	});
});

describe('validate', () => {
	const products: JsonSchema = {
		type: 'object',
		required: ['products'],
		properties: {
			products: {
				type: 'array',
				items: {
					type: 'object',
					required: ['name', 'price'],
					properties: {
						name: { type: 'string' },
						price: { type: 'number' },
						stock: { type: 'integer' },
						tags: { type: 'array', items: { type: 'string' } },
						note: { type: ['string', 'null'] },
						size: { enum: ['S', 'M', 'L'] },
					},
				},
			},
		},
	};
	const good = { name: 'Pen', price: 1.5 };

	test.each<[string, unknown]>([
		['a minimal answer', { products: [] }],
		['a full answer', { products: [{ ...good, stock: 3, tags: ['a'], note: null, size: 'M' }] }],
		['a type list member', { products: [{ ...good, note: 'text' }] }],
		['an integer written as 3.0', { products: [{ ...good, stock: 3.0 }] }],
		['additional properties', { products: [{ ...good, colour: 'red' }], page: 2 }],
	])('passes %s', (_name, value) => {
		expect(validate(value, products)).toBeUndefined();
	});

	test.each<[string, unknown, string]>([
		['a wrong root type', [], '(root): expected object, got array'],
		['null at the root', null, '(root): expected object, got null'],
		['a missing root property', {}, '(root): missing required property "products"'],
		['a wrong array type', { products: {} }, 'products: expected array, got object'],
		['a wrong item type', { products: [good, 'Pen'] }, 'products[1]: expected object, got string'],
		[
			'a missing required property in an item',
			{ products: [good, { price: 2 }] },
			'products[1]: missing required property "name"',
		],
		[
			'a wrong property type',
			{ products: [{ name: 'Pen', price: '1.50' }] },
			'products[0].price: expected number, got string',
		],
		[
			'a fraction for an integer',
			{ products: [{ ...good, stock: 2.5 }] },
			'products[0].stock: expected integer, got number',
		],
		[
			'a string for an integer',
			{ products: [{ ...good, stock: '2' }] },
			'products[0].stock: expected integer, got string',
		],
		[
			'a wrong nested array item',
			{ products: [{ ...good, tags: ['a', 7] }] },
			'products[0].tags[1]: expected string, got number',
		],
		[
			'a value outside a type list',
			{ products: [{ ...good, note: 5 }] },
			'products[0].note: expected string or null, got number',
		],
		[
			'a value outside the enum',
			{ products: [{ ...good, size: 'XL' }] },
			'products[0].size: expected one of "S", "M", "L", got "XL"',
		],
		[
			'the first of several problems',
			{ products: [{ name: 1, price: 'x' }, {}] },
			'products[0].name: expected string, got number',
		],
		[
			'required before the properties',
			{ products: [{ name: 1 }] },
			'products[0]: missing required property "price"',
		],
		[
			'a boolean for a number',
			{ products: [{ name: 'Pen', price: true }] },
			'products[0].price: expected number, got boolean',
		],
	])('reports %s', (_name, value, problem) => {
		expect(validate(value, products)).toBe(problem);
	});

	test.each<[string, unknown, JsonSchema, string | undefined]>([
		[
			'a root array item',
			[1, 'x'],
			{ type: 'array', items: { type: 'number' } },
			'[1]: expected number, got string',
		],
		[
			'a quoted key',
			{ 'first name': 1 },
			{ type: 'object', properties: { 'first name': { type: 'string' } } },
			'["first name"]: expected string, got number',
		],
		[
			'an inherited name is not a property',
			{},
			{ type: 'object', required: ['toString'] },
			'(root): missing required property "toString"',
		],
		['an enum of objects', { a: 1 }, { enum: [{ a: 1 }] }, undefined],
		['an enum of lists', [1, 2], { enum: [[1, 2]] }, undefined],
		[
			'an enum mismatch of lists',
			[1],
			{ enum: [[1, 2]] },
			'(root): expected one of [1,2], got [1]',
		],
		[
			'a long enum value is shortened',
			'x'.repeat(60),
			{ enum: ['a'] },
			`(root): expected one of "a", got "${'x'.repeat(36)}...`,
		],
		['a schema without type accepts anything', 'x', {}, undefined],
		[
			'additionalProperties false is not checked',
			{ b: 1 },
			{ type: 'object', additionalProperties: false },
			undefined,
		],
	])('%s', (_name, value, schema, problem) => {
		expect(validate(value, schema)).toBe(problem);
	});
});

describe('parseCsv', () => {
	test.each<[string, string, string[][]]>([
		[
			'simple rows',
			'a,b\n1,2',
			[
				['a', 'b'],
				['1', '2'],
			],
		],
		[
			'trailing newline ignored',
			'a,b\n1,2\n',
			[
				['a', 'b'],
				['1', '2'],
			],
		],
		[
			'CRLF',
			'a,b\r\n1,2\r\n',
			[
				['a', 'b'],
				['1', '2'],
			],
		],
		['lone CR', 'a\r1', [['a'], ['1']]],
		[
			'BOM stripped',
			'\uFEFFa,b\n1,2',
			[
				['a', 'b'],
				['1', '2'],
			],
		],
		[
			'quoted comma',
			'name,price\nBitcoin,"$95,360.97"',
			[
				['name', 'price'],
				['Bitcoin', '$95,360.97'],
			],
		],
		['doubled quotes', '"say ""hi""",x', [['say "hi"', 'x']]],
		[
			'newline inside quotes',
			'"line 1\nline 2",x\ny,z',
			[
				['line 1\nline 2', 'x'],
				['y', 'z'],
			],
		],
		['CRLF inside quotes kept', '"a\r\nb"', [['a\r\nb']]],
		['empty fields', ',a,,\n', [['', 'a', '', '']]],
		['empty quoted field', '"",x', [['', 'x']]],
		['a line holding only "" is a record', 'a\n""\nb', [['a'], [''], ['b']]],
		['empty lines skipped', 'a\n\n\r\n1\n\n', [['a'], ['1']]],
		['empty text', '', []],
		['only a BOM', '\uFEFF', []],
		['spaces kept', ' a , b ', [[' a ', ' b ']]],
		['a quote inside an unquoted field is text', '5" screen,x', [['5" screen', 'x']]],
		['text after a closing quote joins the field', '"a"b,c', [['ab', 'c']]],
		['a quoted field that is last', 'x,"y"', [['x', 'y']]],
		[
			'short and long rows are kept as they are',
			'a,b\n1\n1,2,3',
			[['a', 'b'], ['1'], ['1', '2', '3']],
		],
	])('%s', (_name, text, expected) => {
		expect(parseCsv(text)).toEqual(expected);
	});

	test.each<[string, string, string]>([
		['on the first line', '"abc', 'CSV line 1: a quoted field starts here but is never closed'],
		[
			'after other lines',
			'a,b\n1,2\n3,"x,y\nz',
			'CSV line 3: a quoted field starts here but is never closed',
		],
		[
			'after a closed multi-line field',
			'"a\nb",c\r\nd,"e""',
			'CSV line 3: a quoted field starts here but is never closed',
		],
	])('an unterminated quote %s throws with the line', (_name, text, message) => {
		expect(() => parseCsv(text)).toThrow(new Error(message));
	});
});

describe('csvToRows', () => {
	test.each<[string, string, Array<Record<string, string>>]>([
		[
			'rows keyed by the header, numbers stay strings',
			'name,price\nBitcoin,95360.97\nEther,"3,400"\n',
			[
				{ name: 'Bitcoin', price: '95360.97' },
				{ name: 'Ether', price: '3,400' },
			],
		],
		['only a header', 'name,price\n', []],
		['empty text', '', []],
		['short rows get empty cells', 'a,b,c\n1\n', [{ a: '1', b: '', c: '' }]],
		[
			'extra cells go under column_N (the §5.9 example with an unquoted comma)',
			'name,price\nBitcoin,$95,360.97',
			[{ name: 'Bitcoin', price: '$95', column_3: '360.97' }],
		],
		['empty lines skipped', 'a\n\n1\n\n2', [{ a: '1' }, { a: '2' }]],
		['header names trimmed', ' a , b \n1,2', [{ a: '1', b: '2' }]],
		['empty header names become column_N', 'a,,c\n1,2,3', [{ a: '1', column_2: '2', c: '3' }]],
		['a fenced block', '```csv\na,b\n1,2\n```', [{ a: '1', b: '2' }]],
		['a plain fence with CRLF', '```\r\na\r\n1\r\n```\r\n', [{ a: '1' }]],
		['a __proto__ column is an ordinary key', '__proto__\nx', [JSON.parse('{"__proto__":"x"}')]],
	])('%s', (_name, text, expected) => {
		const rows = csvToRows(text);
		expect(rows).toEqual(expected);
		for (const row of rows) expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
	});

	test.each<[string, string, string]>([
		[
			'a duplicate header',
			'name,price,name\n1,2,3',
			'CSV header: the column name "name" is used twice (columns 1 and 3)',
		],
		[
			'a duplicate after trimming',
			'a, a\n1,2',
			'CSV header: the column name "a" is used twice (columns 1 and 2)',
		],
		[
			'an unterminated quote',
			'a\n"x',
			'CSV line 2: a quoted field starts here but is never closed',
		],
	])('throws for %s', (_name, text, message) => {
		expect(() => csvToRows(text)).toThrow(new Error(message));
	});
});

describe('parseColumns', () => {
	test.each<[string, string, string[]]>([
		['comma-separated', 'name,price', ['name', 'price']],
		['trimmed', ' name , price ', ['name', 'price']],
		['empty entries dropped', 'name,,price,', ['name', 'price']],
		['one column', 'name', ['name']],
		['case-sensitive', 'Name,name', ['Name', 'name']],
		['spaces inside a name kept', 'first name, last name', ['first name', 'last name']],
	])('%s', (_name, input, expected) => {
		expect(parseColumns(input)).toEqual(expected);
	});

	test.each<[string, string, string]>([
		[
			'a duplicate',
			'name,price,name',
			'Columns: "name" is listed twice; each column name must be unique',
		],
		[
			'a duplicate after trimming',
			'a, a',
			'Columns: "a" is listed twice; each column name must be unique',
		],
		['nothing', '', 'Columns: enter at least one column name'],
		['only commas and spaces', ' , ,', 'Columns: enter at least one column name'],
	])('throws for %s', (_name, input, message) => {
		expect(() => parseColumns(input)).toThrow(new Error(message));
	});
});

describe('parseJsonAnswer', () => {
	test.each<[string, string, unknown]>([
		['plain JSON', '{"top":[{"name":"Bitcoin"}]}', { top: [{ name: 'Bitcoin' }] }],
		['plain JSON with spaces around', '\n  [1, 2]\n', [1, 2]],
		['a plain JSON string', '"done"', 'done'],
		['a plain JSON number', '42', 42],
		['a ```json block', 'Here you go:\n```json\n{"a": 1}\n```\nDone.', { a: 1 }],
		['a plain ``` block', '```\n[1]\n```', [1]],
		['a one-line block', '```json {"a":1}```', { a: 1 }],
		['the first block that parses', '```\nnot json\n```\n```json\n{"b":2}\n```', { b: 2 }],
		['a block before a span outside it', '{x} then\n```json\n{"a":1}\n```', { a: 1 }],
		[
			'JSON with a sentence around it',
			'The result is {"a": {"b": [1]}}. Thanks!',
			{ a: { b: [1] } },
		],
		['a list with a sentence around it', 'Found: [1, 2, 3] in total', [1, 2, 3]],
		['braces inside strings', 'Result: {"a": "} and ]", "b": "\\"{"}', { a: '} and ]', b: '"{' }],
		['a span that fails is skipped', '[Note] the data: {"a":1}', { a: 1 }],
		['an unclosed bracket before the JSON', 'a { b then {"a":1}', { a: 1 }],
	])('%s', (_name, message, value) => {
		expect(parseJsonAnswer(message)).toEqual({ value });
	});

	test.each<[string, string, RegExp]>([
		['an empty answer', '  \n', /^the answer is empty$/],
		[
			'plain text',
			'I could not find any prices.',
			/^the answer holds no JSON: no \{\.\.\.\} object or \[\.\.\.\] list in it$/,
		],
		['truncated JSON', '{"a": [1, 2', /^the answer is not valid JSON: .+/],
		['a trailing comma', '{"a": 1,}', /^the answer is not valid JSON: .*(Expected|Unexpected)/],
		['an unterminated string', '"abc', /^the answer is not valid JSON: .+/],
		[
			'a bad code block',
			'Here:\n```json\n{name: "x"}\n```',
			/^the code block in the answer is not valid JSON: .+/,
		],
		[
			'a bad span in a sentence',
			'Result: {name: "x"} ok',
			/^the JSON in the answer is not valid: .+/,
		],
		[
			'an unclosed span in a sentence',
			'Result: {"a": 1',
			/^the answer has a \{ or \[ without its matching \} or \]$/,
		],
		[
			'a mismatched span',
			'Result: {"a": 1]',
			/^the answer has a \{ or \[ without its matching \} or \]$/,
		],
	])('%s fails with a clear error', (_name, message, error) => {
		const result = parseJsonAnswer(message);
		expect(result).toEqual({ error: expect.stringMatching(error) });
	});

	test('the error keeps the JSON parser message', () => {
		const result = parseJsonAnswer('{"a": 1,}');
		let parserMessage = '';
		try {
			JSON.parse('{"a": 1,}');
		} catch (error) {
			parserMessage = (error as Error).message;
		}
		expect(result).toEqual({ error: `the answer is not valid JSON: ${parserMessage}` });
	});

	test('many bracketed notes before the JSON do not hide it', () => {
		const message = `${'[see note] '.repeat(30)}{"a":1}`;
		expect(parseJsonAnswer(message)).toEqual({ value: { a: 1 } });
	});

	test('a long answer full of unclosed brackets stays fast', () => {
		const message = '{['.repeat(50_000) + ' no JSON here';
		// CPU time of this process, not the wall clock: other work on the machine does not count.
		const before = process.cpuUsage();
		expect(parseJsonAnswer(message)).toHaveProperty('error');
		const used = process.cpuUsage(before);
		expect((used.user + used.system) / 1000).toBeLessThan(2000);
	});
});
