#!/usr/bin/env node
/*
 * Part of `npm run lint`: validates every GitHub Actions workflow in .github/workflows/ against
 * the workflow schema, with the action-validator CLI (@action-validator/cli). Exits 1 if a file
 * is invalid or if ci.yml / publish.yml is missing.
 */
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const DIR = path.join(ROOT, '.github', 'workflows');
const REQUIRED = ['ci.yml', 'publish.yml'];
const cli = require.resolve('@action-validator/cli/cli.mjs');

const files = fs.existsSync(DIR)
	? fs
			.readdirSync(DIR)
			.filter((f) => /\.ya?ml$/.test(f))
			.sort()
	: [];
let failed = false;
for (const name of REQUIRED.filter((f) => !files.includes(f))) {
	console.error(`missing workflow: .github/workflows/${name}`);
	failed = true;
}
for (const name of files) {
	const file = path.join('.github', 'workflows', name);
	const r = spawnSync(process.execPath, [cli, file], { cwd: ROOT, encoding: 'utf8' });
	if (r.status === 0) {
		console.log(`action-validator: ${file} is valid`);
	} else {
		failed = true;
		console.error(`action-validator: ${file} is INVALID\n${r.stdout}${r.stderr}`);
	}
}
process.exit(failed ? 1 : 0);
