#!/usr/bin/env node
/*
 * The published files, from `npm pack --dry-run`: README.md, LICENSE, package.json and dist/ with
 * exactly the node, the credential, the icons and the codex file. No tests, scripts, source maps,
 * declarations or screenshots (which `n8n-node build` would copy in: see README.md, Development).
 *   node scripts/check-package-contents.js     (after `npm run build`; .ci/run and CI call it)
 */
'use strict';

const { execFileSync } = require('child_process');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const ALLOWED = [
	/^README\.md$/,
	/^LICENSE$/,
	/^package\.json$/,
	/^dist\/nodes\/WebRun\/.+\.js$/,
	/^dist\/nodes\/WebRun\/WebRun\.node\.json$/,
	/^dist\/credentials\/[^/]+\.credentials\.js$/,
	/^dist\/icons\/[^/]+\.svg$/,
];
const REQUIRED = [
	'dist/nodes/WebRun/WebRun.node.js',
	'dist/nodes/WebRun/WebRun.node.json',
	'dist/credentials/WebRunApi.credentials.js',
	'dist/icons/webrun.svg',
	'dist/icons/webrun.dark.svg',
];

const packed = JSON.parse(
	execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	}),
);
const files = packed[0].files.map((f) => f.path).sort();
const unexpected = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
const missing = REQUIRED.filter((f) => !files.includes(f));
const count = (re) => files.filter((f) => re.test(f)).length;
console.log(
	`${files.length} files in ${packed[0].filename}: ${count(/^dist\/.*\.js$/)} .js, ` +
		`${count(/^dist\/.*\.json$/)} codex, ${count(/^dist\/icons\//)} icons, README.md, LICENSE, ` +
		'package.json',
);
if (unexpected.length) console.error(`unexpected files in the package: ${unexpected.join(', ')}`);
if (missing.length) console.error(`missing from the package (build first?): ${missing.join(', ')}`);
process.exit(unexpected.length || missing.length ? 1 : 0);
