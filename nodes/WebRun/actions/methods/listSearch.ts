import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { httpError, serverMessage } from '../../errors';
import type { ApiResponse } from '../../transport/client';
import { isTransportFailure, WebRunClient } from '../../transport/client';
import { header } from '../../transport/headers';

/** Listing environments answers at once; a slow server is not waited for long in the editor. */
const LIST_TIMEOUT_MS = 30_000;

const OPERATION = 'Environment list';

function str(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (typeof value === 'number') return String(value);
	return undefined;
}

/** The environments as list entries (name and status; the ID as value), filtered by `filter`. */
function listItems(list: unknown[], filter?: string): INodeListSearchItems[] {
	const needle = (filter ?? '').trim().toLowerCase();
	const results: INodeListSearchItems[] = [];
	for (const entry of list) {
		if (typeof entry !== 'object' || entry === null) continue;
		const environment = entry as IDataObject;
		const id = str(environment._id) ?? str(environment.id);
		if (!id) continue;
		const name = str(environment.name) ?? id;
		if (needle && !name.toLowerCase().includes(needle) && !id.toLowerCase().includes(needle))
			continue;
		const status = str(environment.status);
		const description = str(environment.description);
		results.push({
			name: status ? `${name} (${status})` : name,
			value: id,
			...(description ? { description } : {}),
		});
	}
	return results;
}

/** The error of an answer that is not a list: a redirect (not followed), 404, any HTTP error. */
function listError(
	client: WebRunClient,
	statusCode: number,
	headers: ApiResponse['headers'],
	body: unknown,
): NodeApiError | NodeOperationError {
	const node = client.node;
	if (statusCode >= 300 && statusCode < 400) {
		const location = header(headers, 'location');
		const message = `WebRun answered the environment list with a redirect (HTTP ${statusCode})`;
		return new NodeApiError(
			node,
			{ message },
			{
				message,
				description: client.redact(
					`The API key is sent only to the Base URL, so the redirect${
						location ? ` to ${location}` : ''
					} was not followed. Check the Base URL in the WebRun credential (https, host, path).`,
				),
				httpCode: String(statusCode),
			},
		);
	}
	if (statusCode === 404) {
		const message = 'This WebRun server has no environments API (HTTP 404)';
		return new NodeApiError(
			node,
			{ message },
			{
				message,
				description:
					'Environments are a WebRun feature (Enigma servers do not have them). ' +
					'Enter the ID with "By ID", or leave Environment empty.',
				httpCode: '404',
			},
		);
	}
	// errors.ts words the status and its advice as for the operations; the message names the
	// list. The key is removed from everything the error carries.
	const error = httpError({ node, operation: OPERATION, itemIndex: 0 }, statusCode, body);
	if (statusCode !== 401) {
		const text = serverMessage(body, (t) => client.redact(t));
		error.message = `WebRun could not list the environments (HTTP ${statusCode})${
			text ? `: ${text}` : ''
		}`;
	}
	error.description = `${error.description ?? ''} Or enter the environment ID with "By ID".`.trim();
	client.secrets.redactError(error);
	return error;
}

/**
 * The Environment list's "From List": GET /environments (docs/webrun-api-notes.md#environments),
 * through the same client (and transport) as the operations: the key only to the Base URL, no
 * redirect followed, server texts redacted before they are shortened.
 */
export async function searchEnvironments(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const node = this.getNode();
	let client: WebRunClient;
	try {
		client = await WebRunClient.create(this);
	} catch (error) {
		throw new NodeOperationError(node, (error as Error).message, {
			description:
				'Open the WebRun credential and check its Base URL, e.g. https://connect.webrun.ai.',
		});
	}
	const response = await client.request('GET', '/environments', { timeoutMs: LIST_TIMEOUT_MS });
	if (isTransportFailure(response)) {
		throw new NodeOperationError(
			node,
			`Could not reach WebRun at ${client.origin} to list the environments (${response.reason})`,
			{
				description:
					'Check the Base URL in the WebRun credential, or enter the environment ID with "By ID".',
			},
		);
	}

	const { statusCode, body } = response;
	if (statusCode < 200 || statusCode >= 300)
		throw listError(client, statusCode, response.headers, body);
	const list = (body as IDataObject | undefined)?.environments;
	if (!Array.isArray(list)) {
		throw new NodeOperationError(node, 'WebRun answered without a list of environments', {
			description:
				'The server at the Base URL may not be a WebRun API. ' +
				'Enter the environment ID with "By ID".',
		});
	}

	return { results: listItems(list as unknown[], filter) };
}
