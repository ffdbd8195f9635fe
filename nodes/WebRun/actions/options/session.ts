import type { IDataObject, IExecuteFunctions, INode, INodeProperties } from 'n8n-workflow';

import { ID_PATTERN } from '../../constants';
import { inputError } from '../../errors';
import type {
	ApiFormat,
	ProxySpec,
	SecretSpec,
	SessionSpec,
	TaskSpec,
} from '../../transport/requests';
import { unsupportedIn } from '../../transport/requests';
import { HOST, parseDomain } from './domains';

/**
 * The browser environment and the rest of the session settings (design.md, "Browser environments
 * and the rest of the task settings"): the Environment parameter, the options Policy ID, Proxy,
 * Reach Out Mode and Secrets, their reader and their checks. Every check runs before any request.
 * Secret values and a proxy password never appear in a message: the client redacts them too.
 */

const SESSION_OPERATIONS = ['runTask', 'startSession'];
const TASK_OPERATIONS = ['runTask', 'startSession', 'sendMessage'];

const sessionOnly = { show: { '/operation': SESSION_OPERATIONS } };

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
						regex: '^\\s*[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\\s*$',
						errorMessage: 'Not a valid WebRun environment ID',
					},
				},
			],
		},
	],
	displayOptions: { show: { operation: SESSION_OPERATIONS } },
};

/** The options of this file, spread into the one "Options" collection. */
export const sessionOptions: INodeProperties[] = [
	{
		displayName: 'Policy ID',
		name: 'policyId',
		type: 'string',
		default: '',
		placeholder: 'e.g. pol_xyz789',
		description:
			'Automation policy to apply (allowed sites and actions, which steps need a human). Policies are made in the WebRun dashboard.',
		displayOptions: sessionOnly,
	},
	{
		displayName: 'Proxy',
		name: 'proxy',
		type: 'options',
		options: [
			{ name: 'None', value: 'none', description: 'The browser connects directly' },
			{
				name: 'WebRun',
				value: 'webRun',
				description: "WebRun's residential proxy in a country of your choice (billed by WebRun)",
			},
			{ name: 'Custom URL', value: 'custom', description: 'Your own HTTP or SOCKS proxy' },
		],
		default: 'none',
		description: 'Where the browser connects to the web from. Applies to the whole session.',
		displayOptions: sessionOnly,
	},
	{
		displayName: 'Proxy Country',
		name: 'proxyCountry',
		type: 'string',
		default: 'US',
		placeholder: 'e.g. US',
		description:
			'Two-letter country code of the WebRun proxy (ISO 3166-1, e.g. US, GB, DE), or "random"',
		displayOptions: { show: { '/operation': SESSION_OPERATIONS, proxy: ['webRun'] } },
	},
	{
		displayName: 'Proxy URL',
		name: 'proxyUrl',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		placeholder: 'http://user:pass@proxy.example.com:8080',
		description:
			'Your proxy as a URL: http://host:port or socks5://host:port, with user:pass@ before the host when it needs a login',
		displayOptions: { show: { '/operation': SESSION_OPERATIONS, proxy: ['custom'] } },
	},
	{
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
		displayOptions: sessionOnly,
	},
	{
		displayName: 'Secrets',
		name: 'secrets',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Secret',
		default: {},
		description:
			'Logins the agent may type into matching sites without asking. Values go to WebRun only (kept in session memory) and never appear in output, errors or logs.',
		displayOptions: {
			show: { '/operation': TASK_OPERATIONS },
			hide: { '/messageType': ['guardrailResponse'] },
		},
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
	},
];

/** ISO 3166-1 alpha-2 (officially assigned codes). */
const COUNTRIES = new Set(
	(
		'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO ' +
		'BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ ' +
		'DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP ' +
		'GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG ' +
		'KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML ' +
		'MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE ' +
		'PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL ' +
		'SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM ' +
		'US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
	).split(' '),
);

const REACH_OUT_MODES = ['off', 'guardrail_only', 'full'];
const PROXY_TYPES: Record<string, 'http' | 'socks'> = {
	'http:': 'http',
	'socks:': 'socks',
	'socks4:': 'socks',
	'socks4a:': 'socks',
	'socks5:': 'socks',
	'socks5h:': 'socks',
};
/** The standard ports (HTTP: RFC 9110; SOCKS: RFC 1928) when the URL names none. */
const DEFAULT_PORTS = { http: '80', socks: '1080' };

