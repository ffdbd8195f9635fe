/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	no-console --
	developer script (prints to the terminal): runs in Node, never shipped or loaded
	by n8n. See README.md, Development. */
/**
 * npm run demo — offline, no account needed.
 *
 * Starts the bundled WebRun simulator on 127.0.0.1, runs real n8n workflows containing the
 * WebRun node through n8n's execution engine (n8n-core WorkflowExecute), and prints what came out
 * of each branch: a task that completes, a task that hits a guardrail, the human's reply that
 * resumes the same task, a multi-task session, a task stopped at its cost cap, and a typed (JSON)
 * answer with the file the agent downloaded as n8n binary data.
 */
import '../test/helpers/env';

import type { INodeExecutionData } from 'n8n-workflow';

import { runWorkflow } from '../test/helpers/engine';
import { startSimulator } from '../test/simulator';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const green = (s: string) => (process.stdout.isTTY ? `\x1b[32m${s}\x1b[0m` : s);
const yellow = (s: string) => (process.stdout.isTTY ? `\x1b[33m${s}\x1b[0m` : s);
const red = (s: string) => (process.stdout.isTTY ? `\x1b[31m${s}\x1b[0m` : s);
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

function short(text: unknown, max = 90): string {
	const s = String(text ?? '').replace(/\s+/g, ' ');
	return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function show(label: string, items: INodeExecutionData[]) {
	for (const { json } of items) {
		const usage = json.usage as { cost?: number; totalTokens?: number } | undefined;
		const cost =
			usage?.cost !== undefined
				? dim(` (cost $${usage.cost}, ${usage.totalTokens ?? '?'} tokens)`)
				: '';
		if (json.status === 'guardrail') {
			const g = json.guardrail as { type?: string; value?: string };
			console.log(
				`   ${yellow('→ Guardrail')}  ${g.type}: "${short(g.value)}"  ${dim(`session ${json.sessionId}, task ${json.taskId}`)}`,
			);
		} else if (json.error) {
			console.log(`   ${red('→ Error')}  ${short(json.error, 140)}`);
		} else if (label === 'Control Session') {
			console.log(
				`   ${green('→ Done')}  ${json.action} → success: ${json.success} ${dim(String(json.message ?? ''))}`,
			);
		} else {
			const extra = json.liveViewUrl ? dim(`  live view: ${json.liveViewUrl}`) : '';
			console.log(`   ${green('→ Completed')}  "${short(json.message)}"${cost}${extra}`);
		}
	}
}

async function main() {
	const sim = await startSimulator({ generation: 'webrun', inlineWindowMs: 1500 });
	const baseUrl = sim.url;
	const t0 = Date.now();
	try {
		console.log(
			bold(`\nWebRun node demo — simulator on ${baseUrl} (offline, no account, no cost)\n`),
		);

		sim.script('keyboards', {
			durationMs: 800,
			message:
				'1. Logitech MX Keys S – $109.99\n2. Keychron K2 – $79.99\n3. Razer BlackWidow V4 – $139.99',
			usage: { prompt_tokens: 12450, completion_tokens: 3200, cost: 0.0124 },
		});
		sim.script('invoice', {
			durationMs: 3500,
			guardrails: [
				{
					atMs: 700,
					type: 'human_input_needed',
					value: 'I need login credentials for example-shop.com to proceed',
				},
			],
			message: 'Logged in and downloaded invoice INV-2041 ($58.20).',
			usage: { prompt_tokens: 9100, completion_tokens: 1400, cost: 0.0081 },
		});

		console.log(bold('1) Run Task — two input items, "Parallel Tasks" = 2'));
		const first = await runWorkflow({
			baseUrl,
			items: [
				{ task: 'Go to amazon.com and list the top 3 wireless keyboards with prices' },
				{ task: 'Log in to example-shop.com and download my last invoice' },
			],
			parameters: {
				operation: 'runTask',
				taskDetails: '={{ $json.task }}',
				options: { concurrency: 2, pollInterval: 1 },
			},
		});
		console.log(dim(`   Completed branch (${first.completed.length} item):`));
		show('Run Task', first.completed);
		console.log(
			dim(
				`   Guardrail branch (${first.guardrail.length} item) — wire it to Slack, email or a form:`,
			),
		);
		show('Run Task', first.guardrail);

		const waiting = first.guardrail[0]?.json;
		if (!waiting) throw new Error('the demo expected a guardrail item');
		console.log(
			bold('\n2) A human answers → Send Message (Guardrail Response) resumes the same task'),
		);
		const reply = await runWorkflow({
			baseUrl,
			items: [{ ...waiting, answer: 'Username: jane@example.com, Password: ********' }],
			parameters: {
				operation: 'sendMessage',
				messageType: 'guardrailResponse',
				sessionId: '={{ $json.sessionId }}',
				taskId: '={{ $json.taskId }}',
				guardrailResponse: '={{ $json.answer }}',
				options: { pollInterval: 1 },
			},
		});
		show('Send Message', reply.completed);
		show('Send Message', reply.guardrail);

		console.log(
			bold(
				'\n3) A session with two tasks: Start Session → Send Message ×2 → Control Session (terminate)',
			),
		);
		sim.script('first result', { durationMs: 600, message: 'Added "Keychron K2" to the cart.' });
		sim.script('total', {
			durationMs: 500,
			message: 'The cart holds 1 item; the total is $79.99.',
		});
		sim.script('Keychron', {
			durationMs: 700,
			message:
				'Found 24 results for "Keychron K2"; the first is "Keychron K2 Wireless Mechanical Keyboard" at $79.99.',
		});
		const session = await runWorkflow({
			baseUrl,
			parameters: {
				operation: 'startSession',
				taskDetails: 'Go to amazon.com and search for "Keychron K2"',
				options: { startingUrl: 'https://www.amazon.com', pollInterval: 1 },
			},
		});
		show('Start Session', session.completed);
		const sessionId = String(session.completed[0]?.json.sessionId);
		for (const task of ['Add the first result to the cart', 'Open the cart and read the total']) {
			const step = await runWorkflow({
				baseUrl,
				items: [{ sessionId }],
				parameters: {
					operation: 'sendMessage',
					messageType: 'newTask',
					sessionId: '={{ $json.sessionId }}',
					taskDetails: task,
					options: { pollInterval: 1 },
				},
			});
			show('Send Message', step.completed);
		}
		const end = await runWorkflow({
			baseUrl,
			items: [{ sessionId }],
			parameters: {
				operation: 'controlSession',
				sessionId: '={{ $json.sessionId }}',
				action: 'terminate',
			},
		});
		show('Control Session', end.completed);

		console.log(bold('\n4) Max Cost per Task $0.02: a task stuck on a cookie wall is stopped'));
		sim.script('cookie wall', { durationMs: 120_000, costPerSecond: 0.01 });
		const capped = await runWorkflow({
			baseUrl,
			parameters: {
				operation: 'runTask',
				taskDetails: 'Get past the cookie wall on example-news.com and read the headlines',
				options: { pollInterval: 1, maxCostUsd: 0.02 },
			},
			onError: 'continueRegularOutput',
		});
		show('Run Task', capped.completed);
		const stopped = capped.completed[0]?.json ?? {};
		const stop = sim.requests.filter((r) => r.body?.message?.actionType === 'state').pop();
		console.log(
			dim(
				`   ${stopped.code}: "${stop?.body?.message?.newState}" sent at the first poll above ` +
					`the cap; final usage.cost $${(stopped.usage as { cost?: number })?.cost}`,
			),
		);

		console.log(bold('\n5) Output Format JSON + Download Files: typed data and the file itself'));
		sim.script('price list', {
			durationMs: 600,
			downloads: [{ filename: 'prices.csv', content: 'name,price\nKeychron K2,89.99\n' }],
		});
		const typed = await runWorkflow({
			baseUrl,
			parameters: {
				operation: 'runTask',
				taskDetails: 'Compare the 2 best-rated keyboard models and download the price list',
				outputFormat: 'json',
				jsonSchemaType: 'fromExample',
				jsonExample: JSON.stringify({ products: [{ name: 'Keyboard', price: 79.99 }] }),
				options: { pollInterval: 1, downloadFiles: true },
			},
		});
		if (typed.error) throw typed.error;
		const result = typed.completed[0];
		const output = result?.json.output as { products?: unknown[] } | undefined;
		console.log(`   ${green('→ output.products[0]')}  ${JSON.stringify(output?.products?.[0])}`);
		const file = result?.binary?.file_0;
		console.log(
			`   ${green('→ binary file_0')}  ${file?.fileName} ` +
				`(${file?.mimeType}, ${file?.fileSize}) ` +
				dim('downloaded without the API key: the file host is another origin'),
		);

		console.log(bold('\nWhat the simulator saw'));
		const counts = new Map<string, number>();
		for (const r of sim.requests) counts.set(r.endpoint, (counts.get(r.endpoint) ?? 0) + 1);
		console.log(`   requests: ${[...counts].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
		console.log(
			`   tasks started: ${sim.tasksStarted} (one per task — the guardrail reply resumed a task, it did not start one)`,
		);
		const replies = sim.requests.filter((r) => r.body?.message?.actionType === 'guardrail');
		console.log(
			`   guardrail reply sent with newState "${replies[0]?.body?.message?.newState}" to task ${waiting.taskId}`,
		);
		console.log(dim(`\nDone in ${((Date.now() - t0) / 1000).toFixed(1)} s.\n`));
	} finally {
		await sim.close();
	}
}

main().then(
	() => {
		if (process.env.DEMO_DEBUG_HANDLES) {
			const handles = (
				process as unknown as { _getActiveHandles(): unknown[] }
			)._getActiveHandles();
			console.log(handles.map((h) => (h as object).constructor?.name));
		}
		// n8n-core leaves module-level handles open after an engine run; the demo is done.
		process.exit(0);
	},
	(error) => {
		console.error(red(`Demo failed: ${error?.message ?? error}`));
		process.exit(1);
	},
);
