/**
 * The download address rules (transport/addresses.ts) as a pure function over the link, the
 * address the connection reached and the Base URL: no traffic at all. Plus the file-name
 * cleaning of downloaded files (task/files.ts).
 */
import { cleanFileName } from '../../../nodes/WebRun/task/files';
import {
	checkDownloadAddress,
	classifyHost,
	classifyIp,
	isLocalBaseUrl,
} from '../../../nodes/WebRun/transport/addresses';

const CLOUD = 'https://connect.webrun.ai';
const LOCAL = 'http://127.0.0.1:8080';

describe('checkDownloadAddress', () => {
	test.each([
		'http://169.254.169.254/latest/meta-data/',
		'http://169.254.0.1/',
		'http://2852039166/', // 169.254.169.254 as one number
		'http://0xA9FEA9FE/',
		'http://[::ffff:169.254.169.254]/',
		'http://[::ffff:a9fe:a9fe]/',
		'http://[64:ff9b::a9fe:a9fe]/',
		'http://[fe80::1]/',
		'http://[febf:ffff::1]/',
		'http://[fd00:ec2::254]/',
		'http://100.100.100.200/',
		'http://metadata.google.internal/computeMetadata/v1/',
		'http://METADATA.google.internal./',
	])('%s is refused always, also with a local Base URL', (url) => {
		for (const base of [CLOUD, LOCAL]) {
			const verdict = checkDownloadAddress(url, undefined, base);
			expect(verdict).toEqual({ allowed: false, reason: expect.stringMatching(/metadata/) });
		}
	});

	test.each([
		'http://127.0.0.1:9000/f.pdf',
		'http://127.5.6.7/',
		'http://localhost:9000/',
		'http://files.localhost/',
		'http://[::1]/',
		'http://[::]/',
		'http://0.0.0.0/',
		'http://0/',
		'http://10.1.2.3/',
		'http://172.16.0.1/',
		'http://172.31.255.255/',
		'http://192.168.1.1/',
		'http://100.64.0.1/',
		'http://100.127.255.255/',
		'http://[fc00::1]/',
		'http://[fdff::1]/',
		'http://[::ffff:127.0.0.1]/',
		'http://[::ffff:10.0.0.1]/',
	])('%s: refused when the Base URL is not loopback/private, allowed when it is', (url) => {
		expect(checkDownloadAddress(url, undefined, CLOUD)).toEqual({
			allowed: false,
			reason: expect.stringMatching(/loopback or private/),
		});
		expect(checkDownloadAddress(url, undefined, LOCAL)).toEqual({ allowed: true });
		expect(checkDownloadAddress(url, undefined, 'http://192.168.0.10')).toEqual({ allowed: true });
	});

	test.each([
		'https://blobs.webrun.ai/files/a.pdf',
		'http://93.184.215.14/',
		'http://172.32.0.1/',
		'http://100.128.0.1/',
		'http://169.255.0.1/',
		'http://[2001:db8::1]/',
		'http://[fe00::1]/',
	])('%s is allowed with a public Base URL', (url) => {
		expect(checkDownloadAddress(url, undefined, CLOUD)).toEqual({ allowed: true });
	});

	test('the address the connection reached counts too: a public name on a private address', () => {
		const url = 'https://files.attacker.example/x';
		expect(checkDownloadAddress(url, '93.184.215.14', CLOUD)).toEqual({ allowed: true });
		expect(checkDownloadAddress(url, '169.254.169.254', CLOUD).allowed).toBe(false);
		expect(checkDownloadAddress(url, '::ffff:169.254.169.254', LOCAL).allowed).toBe(false);
		expect(checkDownloadAddress(url, '127.0.0.1', CLOUD).allowed).toBe(false);
		expect(checkDownloadAddress(url, '::1', CLOUD).allowed).toBe(false);
		expect(checkDownloadAddress(url, '127.0.0.1', LOCAL).allowed).toBe(true);
	});

	test('a link that is not a URL is refused', () => {
		expect(checkDownloadAddress('no url', undefined, CLOUD).allowed).toBe(false);
	});
});

describe('address classes', () => {
	test('IP texts', () => {
		expect(classifyIp('169.254.169.254')).toBe('metadata');
		expect(classifyIp('::ffff:127.0.0.1')).toBe('local');
		expect(classifyIp('fe80::1%eth0')).toBe('metadata');
		expect(classifyIp('8.8.8.8')).toBe('public');
		expect(classifyIp('::')).toBe('local');
		expect(classifyIp('1.2.3')).toBeUndefined();
		expect(classifyIp('1:2:3')).toBeUndefined();
		expect(classifyIp('example.com')).toBeUndefined();
	});

	test('host names', () => {
		expect(classifyHost('metadata.google.internal')).toBe('metadata');
		expect(classifyHost('LOCALHOST')).toBe('local');
		expect(classifyHost('connect.webrun.ai')).toBe('public');
	});

	test('which Base URLs are local', () => {
		expect(isLocalBaseUrl(LOCAL)).toBe(true);
		expect(isLocalBaseUrl('http://localhost:3000')).toBe(true);
		expect(isLocalBaseUrl('http://[::1]:3000')).toBe(true);
		expect(isLocalBaseUrl('http://10.0.0.2')).toBe(true);
		expect(isLocalBaseUrl(CLOUD)).toBe(false);
		expect(isLocalBaseUrl('not a url')).toBe(false);
	});
});

describe('cleanFileName', () => {
	test('control characters (NUL, CR, LF, DEL, C1) are removed', () => {
		expect(cleanFileName('in\u0000voice\r\n.pdf', 0)).toBe('invoice.pdf');
		expect(cleanFileName('a\u007f\u0085b.txt', 0)).toBe('ab.txt');
	});

	test('bidi controls are removed, so the extension shown is the real one', () => {
		const spoof = 'invoice\u202Efdp.exe';
		expect(cleanFileName(spoof, 0)).toBe('invoicefdp.exe');
		const all = '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C';
		expect(cleanFileName(`r${all}eport.csv`, 0)).toBe('report.csv');
	});

	test('at most 255 UTF-8 bytes, the extension kept, never a broken character', () => {
		const long = cleanFileName(`${'a'.repeat(5000)}.pdf`, 0);
		expect(Buffer.byteLength(long)).toBe(255);
		expect(long.endsWith('.pdf')).toBe(true);
		const wide = cleanFileName(`${'ä'.repeat(300)}😀.xlsx`, 0);
		expect(Buffer.byteLength(wide)).toBeLessThanOrEqual(255);
		expect(wide.endsWith('.xlsx')).toBe(true);
		expect(wide).not.toContain('\uFFFD');
		expect(Buffer.from(wide).toString('utf8')).toBe(wide);
		const emoji = cleanFileName('😀'.repeat(100), 0);
		expect(Buffer.byteLength(emoji)).toBe(252);
		expect([...emoji].every((c) => c === '😀')).toBe(true);
	});

	test('only the last path segment; nothing left gives file_N', () => {
		expect(cleanFileName('../../etc/passwd', 3)).toBe('passwd');
		expect(cleanFileName('..', 3)).toBe('file_3');
		expect(cleanFileName('\u0000\u202E\r\n', 4)).toBe('file_4');
		expect(cleanFileName('', 5)).toBe('file_5');
		expect(cleanFileName('report.pdf', 0)).toBe('report.pdf');
	});
});
