import type { IDataObject } from 'n8n-workflow';

import type { NormalizedTask } from '../../task/read';
import { normalizeSession } from '../../task/read';

/**
 * The guardrail item carries the session's `liveViewUrl` when WebRun sent one (design.md), so the
 * person who answers can watch or take over the browser. Run Task and Send Message answers carry
 * it only on some servers: the first of `bodies` that has one wins; none, and nothing is added.
 */
export function guardrailExtra(task: NormalizedTask, ...bodies: unknown[]): IDataObject {
	if (task.state !== 'guardrail') return {};
	for (const body of bodies) {
		const { liveViewUrl } = normalizeSession(body);
		if (liveViewUrl) return { liveViewUrl };
	}
	return {};
}
