import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

export class WebRunApi implements ICredentialType {
	name = 'webRunApi';

	displayName = 'WebRun API';

	icon: Icon = { light: 'file:../icons/webrun.svg', dark: 'file:../icons/webrun.dark.svg' };

	documentationUrl = 'https://docs.webrun.ai/api-reference/introduction';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'wr_xxxxxxxxxxxxxxxxxxxxxxxxxxxx',
			description:
				'Your WebRun API key, from app.webrun.ai → Settings → API Keys (Enigma keys start with enig_)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://connect.webrun.ai',
			required: true,
			placeholder: 'https://connect.webrun.ai',
			description:
				'Where the WebRun API lives. Enigma accounts use https://connect.enigma.click; any other URL works for a self-hosted or local endpoint. The API key is only ever sent to this address.',
		},
		{
			displayName: 'API Format',
			name: 'apiFormat',
			type: 'options',
			options: [
				{
					name: 'Auto',
					value: 'auto',
					description: 'One request that every WebRun API generation reads correctly',
				},
				{
					name: 'Enigma (Flat)',
					value: 'e',
					description: 'Only the flat fields of the Enigma API (taskDetails, startingUrl, …)',
				},
				{
					name: 'WebRun V1',
					value: 'w1',
					description: "Only the first WebRun API's fields (initialTask, startingPoint, …)",
				},
				{
					name: 'WebRun V2',
					value: 'w2',
					description: "Only the latest WebRun API's fields (task.prompt, message.prompt, …)",
				},
			],
			default: 'auto',
			description:
				"Which generation of the WebRun API request fields to send. Auto works with every generation (Enigma, WebRun v1 and v2): each request carries every generation's fields, which never collide. The others send only that generation's fields, for a strict server that refuses fields it does not know.",
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// GET /v1/models is authenticated, free and not rate limited: a 200 means the key works.
	// A redirect is not followed (n8n would send the Authorization header along, to any host):
	// n8n's tester then fails on the 3xx status, with the message of the matching rule.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v1/models',
			method: 'GET',
			disableFollowRedirect: true,
		},
		rules: [301, 302, 303, 307, 308].map((value) => ({
			type: 'responseCode' as const,
			properties: {
				value,
				message:
					`The server at the Base URL answered with a redirect (HTTP ${value}); the API key ` +
					'is only sent to the Base URL itself, so it was not followed. Check the Base URL ' +
					'(https, host name, no extra path).',
			},
		})),
	};
}
