import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { MAX_RAW_ANSWER_IN_ERROR } from '../constants';
import type { ErrorContext, WebRunError } from '../errors';
import { attach, describeIds } from '../errors';
import type { TaskSpec } from '../transport/requests';
import { parseJsonAnswer } from './output/answer';
import { csvToRows } from './output/csv';
import type { JsonSchema } from './output/schema';
import { validate } from './output/schema';
import type { ItemResult } from './result';

/**
 * The "Output Format" of a task (docs/webrun-api-notes.md#structured-output): the JSON
 * Schema the answer must match, or the CSV columns. Text has no format.
 */
export type OutputFormat =
	| { type: 'json'; schema: JsonSchema }
	| { type: 'csv'; columns: string[] };

/** The task-level request fields of a format; text sends neither. */
export function outputTaskFields(
	format: OutputFormat | undefined,
): Pick<TaskSpec, 'outputType' | 'outputSchema'> {
	if (!format) return {};
	if (format.type === 'csv') return { outputType: 'structured_csv', outputSchema: format.columns };
	return { outputType: 'structured_json', outputSchema: format.schema as IDataObject };
}

/** Removes the key and the secrets from a text (the item's client redacts; a bare context keeps). */
export type Redact = (text: string) => string;

/**
 * The agent's raw answer, shortened for an error description (the item keeps all of it). Redacted
 * before it is cut, so no part of a secret that spans the cut is left behind.
 */
function rawForDescription(raw: string, redact: Redact): string {
	const clean = redact(raw);
	if (clean.length <= MAX_RAW_ANSWER_IN_ERROR) return clean;
	return `${clean.slice(0, MAX_RAW_ANSWER_IN_ERROR)}… (${clean.length} characters in all)`;
}

/**
 * The agent's answer did not parse or did not match the requested format. Names the session and
 * task ids and the first wrong place; the description holds the raw answer. Under Continue the
 * item keeps the ids and the raw answer (`message`).
 */
export function outputError(
	ctx: ErrorContext,
	format: OutputFormat['type'],
	problem: string,
	raw: string,
	redact: Redact = (text) => text,
): WebRunError {
	const what = format === 'json' ? 'JSON' : 'CSV';
	const ids = describeIds(ctx);
	const head = `${ctx.operation}: the agent's answer is not the requested ${what}`;
	const message = `${head}${ids}: ${problem}`;
	const hint =
		format === 'json'
			? 'The task completed, but its answer does not match the output ' +
				'schema. Make the task text say what each field holds, loosen ' +
				'the schema (fewer required fields, types that fit the page), ' +
				'or set the node to Continue to keep the raw answer.'
			: 'The task completed, but its answer is not CSV with the requested ' +
				'columns. Make the task text name the columns, or set the node ' +
				'to Continue to keep the raw answer.';
	const description = `${hint}\n\nThe agent's answer:\n${rawForDescription(raw, redact) || '(empty)'}`;
	const error = new NodeApiError(
		ctx.node,
		{ message: problem },
		{ message, description, itemIndex: ctx.itemIndex },
	);
	return attach(error, {
		sessionId: ctx.sessionId,
		taskId: ctx.taskId,
		code: 'OUTPUT_MISMATCH',
		message: raw,
	});
}

/**
 * CSV rows keyed by the requested columns. A header cell that equals a column apart from case
 * and surrounding spaces is renamed to the column; other header cells stay as they are. Throws
 * at the first column the header lacks. An answer without data rows is an empty table.
 */
function rowsWithColumns(text: string, columns: string[]): IDataObject[] {
	const rows = csvToRows(text);
	if (!rows.length) return [];
	const header = Object.keys(rows[0]);
	const rename = new Map<string, string>();
	for (const column of columns) {
		if (header.includes(column)) continue;
		const match = header.find((name) => name.toLowerCase() === column.toLowerCase());
		if (match === undefined || rename.has(match) || columns.includes(match)) {
			throw new Error(
				`${column}: the header has no column "${column}" (it has: ${header.join(', ')})`,
			);
		}
		rename.set(match, column);
	}
	if (!rename.size) return rows;
	return rows.map((row) =>
		Object.fromEntries(Object.entries(row).map(([key, value]) => [rename.get(key) ?? key, value])),
	);
}

/**
 * Adds `output` to a completed task's item: the parsed JSON value (checked against the schema)
 * or the CSV rows. `message` stays the raw answer. Other items pass unchanged.
 */
export function applyOutputFormat(
	ctx: ErrorContext & { client?: { redact<T>(value: T): T } },
	result: ItemResult,
	format: OutputFormat | undefined,
): ItemResult {
	const redact: Redact = (text) => ctx.client?.redact(text) ?? text;
	if (!format || result.output !== 0 || result.json.status !== 'completed') return result;
	const raw = typeof result.json.message === 'string' ? result.json.message : '';
	if (format.type === 'json') {
		const parsed = parseJsonAnswer(raw);
		if ('error' in parsed) throw outputError(ctx, 'json', parsed.error, raw, redact);
		const problem = validate(parsed.value, format.schema);
		if (problem) throw outputError(ctx, 'json', problem, raw, redact);
		return { ...result, json: { ...result.json, output: parsed.value as IDataObject } };
	}
	let rows: IDataObject[];
	try {
		rows = rowsWithColumns(raw, format.columns);
	} catch (error) {
		throw outputError(ctx, 'csv', (error as Error).message, raw, redact);
	}
	return { ...result, json: { ...result.json, output: rows } };
}
