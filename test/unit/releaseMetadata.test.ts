/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	@n8n/community-nodes/no-restricted-imports --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * The release guard (`npm run prerelease` / `prepublishOnly` → scripts/check-release-metadata.js)
 * refuses placeholder author / repository metadata, and lets real-looking metadata through.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { checkReleaseMetadata } from '../../scripts/check-release-metadata';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'check-release-metadata.js');
const repoPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Metadata as a real maintainer would set it. */
const real = {
	...repoPackage,
	author: { name: 'Jane Doe', email: 'jane@janedoe.io' },
	repository: { type: 'git', url: 'https://github.com/janedoe/n8n-nodes-webrun.git' },
	homepage: 'https://github.com/janedoe/n8n-nodes-webrun#readme',
};

/** Runs the real CLI on a package.json; returns its exit code and output. */
function runCli(pkg: object, env: NodeJS.ProcessEnv = {}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webrun-release-'));
	const file = path.join(dir, 'package.json');
	fs.writeFileSync(file, JSON.stringify(pkg));
	try {
		// eslint-disable-next-line @n8n/community-nodes/no-dangerous-functions -- tests the CLI
		const out = execFileSync(process.execPath, [SCRIPT, file], {
			encoding: 'utf8',
			stdio: 'pipe',
			env: { PATH: process.env.PATH, ...env },
		});
		return { code: 0, out };
	} catch (error) {
		const e = error as { status: number; stdout: string; stderr: string };
		return { code: e.status, out: e.stdout + e.stderr };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

describe('release metadata check', () => {
	test('refuses the placeholder values this repository was created with', () => {
		// The values in package.json until the maintainer sets real ones (RELEASING.md).
		const r = runCli({
			...repoPackage,
			author: { name: 'n8n-nodes-webrun contributors', email: 'maintainers@n8n-nodes-webrun.dev' },
			repository: { type: 'git', url: 'https://github.com/webrun-n8n/n8n-nodes-webrun.git' },
			homepage: 'https://github.com/webrun-n8n/n8n-nodes-webrun#readme',
		});
		expect(r.code).toBe(1);
		expect(r.out).toContain('Refusing to release n8n-nodes-webrun@');
		expect(r.out).toContain('author.name "n8n-nodes-webrun contributors" is a placeholder');
		expect(r.out).toContain('author.email "maintainers@n8n-nodes-webrun.dev" is a placeholder');
		expect(r.out).toContain('repository.url owner "webrun-n8n" is a placeholder');
	});

	test('lets real-looking metadata through', () => {
		expect(checkReleaseMetadata(real)).toEqual([]);
		const r = runCli(real);
		expect(r.code).toBe(0);
		expect(r.out).toContain('looks real');
	});

	test.each([
		['a team name', { author: { name: 'WebRun contributors', email: 'jane@janedoe.io' } }],
		['a template name', { author: { name: '<your name>', email: 'jane@janedoe.io' } }],
		['an empty author', { author: { name: '', email: '' } }],
		['no author at all', { author: undefined }],
		['a reserved e-mail domain', { author: { name: 'Jane Doe', email: 'jane@example.com' } }],
		['a .test e-mail domain', { author: { name: 'Jane Doe', email: 'jane@acme.test' } }],
		[
			'a domain named after the package',
			{ author: { name: 'Jane Doe', email: 'hi@n8n-nodes-webrun.io' } },
		],
		['no repository', { repository: undefined }],
		['a non-GitHub repository', { repository: { url: 'https://gitlab.com/jane/x.git' } }],
		[
			'a template owner',
			{ repository: { url: 'https://github.com/your-org/n8n-nodes-webrun.git' } },
		],
		['a homepage elsewhere', { homepage: 'https://webrun.ai' }],
	])('refuses %s', (_what, change) => {
		expect(checkReleaseMetadata({ ...real, ...change })).not.toEqual([]);
	});

	test('in GitHub Actions, repository.url must be the repository the workflow runs in', () => {
		const ci = { GITHUB_ACTIONS: 'true' };
		expect(
			checkReleaseMetadata(real, { ...ci, GITHUB_REPOSITORY: 'janedoe/n8n-nodes-webrun' }),
		).toEqual([]);
		expect(
			checkReleaseMetadata(real, { ...ci, GITHUB_REPOSITORY: 'someone/n8n-nodes-webrun' }),
		).toEqual([
			'repository.url names janedoe/n8n-nodes-webrun, but this workflow runs in ' +
				'someone/n8n-nodes-webrun',
		]);
	});
});
