/* eslint-disable @n8n/community-nodes/no-restricted-globals --
	test tooling (the loopback API simulator): runs in Node,
	never shipped or loaded by n8n. See README.md, Development. */
/**
 * Standalone simulator.
 *
 *   ts-node --transpile-only test/simulator/cli.ts --port 0 --generation webrun
 *
 * Prints one JSON line {"url":"http://127.0.0.1:PORT"} to stdout and runs until SIGTERM / SIGINT.
 * Options: --port N, --generation webrun|enigma, --inline-window-ms N, --inline-guardrail inline|pending,
 *          --rate-limit N|off, --rate-window-ms N, --session-limit N, --busy-session reject|queue,
 *          --unknown-session-status 401|404, --request-generation any|E|W1|W2,
 *          --options '<JSON SimulatorOptions>' (merged last).
 */
import { startSimulator } from './server';
import type { SimulatorOptions } from './types';

function parseArgs(argv: string[]): SimulatorOptions {
	const o: SimulatorOptions = {};
	let rateLimit: number | 'off' | undefined;
	let rateWindow: number | undefined;
	let extra: SimulatorOptions = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const eq = arg.indexOf('=');
		const name = eq > 0 ? arg.slice(0, eq) : arg;
		const value = () => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
		switch (name) {
			case '--port':
				o.port = Number(value());
				break;
			case '--generation': {
				const g = value();
				if (g !== 'webrun' && g !== 'enigma')
					throw new Error(`--generation must be webrun or enigma, got ${g}`);
				o.generation = g;
				break;
			}
			case '--inline-window-ms':
				o.inlineWindowMs = Number(value());
				break;
			case '--inline-guardrail':
				o.inlineGuardrail = value() === 'inline' ? 'inline' : 'pending';
				break;
			case '--rate-limit': {
				const v = value();
				rateLimit = v === 'off' || v === 'false' ? 'off' : Number(v);
				break;
			}
			case '--rate-window-ms':
				rateWindow = Number(value());
				break;
			case '--session-limit':
				o.sessionLimit = Number(value());
				break;
			case '--busy-session':
				o.busySession = value() === 'queue' ? 'queue' : 'reject';
				break;
			case '--unknown-session-status':
				o.unknownSessionStatus = Number(value()) === 401 ? 401 : 404;
				break;
			case '--request-generation': {
				const g = value();
				if (g !== 'any' && g !== 'E' && g !== 'W1' && g !== 'W2') {
					throw new Error(`--request-generation must be any, E, W1 or W2, got ${g}`);
				}
				o.requestGeneration = g;
				break;
			}
			case '--options':
				extra = JSON.parse(value());
				break;
			default:
				throw new Error(`unknown argument ${arg}`);
		}
	}
	if (rateLimit === 'off') o.rateLimit = false;
	else if (rateLimit !== undefined || rateWindow !== undefined) {
		o.rateLimit = { limit: rateLimit ?? 10, windowMs: rateWindow ?? 60000 };
	}
	return { ...o, ...extra };
}

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const sim = await startSimulator(options);
	process.stdout.write(JSON.stringify({ url: sim.url, filesUrl: sim.filesUrl }) + '\n');
	let stopping = false;
	const stop = () => {
		if (stopping) return;
		stopping = true;
		sim.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

main().catch((err) => {
	process.stderr.write(`simulator: ${String(err?.message ?? err)}\n`);
	process.exit(1);
});
