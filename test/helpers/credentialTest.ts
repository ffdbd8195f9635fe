/**
 * Runs the credential's `test` request the way n8n's credential tester does: resolves the
 * request against the credential data, applies the credential's authentication, sends it.
 */
import axios from 'axios';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { WebRunApi } from '../../credentials/WebRunApi.credentials';
import { applyGenericAuth, resolveCredentialTemplate } from './engine';

export async function testCredential(data: ICredentialDataDecryptedObject) {
	const type = new WebRunApi();
	const request = type.test.request;
	const baseURL = resolveCredentialTemplate(String(request.baseURL), data).replace(/\/+$/, '');
	const authed = applyGenericAuth(type, data, {
		url: String(request.url),
		method: request.method ?? 'GET',
	});
	const response = await axios.request({
		baseURL,
		url: authed.url,
		method: authed.method,
		headers: authed.headers as Record<string, string>,
		validateStatus: () => true,
	});
	return { status: response.status, body: response.data };
}
