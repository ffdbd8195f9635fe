/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	@n8n/community-nodes/no-restricted-imports --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

// n8n-core keeps instance settings in a user folder: use a throwaway one, never the real ~/.n8n.
if (!process.env.N8N_USER_FOLDER?.includes('n8n-webrun-test-')) {
	process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-webrun-test-'));
}
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
process.env.N8N_ENCRYPTION_KEY ??= 'webrun-test-only-encryption-key';
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