type Fail = (message: string, description?: string) => Error;

function text(value: unknown): string {
	return value === undefined || value === null ? '' : String(value).trim();
}

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

function readCountry(value: unknown, fail: Fail): string {
	if (value === undefined) {
		throw fail(
			'Proxy is WebRun, but no Proxy Country is set',
			'Add the option Proxy Country: a two-letter code such as US, GB or DE, or "random".',
		);
	}
	const code = text(value);
	if (code.toLowerCase() === 'random') return 'random';
	const upper = code.toUpperCase();
	if (COUNTRIES.has(upper)) return upper;
	const hint = upper === 'UK' ? ' For the United Kingdom, use GB.' : '';
	throw fail(
		code
			? `Proxy Country is not a two-letter country code: "${code.slice(0, 20)}"`
			: 'Proxy Country is empty',
		`Use an ISO 3166-1 code such as US, GB, DE or FR, or "random".${hint}`,
	);
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * A proxy URL's user info and the rest. WHATWG URL ends the user info at the first `/`, `?` or
 * `#`, so a password holding one (`http://bob:2024/Summer!@proxy:8080`) would be read as a host
 * `bob` and a path: the user info is everything up to the last `@` before the host instead.
 */
export function splitProxyUrl(raw: string): { hostUrl: string; userinfo?: string } {
	const scheme = SCHEME.exec(raw);
	if (!scheme) return { hostUrl: raw };
	const rest = raw.slice(scheme[0].length);
	const at = rest.lastIndexOf('@');
	const host = rest.slice(at + 1);
	// A path after the host keeps the URL as it is (and is refused as a path).
	if (at < 0 || !/^[^/?#]*\/?$/.test(host)) return { hostUrl: raw };
	return { hostUrl: scheme[0] + host, userinfo: rest.slice(0, at) };
}

/** http://user:pass@host:port or socks5://host:port → the documented custom proxy object. */
function readProxyUrl(value: unknown, fail: Fail): ProxySpec {
	const raw = text(value);
	// The URL may hold a password: no message quotes it.
	const help =
		'Use http://host:port or socks5://host:port, with user:pass@ before the host if needed.';
	if (value === undefined) {
		throw fail('Proxy is Custom URL, but no Proxy URL is set', `Add the option Proxy URL. ${help}`);
	}
	if (!raw) throw fail('Proxy URL is empty', help);
	const { hostUrl, userinfo } = splitProxyUrl(raw);
	let url: URL;
	try {
		url = new URL(hostUrl);
	} catch {
		throw fail('Proxy URL is not a valid URL', help);
	}
	const type = PROXY_TYPES[url.protocol];
	if (!type) {
		throw fail(`Proxy URL must start with http:// or socks5:// (got ${url.protocol}//)`, help);
	}
	const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
	if (!host || !(HOST.test(host) || /^[0-9a-f:.]+$/i.test(host))) {
		throw fail('Proxy URL has no valid host name', help);
	}
	if ((url.pathname && url.pathname !== '/') || url.search || url.hash) {
		throw fail('Proxy URL must not have a path, query or fragment', help);
	}
	const proxy: ProxySpec = { source: 'custom', type, host, port: url.port || DEFAULT_PORTS[type] };
	const info = userinfo ?? (url.username ? `${url.username}:${url.password}` : '');
	const colon = info.indexOf(':');
	const username = colon < 0 ? info : info.slice(0, colon);
	const password = colon < 0 ? '' : info.slice(colon + 1);
	try {
		if (username) proxy.username = decodeURIComponent(username);
		if (password) proxy.password = decodeURIComponent(password);
	} catch {
		throw fail(
			'Proxy URL has a badly encoded user name or password',
			'Encode special characters, e.g. % as %25.',
		);
	}
	return proxy;
}

function readProxy(options: IDataObject, fail: Fail): ProxySpec | undefined {
	const kind = options.proxy === undefined ? 'none' : text(options.proxy);
	if (kind === 'none' || kind === '') return undefined;
	if (kind === 'webRun')
		return { source: 'WebRun', country: readCountry(options.proxyCountry, fail) };
	if (kind === 'custom') return readProxyUrl(options.proxyUrl, fail);
	throw fail(`Proxy "${kind.slice(0, 30)}" is not known`, 'Choose None, WebRun or Custom URL.');
}

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
 * Reads the Environment parameter and this file's options for one item into `task` and `session`,
 * throwing a clear error (which never quotes a secret) before any request is sent.
 */
export function readSessionOptions(
	ctx: IExecuteFunctions,
	itemIndex: number,
	operation: string,
	options: IDataObject,
	task: Partial<TaskSpec>,
	session: SessionSpec,
): void {
	const fail: Fail = (message, description) =>
		inputError(ctx.getNode(), itemIndex, message, description);
	if (SESSION_OPERATIONS.includes(operation)) {
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
	}
	if (!TASK_OPERATIONS.includes(operation)) return;
	if (
		operation === 'sendMessage' &&
		ctx.getNodeParameter('messageType', itemIndex, 'newTask') !== 'newTask'
	)
		return;
	const secrets = readSecrets(options, fail);
	if (!secrets) return;
	if (operation === 'startSession' && !text(ctx.getNodeParameter('taskDetails', itemIndex, ''))) {
		throw fail(
			'Secrets need a task: Start Session has no First Task',
			'Secrets belong to a task. Add a First Task, or set the secrets on ' +
				'Send Message → New Task.',
		);
	}
	task.secrets = secrets;
}

/** The values to redact like the API key: every secret value and the proxy password. */
export function secretValues(task: Partial<TaskSpec>, session: SessionSpec = {}): string[] {
	const values: string[] = [];
	for (const secret of task.secrets ?? []) values.push(...Object.values(secret.fields));
	if (session.proxy?.source === 'custom' && session.proxy.password)
		values.push(session.proxy.password);
	return values;
}

const LABELS: Record<string, string> = {
	avoidDomains: 'Avoid Domains',
	outputType: 'Output Format',
	outputSchema: 'Output Format',
	files: 'Attach Files',
	secrets: 'Secrets',
	environmentId: 'Environment',
	policyId: 'Policy ID',
	proxy: 'Proxy',
	reachOutMode: 'Reach Out Mode',
};

const FORMAT_NAMES: Record<ApiFormat, string> = {
	auto: 'Auto',
	e: 'Enigma (Flat)',
	w1: 'WebRun v1',
	w2: 'WebRun v2',
};

/**
 * With a strict API Format, a setting that format has no field for would be dropped silently:
 * it is an error instead (raised for every item before any request is sent).
 */
export function checkApiFormat(
	ctx: IExecuteFunctions,
	itemIndex: number,
	format: ApiFormat,
	task: Partial<TaskSpec> | undefined,
	session: SessionSpec,
): void {
	const labels = [
		...new Set(unsupportedIn(format, task, session).map((key) => LABELS[key] ?? key)),
	];
	if (!labels.length) return;
	throw inputError(
		ctx.getNode(),
		itemIndex,
		`${labels.join(', ')} cannot be sent with the API Format "${FORMAT_NAMES[format]}"`,
		'That request format has no field for it, so WebRun would ignore it. ' +
			"Set the WebRun credential's API Format to Auto (or to the format of a server " +
			'that supports it), or remove the option.',
	);
}

/**
 * Whether a parameter's text, as n8n keeps it in the node, may hold the secret itself: literal
 * text, or an expression with fixed text (`=Hunter2!` yields `Hunter2!`). Only an expression that
 * is nothing but `{{ … }}` is shown (it names where the value comes from; the value it yields is
 * redacted like any secret).
 */
const holdsSecretText = (value: unknown): value is string =>
	typeof value === 'string' && value !== '' && !/^=\s*\{\{[\s\S]*\}\}\s*$/.test(value);

/** A proxy URL with its user info (user name and password) hidden, or all of it hidden. */
function maskProxyUrl(value: string): string {
	const expression = value.startsWith('=') ? '=' : '';
	const body = value.slice(expression.length).trim();
	const scheme = SCHEME.exec(body);
	let masked: string;
	if (body.includes('@')) {
		const rest = scheme ? body.slice(scheme[0].length) : '';
		masked = scheme ? `${scheme[0]}***@${rest.slice(rest.lastIndexOf('@') + 1)}` : '***';
	} else {
		// A URL that does not parse may still hold a password somewhere: all of it is hidden.
		masked = URL.canParse(body) ? body : '***';
	}
	return expression + masked;
}

/**
 * An n8n error carries the node, parameters included: the Secrets values and a proxy URL's
 * password written into the node (as text or as an expression's fixed text) are masked in the
 * error's copy. The router also redacts that copy with every secret value (secrets.ts).
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
