/**
 * Structured results (docs/webrun-api-notes.md#structured-output), the schema
 * (task/output/schema.ts): the schema from an example, the check of a hand-written schema, and
 * validation of the agent's JSON.
 */
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
