import type { WaitSettings } from '../task/context';
import type { SessionSpec, TaskSpec } from '../transport/requests';

/** What every prepared item has: its parameters were read and validated, nothing was sent. */
export interface PreparedBase {
	settings: WaitSettings;
	/** Values to redact like the API key (Secrets, a proxy password). */
	secrets?: string[];
	/** The settings the item sends, checked against the credential's API Format (apiFormat.ts). */
	sends?: { task: Partial<TaskSpec> | undefined; session: SessionSpec };
}
