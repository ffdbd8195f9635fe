import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { inputError } from '../../errors';
import { parseColumns } from '../../task/output/csv';
import type { JsonSchema } from '../../task/output/schema';
import { checkSchema, schemaFromExample } from '../../task/output/schema';
import type { OutputFormat } from '../../task/structured';
import { outputTaskFields } from '../../task/structured';
import type { TaskSpec } from '../../transport/requests';
import type { AppliesTo, ItemScope, OperationName } from '../scope';
import { applies, TASK_OPERATIONS } from '../scope';

/**
 * "Output Format" (docs/webrun-api-notes.md#structured-output): the editor fields of the three
 * operations that send a task, and their reader. Top-level parameters, not options.
 */

/** The operations that send a task; Send Message only when it sends a new one. */
export const appliesTo: AppliesTo = { operations: TASK_OPERATIONS, newTaskOnly: true };

const EXAMPLE = `{
  "products": [
    { "name": "Logitech K380", "price": 29.99, "url": "https://www.example.com/k380" }
  ]
}`;

const SCHEMA = `{
  "type": "object",
  "properties": {
    "products": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {
          "name": { "type": "string" },
          "price": { "type": "number" },
          "url": { "type": "string" }
        },
        "required": ["name", "price"]
      }
    }
  },
  "required": ["products"]
}`;

/** Where an operation's Task field shows: Send Message's only for a New Task (newTaskOnly). */
function taskFieldShow(operation: OperationName): Record<string, string[]> {
	if (appliesTo.newTaskOnly && operation === 'sendMessage') {
		return { operation: [operation], messageType: ['newTask'] };
	}
	return { operation: [operation] };
}

/**
 * The Output Format fields of one operation of `appliesTo`, placed after its Task field (top-level
 * parameters: one copy per operation) and shown as that field is: Run Task, Start Session (first
 * task), Send Message → New Task.
 */
export function outputFormatFields(operation: OperationName): INodeProperties[] {
	const show = taskFieldShow(operation);
	const forTask = (extra: Record<string, string[]> = {}): INodeProperties['displayOptions'] => ({
		show: { ...show, ...extra },
	});
	return [
		{
			displayName: 'Output Format',
			name: 'outputFormat',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'CSV',
					value: 'csv',
					description: 'A table with the columns you name; "output" holds its rows',
				},
				{
					name: 'JSON',
					value: 'json',
					description: 'JSON in the shape you describe, checked by the node; "output" holds it',
				},
				{
					name: 'Text',
					value: 'text',
					description: 'The answer as the agent writes it (Markdown), in "message"',
				},
			],
			default: 'text',
			description:
				'How the agent answers. With JSON or CSV, "message" keeps the ' +
				'raw answer and "output" holds the parsed data.',
			displayOptions: forTask(),
		},
		{
			displayName: 'Schema Type',
			name: 'jsonSchemaType',
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'Define Using JSON Schema',
					value: 'manual',
					description: 'Write a JSON Schema (types, required fields, lists)',
				},
				{
					name: 'Generate From JSON Example',
					value: 'fromExample',
					description:
						'Paste an example answer; every field in it is required, typed like the example',
				},
			],
			default: 'fromExample',
			description: 'How to describe the JSON the agent must answer with',
			displayOptions: forTask({ outputFormat: ['json'] }),
		},
		{
			displayName: 'JSON Example',
			name: 'jsonExample',
			type: 'json',
			default: EXAMPLE,
			description:
				'An example of the answer. Every key is required, values give ' +
				'the types (a list is typed by its first element), and null allows ' +
				'any value.',
			displayOptions: forTask({ outputFormat: ['json'], jsonSchemaType: ['fromExample'] }),
		},
		{
			displayName: 'JSON Schema',
			name: 'outputSchema',
			type: 'json',
			default: SCHEMA,
			description:
				'A JSON Schema of the answer: type (object, array, string, number, ' +
				'integer, boolean, null), properties, required, items, enum',
			displayOptions: forTask({ outputFormat: ['json'], jsonSchemaType: ['manual'] }),
		},
		{
			displayName: 'Columns',
			name: 'csvColumns',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'name, price, url',
			description: 'Comma-separated column names of the table the agent answers with',
			displayOptions: forTask({ outputFormat: ['csv'] }),
		},
	];
}

