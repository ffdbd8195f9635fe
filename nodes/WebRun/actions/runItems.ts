import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { openAccount } from '../account/registry';
import { CancelledError } from '../sleep';
import { ItemContext } from '../task/context';
import { assertTotalCost } from '../task/cost';
import { CostGuard } from '../task/costGuard';
import type { ItemResult } from '../task/result';
import { WebRunClient } from '../transport/client';
import { checkApiFormat } from './apiFormat';
import { asNodeError, failItem } from './itemErrors';
import { controlSession } from './operations/controlSession.operation';
import { getTask } from './operations/getTask.operation';
import { runTask } from './operations/runTask.operation';
import { sendMessage } from './operations/sendMessage.operation';
import { startSession } from './operations/startSession.operation';
import { runPool } from './pool';
import type { Batch, PreparedItem } from './prepareItems';
import { OPERATION_LABELS } from './scope';

/** Runs one prepared item with its operation. */
async function runItem(item: ItemContext, prepared: PreparedItem): Promise<ItemResult> {
	switch (prepared.operation) {
		case 'runTask':
			return await runTask(item, prepared);
		case 'startSession':
			return await startSession(item, prepared);
		case 'sendMessage':
			return await sendMessage(item, prepared);
		case 'controlSession':
			return await controlSession(item, prepared);
		case 'getTask':
			return await getTask(item, prepared);
	}
}

async function openClient(ctx: IExecuteFunctions, itemIndex: number): Promise<WebRunClient> {
	try {
		return await WebRunClient.create(ctx);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error, {
			itemIndex,
			description: 'Open the WebRun credential and check its Base URL.',
		});
	}
}

/**
 * What needs the credential, for every item before any request: the values to redact besides
 * the key, and the check of the settings against the API Format.
 */
function checkItems(ctx: IExecuteFunctions, batch: Batch, client: WebRunClient, items: number[]) {
	for (const i of items) {
		const prepared = batch.prepared[i] as PreparedItem;
		client.addSecrets(prepared.secrets ?? []);
		if (!prepared.sends) continue;
		try {
			checkApiFormat(ctx, i, client.apiFormat, prepared.sends.task, prepared.sends.session);
		} catch (error) {
			failItem(ctx, batch.outcomes, i, error);
			batch.prepared[i] = undefined;
		}
	}
}

/**
 * Runs the prepared items with up to "Parallel Tasks" at once, each with its own context and
 * deadline, sharing the account and the run's cost figures. Returns the client (none when no item
 * was left to run), whose secrets the outputs are redacted with.
 */
export async function runItems(
	ctx: IExecuteFunctions,
	batch: Batch,
	concurrency: number,
): Promise<WebRunClient | undefined> {
	const runnable = batch.prepared.map((p, i) => (p ? i : -1)).filter((i) => i >= 0);
	if (!runnable.length) return undefined;
	const client = await openClient(ctx, runnable[0]);
	checkItems(ctx, batch, client, runnable);
	const { account, release } = openAccount(client.accountId);
	// The run's cost figures (Max Total Cost), shared by its items.
	const costs = new CostGuard();
	const label = OPERATION_LABELS[batch.operation];
	try {
		const ready = runnable.filter((i) => batch.prepared[i]);
		await runPool(ready, concurrency, async (i, stop) => {
			const prepared = batch.prepared[i] as PreparedItem;
			const item = new ItemContext(client, account, label, i, prepared.settings, costs);
			try {
				assertTotalCost(item);
				batch.outcomes[i] = { result: await runItem(item, prepared) };
			} catch (error) {
				batch.outcomes[i] = { error: asNodeError(ctx, error, i) };
				if (!ctx.continueOnFail() || error instanceof CancelledError) stop();
			}
		});
	} finally {
		release();
	}
	return client;
}
