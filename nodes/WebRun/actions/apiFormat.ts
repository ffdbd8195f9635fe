import type { IExecuteFunctions } from 'n8n-workflow';

import { inputError } from '../errors';
import type { ApiFormat, SessionSpec, TaskSpec } from '../transport/requests';
import { unsupportedIn } from '../transport/requests';

/**
 * The credential's API Format against the settings an item sends
 * (docs/webrun-api-notes.md#request-generations).
 */

const LABELS: Record<string, string> = {
	avoidDomains: 'Avoid Domains',
	outputType: 'Output Format',
	outputSchema: 'Output Format',
	files: 'Attach Files',
	secrets: 'Secrets',
	environmentId: 'Environment',
	policyId: 'Policy ID',
	proxy: 'Proxy',
	reachOutMode: 'Reach Out Mode',
};

const FORMAT_NAMES: Record<ApiFormat, string> = {
	auto: 'Auto',
	e: 'Enigma (Flat)',
	w1: 'WebRun v1',
	w2: 'WebRun v2',
};

/**
 * With a strict API Format, a setting that format has no field for would be dropped silently:
 * it is an error instead (raised for every item before any request is sent).
 */
export function checkApiFormat(
	ctx: IExecuteFunctions,
	itemIndex: number,
	format: ApiFormat,
	task: Partial<TaskSpec> | undefined,
	session: SessionSpec,
): void {
	const labels = [
		...new Set(unsupportedIn(format, task, session).map((key) => LABELS[key] ?? key)),
	];
	if (!labels.length) return;
	throw inputError(
		ctx.getNode(),
		itemIndex,
		`${labels.join(', ')} cannot be sent with the API Format "${FORMAT_NAMES[format]}"`,
		'That request format has no field for it, so WebRun would ignore it. ' +
			"Set the WebRun credential's API Format to Auto (or to the format of a server " +
			'that supports it), or remove the option.',
	);
}
