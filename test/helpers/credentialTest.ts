/**
 * Runs the credential's `test` request the way n8n's credential tester does
 * (packages/cli/src/services/credentials-tester.service.ts → RoutingNode → n8n-core's
 * httpRequestWithAuthentication): resolves the request against the credential data, applies the
 * credential's authentication, sends it with axios as n8n-core does — a redirect is followed
 * unless the request says `disableFollowRedirect`, and then, like n8n-core's `beforeRedirect`,
 * the Authorization header goes along to any host — and judges the answer as the tester does:
 * a non-2xx status fails with the first matching `responseCode` rule's message, else the status
 * text.
 */
import axios from 'axios';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { WebRunApi } from '../../credentials/WebRunApi.credentials';
import { applyGenericAuth, resolveCredentialTemplate } from './engine';

export interface CredentialTestOutcome {
	/** The HTTP status of the last answer. */
	status: number;
	body: unknown;
	/** What n8n's tester answers the editor. */
	result: { status: 'OK' | 'Error'; message: string };
}

export async function testCredential(
	data: ICredentialDataDecryptedObject,
): Promise<CredentialTestOutcome> {
	const type = new WebRunApi();
	const { request, rules } = type.test;
	const baseURL = resolveCredentialTemplate(String(request.baseURL), data).replace(/\/+$/, '');
	const authed = applyGenericAuth(type, data, {
		url: String(request.url),
		method: request.method ?? 'GET',
	});
	const headers = authed.headers as Record<string, string>;
	const response = await axios.request({
		baseURL,
		url: authed.url,
		method: authed.method,
		headers,
		validateStatus: () => true,
		...(request.disableFollowRedirect ? { maxRedirects: 0 } : {}),
		// n8n-core re-adds the Authorization header on every redirect (also cross-origin) unless
		// sendCredentialsOnCrossOriginRedirect is false.
		beforeRedirect: (options: Record<string, unknown>) => {
			const sent = (options.headers ?? {}) as Record<string, string>;
			if (headers.Authorization) sent.Authorization = headers.Authorization;
			options.headers = sent;
		},
	});
	const status = response.status;
	let result: CredentialTestOutcome['result'] = {
		status: 'OK',
		message: 'Connection successful!',
	};
	if (status < 200 || status > 299) {
		const rule = rules?.find(
			(r) => r.type === 'responseCode' && (r.properties as { value: number }).value === status,
		);
		result = {
			status: 'Error',
			message: rule
				? (rule.properties as { message: string }).message
				: response.statusText || `Received HTTP status code: ${status}`,
		};
	}
	return { status, body: response.data, result };
}
