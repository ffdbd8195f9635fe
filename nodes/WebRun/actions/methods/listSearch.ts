import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_TYPE, DEFAULT_BASE_URL } from '../../constants';
import { serverMessage } from '../../errors';

/** Listing environments answers at once; a slow server is not waited for long in the editor. */
const LIST_TIMEOUT_MS = 30_000;

function str(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (typeof value === 'number') return String(value);
	return undefined;
}

/** The Environment list's "From List": GET /environments (webrun-api.md §2.9). */
export async function searchEnvironments(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const node = this.getNode();
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const key = typeof credentials.apiKey === 'string' ? credentials.apiKey : '';
	// Nothing that leaves here may carry the key, even when the server echoes it.
	const redact = (text: string) => (key.length >= 4 ? text.split(key).join('***') : text);

	const raw = String(credentials.baseUrl || DEFAULT_BASE_URL).trim();
	const url = URL.canParse(raw) ? new URL(raw) : undefined;
	if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
		throw new NodeOperationError(node, 'The Base URL in the WebRun credential is not a valid URL', {
			description:
				'Open the WebRun credential and check its Base URL, e.g. https://connect.webrun.ai.',
		});
	}
	const baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;

	let response: { statusCode: number; body: unknown };
	try {
		response = (await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL_TYPE, {
			method: 'GET',
			url: `${baseUrl}/environments`,
			json: true,
			timeout: LIST_TIMEOUT_MS,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			headers: { Accept: 'application/json' },
		})) as { statusCode: number; body: unknown };
	} catch (error) {
		const code =
			(error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
		throw new NodeOperationError(
			node,
			`Could not reach WebRun at ${url.origin} to list the environments`,
			{
				description: redact(
					`${code ? `Network error ${code}. ` : ''}Check the Base URL in the WebRun ` +
						'credential, or enter the environment ID with "By ID".',
				),
			},
		);
	}

	const { statusCode, body } = response;
	if (statusCode < 200 || statusCode >= 300) {
		const text = serverMessage(body);
		const quoted = text ? `: ${redact(text)}` : '';
		let message = `WebRun could not list the environments (HTTP ${statusCode})${quoted}`;
		let description = 'Try again in a moment, or enter the environment ID with "By ID".';
		if (statusCode === 401) {
			message = `WebRun rejected the API key (HTTP 401)${quoted}`;
			description =
				'Check the API key in the WebRun credential: it may be mistyped, revoked or expired.';
		} else if (statusCode === 403) {
			description =
				'The account may be deactivated, or the key may lack the permission to read environments.';
		} else if (statusCode === 404) {
			message = 'This WebRun server has no environments API (HTTP 404)';
			description =
				'Environments are a WebRun feature (Enigma servers do not have them). ' +
				'Enter the ID with "By ID", or leave Environment empty.';
		} else if (statusCode === 429) {
			description = 'WebRun is rate limiting this account. Try again in a minute.';
		}
		throw new NodeApiError(node, { message, httpCode: String(statusCode) } as JsonObject, {
			message,
			description,
			httpCode: String(statusCode),
		});
	}

	const list = (body as IDataObject | undefined)?.environments;
	if (!Array.isArray(list)) {
		throw new NodeOperationError(node, 'WebRun answered without a list of environments', {
			description:
				'The server at the Base URL may not be a WebRun API. ' +
				'Enter the environment ID with "By ID".',
		});
	}

	const needle = (filter ?? '').trim().toLowerCase();
	const results: INodeListSearchItems[] = [];
	for (const entry of list as unknown[]) {
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
	return { results };
}
