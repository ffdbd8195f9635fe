// The workflow and credential of the queue-mode e2e (test/e2e/queue.sh).
//
//   node queue-workflow.mjs <outDir> <credentialId> <simulatorUrl> <apiKey> <webhookPath>
//
// Writes <outDir>/creds.json and <outDir>/wf/e2eQueueWebhook1.json:
//   Webhook (POST /webhook/<path>, Respond: When Last Node Finishes, all entries)
//   → Split Out body.items (one item per task)
//   → WebRun Run Task (Parallel Tasks 4, Poll Interval 1 s); the task text names the n8n process
//     that ran it ($env.E2E_WORKER, set per worker), so the simulator's log tells which worker
//     started which task
//   → Result (Set: executionId, worker) → answered to the webhook caller.
// The workflow is imported with active: true (import:workflow --activeState=fromJson, queue mode).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [outDir, credId, simUrl, apiKey, path] = process.argv.slice(2);
if (!path) {
	console.error(
		'usage: queue-workflow.mjs <outDir> <credentialId> <simulatorUrl> <apiKey> <webhookPath>',
	);
	process.exit(2);
}
mkdirSync(join(outDir, 'wf'), { recursive: true });

writeFileSync(
	join(outDir, 'creds.json'),
	JSON.stringify([
		{
			id: credId,
			name: 'WebRun (simulator)',
			type: 'webRunApi',
			data: { apiKey, baseUrl: simUrl },
		},
	]),
);

const link = (to) => [{ node: to, type: 'main', index: 0 }];
const workflow = {
	id: 'e2eQueueWebhook1',
	name: 'e2e: queue mode, many executions, one account',
	active: true,
	settings: { executionOrder: 'v1' },
	pinData: {},
	nodes: [
		{
			parameters: {
				httpMethod: 'POST',
				path,
				responseMode: 'lastNode',
				responseData: 'allEntries',
				options: {},
			},
			id: '00000000-0000-4000-8000-00000000a001',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '00000000-0000-4000-8000-0000000e2e01',
		},
		{
			parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
			id: '00000000-0000-4000-8000-00000000a002',
			name: 'One item per task',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [220, 0],
		},
		{
			parameters: {
				operation: 'runTask',
				taskDetails: '={{ $json.task }} on {{ $env.E2E_WORKER }} {{ $json.sim }}',
				options: { concurrency: 4, pollInterval: 1 },
			},
			id: '00000000-0000-4000-8000-00000000a003',
			name: 'WebRun',
			type: 'n8n-nodes-webrun.webRun',
			typeVersion: 1,
			position: [440, 0],
			credentials: { webRunApi: { id: credId, name: 'WebRun (simulator)' } },
		},
		{
			parameters: {
				mode: 'manual',
				assignments: {
					assignments: [
						{ id: 'e2e-a1', name: 'executionId', value: '={{ $execution.id }}', type: 'string' },
						{ id: 'e2e-a2', name: 'worker', value: '={{ $env.E2E_WORKER }}', type: 'string' },
					],
				},
				includeOtherFields: true,
				options: {},
			},
			id: '00000000-0000-4000-8000-00000000a004',
			name: 'Result',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [660, -100],
		},
	],
	connections: {
		Webhook: { main: [link('One item per task')] },
		'One item per task': { main: [link('WebRun')] },
		WebRun: { main: [link('Result'), []] },
	},
};
writeFileSync(join(outDir, 'wf', `${workflow.id}.json`), JSON.stringify(workflow, null, 2));
