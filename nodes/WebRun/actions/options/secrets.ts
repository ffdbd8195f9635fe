import type { IDataObject, INode, INodeProperties } from 'n8n-workflow';

import type { SecretSpec, SessionSpec, TaskSpec } from '../../transport/requests';
import type { AppliesTo, ItemScope } from '../scope';
import { applies, showFor, TASK_OPERATIONS } from '../scope';
import { parseDomain } from './domains';
import { maskProxyUrl } from './proxy';
import type { Fail } from './values';
import { text } from './values';

/**
 * The Secrets option: logins the agent may type, sent with the task. Their values never appear
 * in a message; the client redacts them like the API key (nodes/WebRun/secrets.ts).
 */

export const appliesTo: AppliesTo = { operations: TASK_OPERATIONS, newTaskOnly: true };

export const secretsField: INodeProperties = {
	displayName: 'Secrets',
	name: 'secrets',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Secret',
	default: {},
	description:
		'Logins the agent may type into matching sites without asking. Values go to WebRun only (kept in session memory) and never appear in output, errors or logs.',
	displayOptions: showFor(appliesTo),
	options: [
		{
			displayName: 'Secret',
			name: 'secret',
			values: [
				{
					displayName: 'Domain Pattern',
					name: 'match',
					type: 'string',
					default: '',
					placeholder: '*.example.com',
					description:
						'Sites the fields are for: github.com (that host only), *.example.com (its subdomains) or "all" (any site)',
				},
				{
					displayName: 'Fields',
					name: 'fields',
					type: 'fixedCollection',
					typeOptions: { multipleValues: true },
					placeholder: 'Add Field',
					default: {},
					description: 'Named values, e.g. email and password',
					options: [
						{
							displayName: 'Field',
							name: 'field',
							values: [
								{
									displayName: 'Name',
									name: 'name',
									type: 'string',
									default: '',
									placeholder: 'e.g. password',
									description: 'What the value is (email, username, password, otp_secret, …)',
								},
								{
									displayName: 'Value',
									name: 'value',
									type: 'string',
									typeOptions: { password: true },
									default: '',
									description: 'The value itself; it is never shown in output, errors or logs',
								},
							],
						},
					],
				},
			],
		},
	],
};

/** "all", an exact host, or *.host; a URL gives its host. */
function readPattern(value: unknown, position: number, fail: Fail): string {
	const raw = text(value);
	if (!raw)
		throw fail(
			`Secret ${position} has no domain pattern`,
			'Enter e.g. github.com, *.example.com or all.',
		);
	if (raw.toLowerCase() === 'all') return 'all';
	const pattern = parseDomain(raw);
	if (!pattern) {
		throw fail(
			`Secret ${position} has an invalid domain pattern: "${raw.slice(0, 60)}"`,
			'Use github.com (that host only), *.example.com (its subdomains) or all (any site).',
		);
	}
	return pattern;
}

function readSecrets(options: IDataObject, fail: Fail): SecretSpec[] | undefined {
	const collection = options.secrets as IDataObject | undefined;
	const entries = (collection?.secret ?? []) as IDataObject[];
	if (!Array.isArray(entries) || entries.length === 0) return undefined;
	const secrets: SecretSpec[] = [];
	entries.forEach((entry, index) => {
		const position = index + 1;
		const match = readPattern(entry.match, position, fail);
		const rows = ((entry.fields as IDataObject | undefined)?.field ?? []) as IDataObject[];
		if (!Array.isArray(rows) || rows.length === 0) {
			throw fail(
				`Secret ${position} (${match}) has no fields`,
				'Add at least one field, e.g. password.',
			);
		}
		const fields: Record<string, string> = {};
		for (const row of rows) {
			const name = text(row.name);
			if (!name)
				throw fail(
					`Secret ${position} (${match}) has a field without a name`,
					'Name every field, e.g. email or password.',
				);
			if (name in fields) throw fail(`Secret ${position} (${match}) has the field "${name}" twice`);
			const value = row.value === undefined || row.value === null ? '' : String(row.value);
			if (value === '') {
				throw fail(
					`Secret ${position} (${match}): the field "${name}" has no value`,
					'Enter the value, or map it from an earlier node or n8n credentials with an expression.',
				);
			}
			fields[name] = value;
		}
		secrets.push({ match, fields });
	});
	return secrets;
}

/**
 * The Secrets of one item's task. `hasTask` is false for a Start Session without a First Task:
 * secrets belong to a task, so they are refused there.
 */
export function readSecretsOption(
	options: IDataObject,
	at: ItemScope,
	hasTask: boolean,
	fail: Fail,
): SecretSpec[] | undefined {
	if (!applies(appliesTo, at)) return undefined;
	const secrets = readSecrets(options, fail);
	if (secrets && !hasTask) {
		throw fail(
			'Secrets need a task: Start Session has no First Task',
			'Secrets belong to a task. Add a First Task, or set the secrets on ' +
				'Send Message → New Task.',
		);
	}
	return secrets;
}

/** The values to redact like the API key: every secret value and the proxy password. */
export function secretValues(task: Partial<TaskSpec>, session: SessionSpec = {}): string[] {
	const values: string[] = [];
	for (const secret of task.secrets ?? []) values.push(...Object.values(secret.fields));
	if (session.proxy?.source === 'custom' && session.proxy.password)
		values.push(session.proxy.password);
	return values;
}

/**
 * Whether a parameter's text, as n8n keeps it in the node, may hold the secret itself: literal
 * text, or an expression with fixed text (`=Hunter2!` yields `Hunter2!`). Only an expression that
 * is nothing but `{{ … }}` is shown (it names where the value comes from; the value it yields is
 * redacted like any secret).
 */
const holdsSecretText = (value: unknown): value is string =>
	typeof value === 'string' && value !== '' && !/^=\s*\{\{[\s\S]*\}\}\s*$/.test(value);

/**
 * An n8n error carries the node, parameters included: the Secrets values and a proxy URL's
 * password written into the node (as text or as an expression's fixed text) are masked in the
 * error's copy. secrets.ts (Secrets.redactError) also redacts that copy with every secret value.
 */
export function hideSecretParameters<T>(error: T): T {
	const node = (error as { node?: INode } | undefined)?.node;
	const options = node?.parameters?.options as IDataObject | undefined;
	if (typeof options !== 'object' || options === null) return error;
	const entries = (options.secrets as IDataObject | undefined)?.secret;
	for (const entry of Array.isArray(entries) ? (entries as IDataObject[]) : []) {
		const rows = (entry?.fields as IDataObject | undefined)?.field;
		for (const row of Array.isArray(rows) ? (rows as IDataObject[]) : []) {
			if (row && holdsSecretText(row.value)) row.value = '***';
		}
	}
	if (holdsSecretText(options.proxyUrl)) options.proxyUrl = maskProxyUrl(options.proxyUrl);
	return error;
}
