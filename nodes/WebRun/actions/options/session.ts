import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { ID_PATTERN } from '../../constants';
import type { SessionSpec } from '../../transport/requests';
import type { AppliesTo, ItemScope } from '../scope';
import { applies, showFor, SESSION_OPERATIONS } from '../scope';
import { readProxy } from './proxy';
import type { Fail } from './values';
import { text } from './values';

/**
 * The browser session's settings (docs/webrun-api-notes.md#sessions): the Environment parameter
 * and the options Mode, Policy ID and Reach Out Mode, with the proxy (proxy.ts). Every check runs
 * before any request.
 */

export const appliesTo: AppliesTo = { operations: SESSION_OPERATIONS };

/**
 * The editor's check of a typed ID: ID_PATTERN, with the spaces the reader trims allowed around.
 */
const ID_REGEX_WITH_SPACES = `^\\s*${ID_PATTERN.source.slice(1, -1)}\\s*$`;

/** The top-level "Environment" parameter: a saved Chrome profile (logins, cookies). */
export const environmentProperty: INodeProperties = {
	displayName: 'Environment',
	name: 'environmentId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	description:
		'Optional browser environment: a saved Chrome profile (logins, cookies, local storage) the session starts with, so the agent is already signed in. Create environments in WebRun.',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select an environment...',
			typeOptions: { searchListMethod: 'searchEnvironments', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 683a1f2e4b0c1d2e3f4a5b6c',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: ID_REGEX_WITH_SPACES,
						errorMessage: 'Not a valid WebRun environment ID',
					},
				},
			],
		},
	],
	displayOptions: showFor(appliesTo, {}, 'operation'),
};

export const modeField: INodeProperties = {
	displayName: 'Mode',
	name: 'mode',
	type: 'options',
	options: [{ name: 'Default', value: 'default' }],
	default: 'default',
	description: 'Session mode. WebRun supports only "Default" today.',
	displayOptions: showFor(appliesTo),
};

export const policyIdField: INodeProperties = {
	displayName: 'Policy ID',
	name: 'policyId',
	type: 'string',
	default: '',
	placeholder: 'e.g. pol_xyz789',
	description:
		'Automation policy to apply (allowed sites and actions, which steps need a human). Policies are made in the WebRun dashboard.',
	displayOptions: showFor(appliesTo),
};

export const reachOutModeField: INodeProperties = {
	displayName: 'Reach Out Mode',
	name: 'reachOutMode',
	type: 'options',
	options: [
		{ name: 'Off', value: 'off', description: 'No chat messages from WebRun' },
		{
			name: 'Guardrail Only',
			value: 'guardrail_only',
			description: 'WebRun chat asks a human when the agent needs one (login, 2FA, CAPTCHA)',
		},
		{
			name: 'Full',
			value: 'full',
			description: 'Guardrails, plus the result delivered to chat when no one is listening',
		},
	],
	default: 'guardrail_only',
	description:
		"Whether WebRun also reaches out through its own chat. Not sent unless added (WebRun's default then applies: Guardrail Only).",
	displayOptions: showFor(appliesTo),
};

const REACH_OUT_MODES = ['off', 'guardrail_only', 'full'];

function readEnvironment(
	ctx: IExecuteFunctions,
	itemIndex: number,
	fail: Fail,
): string | undefined {
	const raw = ctx.getNodeParameter('environmentId', itemIndex, '', {
		extractValue: true,
	}) as unknown;
	const id = text(typeof raw === 'object' && raw !== null ? (raw as IDataObject).value : raw);
	if (!id) return undefined;
	if (!ID_PATTERN.test(id)) {
		throw fail(
			`Environment is not a valid WebRun environment ID: "${id.slice(0, 60)}"`,
			'Pick the environment from the list, or paste its ID ' +
				'(letters and digits, e.g. 683a1f2e4b0c1d2e3f4a5b6c).',
		);
	}
	return id;
}

/**
 * Reads the session settings of one item: the Environment parameter, Mode, Policy ID, the proxy
 * and Reach Out Mode, each checked with a clear error (which never quotes a secret).
 */
export function readSessionOptions(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
	at: ItemScope,
	fail: Fail,
): SessionSpec {
	const session: SessionSpec = {};
	if (!applies(appliesTo, at)) return session;
	if (options.mode !== undefined) session.mode = String(options.mode || 'default');
	const environmentId = readEnvironment(ctx, itemIndex, fail);
	if (environmentId) session.environmentId = environmentId;
	const policyId = text(options.policyId);
	if (policyId) {
		if (!ID_PATTERN.test(policyId)) {
			throw fail(
				`Policy ID is not a valid WebRun ID: "${policyId.slice(0, 60)}"`,
				'Copy it from the WebRun dashboard, e.g. pol_xyz789.',
			);
		}
		session.policyId = policyId;
	}
	const proxy = readProxy(options, fail);
	if (proxy) session.proxy = proxy;
	if (options.reachOutMode !== undefined) {
		const mode = text(options.reachOutMode);
		if (!REACH_OUT_MODES.includes(mode)) {
			throw fail(
				`Reach Out Mode "${mode.slice(0, 30)}" is not known`,
				'Choose Off, Guardrail Only or Full.',
			);
		}
		session.reachOutMode = mode as SessionSpec['reachOutMode'];
	}
	return session;
}
