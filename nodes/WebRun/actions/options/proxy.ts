import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { ProxySpec } from '../../transport/requests';
import type { AppliesTo } from '../scope';
import { showFor, SESSION_OPERATIONS } from '../scope';
import { HOST } from './domains';
import type { Fail } from './values';
import { text } from './values';

/**
 * Proxy, Proxy Country and Proxy URL: where the session's browser connects from. A proxy
 * password never appears in a message; the client redacts it like the API key.
 */

export const appliesTo: AppliesTo = { operations: SESSION_OPERATIONS };

export const proxyFields: INodeProperties[] = [
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
		displayOptions: showFor(appliesTo),
	},
	{
		displayName: 'Proxy Country',
		name: 'proxyCountry',
		type: 'string',
		default: 'US',
		placeholder: 'e.g. US',
		description:
			'Two-letter country code of the WebRun proxy (ISO 3166-1, e.g. US, GB, DE), or "random"',
		displayOptions: showFor(appliesTo, { proxy: ['webRun'] }),
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
		displayOptions: showFor(appliesTo, { proxy: ['custom'] }),
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

export function readProxy(options: IDataObject, fail: Fail): ProxySpec | undefined {
	const kind = options.proxy === undefined ? 'none' : text(options.proxy);
	if (kind === 'none' || kind === '') return undefined;
	if (kind === 'webRun')
		return { source: 'WebRun', country: readCountry(options.proxyCountry, fail) };
	if (kind === 'custom') return readProxyUrl(options.proxyUrl, fail);
	throw fail(`Proxy "${kind.slice(0, 30)}" is not known`, 'Choose None, WebRun or Custom URL.');
}

/** A proxy URL with its user info (user name and password) hidden, or all of it hidden. */
export function maskProxyUrl(value: string): string {
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
