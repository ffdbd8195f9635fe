/* eslint-disable @n8n/community-nodes/no-restricted-imports --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * n8n's binary data in the engine tests: the contents of an output binary property (whatever the
 * mode), input items carrying files, and switching n8n-core's BinaryDataService between its
 * default (memory) mode and filesystem mode, as N8N_DEFAULT_BINARY_DATA_MODE does in n8n.
 */
import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';
import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';

/** The bytes behind a binary property (base64 in memory mode, a file in filesystem mode). */
export async function binaryContent(binary: IBinaryData | undefined): Promise<Buffer> {
	if (!binary) throw new Error('no binary data');
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

/** An input item with files as memory-mode binary data, as a Read File node would give. */
export function itemWithFiles(
	files: Record<string, { content: Buffer | string; fileName?: string; mimeType?: string }>,
	json: INodeExecutionData['json'] = {},
): INodeExecutionData {
	const binary: Record<string, IBinaryData> = {};
	for (const [name, file] of Object.entries(files)) {
		const data =
			typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
		binary[name] = {
			data: data.toString('base64'),
			mimeType: file.mimeType ?? 'application/octet-stream',
			...(file.fileName ? { fileName: file.fileName } : {}),
		};
	}
	return { json, binary };
}

/**
 * Switches n8n's binary data to `filesystem` mode (files under the test's N8N_USER_FOLDER) or
 * back to the default in-memory mode. Returns the storage folder in filesystem mode.
 */
export async function setBinaryDataMode(mode: 'default' | 'filesystem'): Promise<string> {
	const config = Container.get(BinaryDataConfig);
	const service = Container.get(BinaryDataService);
	config.mode = mode;
	if (!config.availableModes.includes('filesystem')) config.availableModes.push('filesystem');
	await service.init();
	return config.localStoragePath;
}
