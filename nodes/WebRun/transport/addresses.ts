/**
 * Which hosts a download may read from: a pure rule over the link, the address the connection
 * reached (when known) and the credential's Base URL, so it is tested without any traffic.
 *
 * - Link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254,
 *   100.100.100.200, metadata.google.internal) are refused always: they hand out cloud
 *   credentials to whoever asks from the machine.
 * - Loopback, private and unspecified addresses (127/8, 10/8, 172.16/12, 192.168/16, 100.64/10,
 *   0/8, ::, ::1, fc00::/7, localhost) are refused unless the Base URL itself is such an address
 *   (local development, a self-hosted WebRun, the simulator).
 * IPv4-mapped, IPv4-compatible and NAT64 IPv6 forms are judged by the IPv4 address inside.
 */

export type AddressClass = 'metadata' | 'local' | 'public';

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

/** Host names of metadata services (the IP forms are caught by their ranges). */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

function parseIPv4(text: string): number[] | undefined {
	const parts = text.split('.');
	if (parts.length !== 4) return undefined;
	const bytes = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : Number.NaN));
	return bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255) ? bytes : undefined;
}

/** The eight 16-bit groups of an IPv6 address (brackets and a zone id allowed), or undefined. */
function parseIPv6(text: string): number[] | undefined {
	let body = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
	if (!body.includes(':')) return undefined;
	// A dotted IPv4 tail (::ffff:1.2.3.4) becomes two groups.
	const tail = /:(\d+\.\d+\.\d+\.\d+)$/.exec(body);
	if (tail) {
		const v4 = parseIPv4(tail[1]);
		if (!v4) return undefined;
		body =
			body.slice(0, tail.index + 1) +
			`${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
	}
	const halves = body.split('::');
	if (halves.length > 2) return undefined;
	const groups = (half: string) => (half === '' ? [] : half.split(':'));
	const head = groups(halves[0]);
	const rest = halves.length === 2 ? groups(halves[1]) : [];
	const missing = 8 - head.length - rest.length;
	if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
	const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest];
	const words = all.map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : Number.NaN));
	return words.length === 8 && words.every((w) => !Number.isNaN(w)) ? words : undefined;
}

function classifyIPv4([a, b, c, d]: number[]): AddressClass {
	if (a === 169 && b === 254) return 'metadata';
	if (a === 100 && b === 100 && c === 100 && d === 200) return 'metadata'; // Alibaba Cloud
	if (a === 127 || a === 10 || a === 0) return 'local';
	if (a === 172 && b >= 16 && b <= 31) return 'local';
	if (a === 192 && b === 168) return 'local';
	if (a === 100 && b >= 64 && b <= 127) return 'local'; // carrier-grade NAT
	return 'public';
}

function classifyIPv6(w: number[]): AddressClass {
	const v4 = [w[6] >> 8, w[6] & 0xff, w[7] >> 8, w[7] & 0xff];
	const zeroPrefix = w.slice(0, 5).every((x) => x === 0);
	// ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64).
	if (zeroPrefix && (w[5] === 0xffff || (w[5] === 0 && (w[6] !== 0 || w[7] > 1)))) {
		return classifyIPv4(v4);
	}
	if (w[0] === 0x64 && w[1] === 0xff9b && w.slice(2, 6).every((x) => x === 0)) {
		return classifyIPv4(v4);
	}
	if (zeroPrefix && w[5] === 0 && w[6] === 0 && w[7] <= 1) return 'local'; // :: and ::1
	if ((w[0] & 0xffc0) === 0xfe80) return 'metadata'; // link-local
	// AWS's IPv6 metadata endpoint fd00:ec2::254 (inside fc00::/7, refused always).
	if (w[0] === 0xfd00 && w[1] === 0xec2 && w.slice(2, 7).every((x) => x === 0) && w[7] === 0x254) {
		return 'metadata';
	}
	if ((w[0] & 0xfe00) === 0xfc00) return 'local'; // unique local
	return 'public';
}

/** The class of an IP address text (v4, v6, bracketed), or undefined when it is not an IP. */
export function classifyIp(address: string): AddressClass | undefined {
	const v4 = parseIPv4(address);
	if (v4) return classifyIPv4(v4);
	const v6 = parseIPv6(address);
	return v6 ? classifyIPv6(v6) : undefined;
}

/** The class of a URL's host as written (WHATWG URL already turns 0xA9FEA9FE etc. into dots). */
export function classifyHost(hostname: string): AddressClass {
	const host = hostname.toLowerCase().replace(/\.$/, '');
	const ip = classifyIp(host);
	if (ip) return ip;
	if (METADATA_NAMES.has(host)) return 'metadata';
	if (host === 'localhost' || host.endsWith('.localhost')) return 'local';
	return 'public';
}

/** True when the credential's Base URL is itself a loopback/private address. */
export function isLocalBaseUrl(baseUrl: string): boolean {
	try {
		return classifyHost(new URL(baseUrl).hostname) === 'local';
	} catch {
		return false;
	}
}

/**
 * May a download read from `url`? `resolvedAddress` is the address the connection reached (the
 * socket's remote address), when known; without it the host as written is judged.
 */
export function checkDownloadAddress(
	url: string,
	resolvedAddress: string | undefined,
	baseUrl: string,
): AddressVerdict {
	let hostname: string;
	try {
		hostname = new URL(url).hostname;
	} catch {
		return { allowed: false, reason: 'the download link is not a valid URL' };
	}
	const classes = [classifyHost(hostname)];
	if (resolvedAddress) classes.push(classifyIp(resolvedAddress) ?? 'public');
	if (classes.includes('metadata')) {
		return {
			allowed: false,
			reason: 'the download link points at a link-local or cloud metadata address',
		};
	}
	if (classes.includes('local') && !isLocalBaseUrl(baseUrl)) {
		return {
			allowed: false,
			reason:
				'the download link points at a loopback or private network address ' +
				'(allowed only when the Base URL is one too)',
		};
	}
	return { allowed: true };
}
