/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	@n8n/community-nodes/no-restricted-imports --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * Jest setup file (jest.config.js setupFiles): no test may send a packet to anything but loopback,
 * not even a failing test on old code that tries to fetch http://169.254.169.254/. Every TCP/TLS
 * connection (http, https, axios, n8n's helpers all end in net.Socket.prototype.connect) to a host
 * that is not a loopback address or `localhost` fails before any DNS lookup or connect, with the
 * error code E_TEST_NOT_LOOPBACK, and is recorded in `nonLoopbackAttempts()`.
 */
import * as net from 'net';

const ATTEMPTS_KEY = Symbol.for('webrun.test.nonLoopbackAttempts');
// Kept on the real net.Socket.prototype: core modules are shared by every test file of a Jest
// worker, while each file has its own globalThis.
type Registry = { [ATTEMPTS_KEY]?: string[] };

/** Hosts a test tried to reach that are not loopback (they were never contacted). */
export function nonLoopbackAttempts(): string[] {
	const registry = net.Socket.prototype as unknown as Registry;
	registry[ATTEMPTS_KEY] ??= [];
	return registry[ATTEMPTS_KEY];
}

export function isLoopbackHost(host: string | undefined): boolean {
	if (host === undefined || host === '' || host === 'localhost') return true;
	const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
	if (bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
	const v4 = bare.replace(/^::ffff:/, '');
	return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** The host of the arguments net.Socket.prototype.connect accepts; undefined for an IPC path. */
function hostOf(args: unknown[]): { host?: string; ipc: boolean } {
	const first = args[0];
	if (Array.isArray(first)) return hostOf(first as unknown[]); // internal normalized form
	if (typeof first === 'object' && first !== null) {
		const options = first as { host?: string; path?: string };
		if (options.path) return { ipc: true };
		return { host: options.host, ipc: false };
	}
	if (typeof first === 'string' && !/^\d+$/.test(first)) return { ipc: true }; // a pipe path
	return { host: typeof args[1] === 'string' ? args[1] : undefined, ipc: false };
}

const PATCHED = Symbol.for('webrun.test.loopbackOnly');
const proto = net.Socket.prototype as net.Socket & { [PATCHED]?: boolean };
if (!proto[PATCHED]) {
	proto[PATCHED] = true;
	const original = proto.connect;
	proto.connect = function (this: net.Socket, ...args: unknown[]) {
		const { host, ipc } = hostOf(args);
		if (!ipc && !isLoopbackHost(host)) {
			nonLoopbackAttempts().push(String(host));
			const error = Object.assign(
				new Error(`test network rule: refused to connect to non-loopback host ${host}`),
				{ code: 'E_TEST_NOT_LOOPBACK' },
			);
			// Fails like a refused connection would, asynchronously; nothing was looked up or sent.
			process.nextTick(() => this.destroy(error));
			return this;
		}
		return (original as (...a: unknown[]) => net.Socket).apply(this, args);
	} as typeof proto.connect;
}