export interface ReadOutputFormat {
	format?: OutputFormat;
	/** outputType and outputSchema for the TaskSpec (nothing for text). */
	task: Pick<TaskSpec, 'outputType' | 'outputSchema'>;
}

/** A `json` parameter: text the user typed, or a value an expression returned. */
function readJson(ctx: IExecuteFunctions, name: string, label: string, itemIndex: number): unknown {
	const value = ctx.getNodeParameter(name, itemIndex, '') as unknown;
	if (typeof value !== 'string') return value;
	if (value.trim() === '') {
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`${label} is empty`,
			`Enter ${label} for Output Format JSON.`,
		);
	}
	try {
		return JSON.parse(value) as unknown;
	} catch (error) {
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`${label} is not valid JSON: ${(error as Error).message}`,
			'Check quotes, commas and brackets. Keys and strings need double quotes.',
		);
	}
}

/**
 * Reads and checks the Output Format of one item; throws before any request on an example or
 * schema that is not valid JSON, a schema the node cannot check, or empty columns.
 */
export function readOutputFormat(
	ctx: IExecuteFunctions,
	itemIndex: number,
	at: ItemScope,
): ReadOutputFormat {
	if (!applies(appliesTo, at)) return { task: {} };
	const node = ctx.getNode();
	const type = ctx.getNodeParameter('outputFormat', itemIndex, 'text') as string;
	let format: OutputFormat | undefined;
	if (type === 'json') {
		const schemaType = ctx.getNodeParameter('jsonSchemaType', itemIndex, 'fromExample') as string;
		let schema: unknown;
		if (schemaType === 'manual') {
			schema = readJson(ctx, 'outputSchema', 'JSON Schema', itemIndex);
			const problem = checkSchema(schema, 'JSON Schema');
			if (problem) {
				throw inputError(
					node,
					itemIndex,
					`JSON Schema is not supported: ${problem}`,
					'The node checks the answer against the schema, so it accepts ' +
						'the keywords it can check: type, properties, required, items, ' +
						'enum, additionalProperties (and description, title, format).',
				);
			}
		} else {
			const example = readJson(ctx, 'jsonExample', 'JSON Example', itemIndex);
			if (typeof example !== 'object' || example === null) {
				throw inputError(
					node,
					itemIndex,
					'JSON Example must be a JSON object or list',
					'For example {"products": [{"name": "Keyboard", "price": 29.99}]}.',
				);
			}
			schema = schemaFromExample(example);
		}
		format = { type: 'json', schema: schema as JsonSchema };
	} else if (type === 'csv') {
		const text = String(ctx.getNodeParameter('csvColumns', itemIndex, '') ?? '');
		try {
			format = { type: 'csv', columns: parseColumns(text) };
		} catch (error) {
			throw inputError(node, itemIndex, (error as Error).message, 'For example: name, price, url');
		}
	} else if (type !== 'text') {
		throw inputError(
			node,
			itemIndex,
			`Unknown Output Format "${type}"`,
			'Choose Text, JSON or CSV.',
		);
	}
	return { format, task: outputTaskFields(format) };
}

/**
 * In AI-tool mode n8n hands the agent the JSON of output 0's items: with an `output`, that is
 * the item's JSON (a list of CSV rows or a JSON list reaches the agent as that list).
 */
export function toolAnswer(json: IDataObject): IDataObject {
	const { output } = json;
	return typeof output === 'object' && output !== null ? (output as IDataObject) : json;
}
