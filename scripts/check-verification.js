#!/usr/bin/env node
/*
 * Checks the n8n community-node verification rules that ESLint cannot see (package layout,
 * license, README, and a plain-text scan of the shipped sources). Plain Node, no dependencies.
 *
 *   node scripts/check-verification.js        (npm run verify)
 *
 * Prints one line per check (PASS / FAIL / SKIP) and exits 1 if any check fails. The checks that
 * need the build output (the n8n.nodes / n8n.credentials files) are SKIPped when dist/ is absent:
 * run `npm run build` first to include them.
 */
'use strict';

const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const results = [];

function record(status, name, detail) {
	results.push({ status, name, detail });
}
function check(name, ok, detail) {
	record(ok ? 'PASS' : 'FAIL', name, detail);
}

function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
	} catch (error) {
		return { __error: error.message };
	}
}

function isPlainObject(value) {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/* ---------------------------------------------------------------- package.json */

const pkg = readJson('package.json');
if (pkg.__error) {
	check('package.json is readable', false, pkg.__error);
} else {
	const deps = pkg.dependencies;
	check(
		'no runtime dependencies',
		deps === undefined || (isPlainObject(deps) && Object.keys(deps).length === 0),
		deps && Object.keys(deps).length ? `dependencies: ${Object.keys(deps).join(', ')}` : undefined,
	);

	const peers = pkg.peerDependencies;
	check(
		'peerDependencies is exactly { "n8n-workflow": "*" }',
		isPlainObject(peers) && Object.keys(peers).length === 1 && peers['n8n-workflow'] === '*',
		`found ${JSON.stringify(peers)}`,
	);

	check('license is MIT', pkg.license === 'MIT', `license: ${JSON.stringify(pkg.license)}`);

	const licenseFile = ['LICENSE', 'LICENSE.md', 'LICENSE.txt'].find((f) =>
		fs.existsSync(path.join(ROOT, f)),
	);
	check(
		'LICENSE file exists and is the MIT license',
		!!licenseFile &&
			/MIT License|Permission is hereby granted, free of charge/i.test(
				fs.readFileSync(path.join(ROOT, licenseFile), 'utf8'),
			),
		licenseFile ? licenseFile : 'no LICENSE file',
	);

	check(
		'keywords include "n8n-community-node-package"',
		Array.isArray(pkg.keywords) && pkg.keywords.includes('n8n-community-node-package'),
	);

	check(
		'name starts with "n8n-nodes-" (or "@scope/n8n-nodes-")',
		typeof pkg.name === 'string' && /^(@[a-z0-9-~][a-z0-9-._~]*\/)?n8n-nodes-/.test(pkg.name),
		`name: ${JSON.stringify(pkg.name)}`,
	);

	check(
		'files is ["dist"]',
		Array.isArray(pkg.files) && pkg.files.length === 1 && pkg.files[0] === 'dist',
		`files: ${JSON.stringify(pkg.files)}`,
	);

	const n8n = isPlainObject(pkg.n8n) ? pkg.n8n : {};
	check(
		'n8n.n8nNodesApiVersion is 1',
		n8n.n8nNodesApiVersion === 1,
		`found ${JSON.stringify(n8n.n8nNodesApiVersion)}`,
	);

	const built = fs.existsSync(path.join(ROOT, 'dist'));
	for (const field of ['nodes', 'credentials']) {
		const list = n8n[field];
		const valid = Array.isArray(list) && (field === 'credentials' || list.length > 0);
		check(
			`n8n.${field} is a list${field === 'nodes' ? ' with at least one entry' : ''}`,
			valid,
			`found ${JSON.stringify(list)}`,
		);
		if (!Array.isArray(list)) continue;
		for (const entry of list) {
			const normalized = typeof entry === 'string' ? path.posix.normalize(entry) : '';
			check(
				`n8n.${field}: ${entry} points into dist/ and is a .js file`,
				normalized.startsWith('dist/') && normalized.endsWith('.js'),
			);
			if (built) {
				check(`n8n.${field}: ${entry} exists`, fs.existsSync(path.join(ROOT, normalized)));
			} else {
				record(
					'SKIP',
					`n8n.${field}: ${entry} exists`,
					'dist/ not built; run `npm run build` first',
				);
			}
		}
	}
}

/* ---------------------------------------------------------------- README */

const readmeName = ['README.md', 'readme.md', 'Readme.md'].find((f) =>
	fs.existsSync(path.join(ROOT, f)),
);
check('README.md exists', !!readmeName);
if (readmeName) {
	const headings = fs
		.readFileSync(path.join(ROOT, readmeName), 'utf8')
		.split(/\r?\n/)
		.filter((line) => /^#{1,6}\s/.test(line))
		.map((line) => line.replace(/^#+\s*/, '').trim());
	const sections = [
		['installation', /install/i],
		['credentials', /credential|authenticat/i],
		['operations', /operation/i],
		['changelog', /change ?log|version history|release notes|changes/i],
	];
	for (const [name, pattern] of sections) {
		const found = headings.find((h) => pattern.test(h));
		check(
			`README has a section for ${name}`,
			!!found,
			found ? `"${found}"` : `no heading matching ${pattern}`,
		);
	}
}

/* ---------------------------------------------------------------- shipped sources */

// Globals and modules a verified node must not use: timers (use n8n-workflow's sleep), process /
// environment variables, the file system, and global scope. Matched outside comments.
const FORBIDDEN = [
	['setTimeout', /(?<![\w$.])setTimeout\b/],
	['setInterval', /(?<![\w$.])setInterval\b/],
	['setImmediate', /(?<![\w$.])setImmediate\b/],
	['process.', /(?<![\w$.])process\.[A-Za-z_$]/],
	["require('fs')", /\brequire\(\s*['"](node:)?fs(\/[\w/]*)?['"]/],
	["from 'fs'", /\bfrom\s+['"](node:)?fs(\/[\w/]*)?['"]/],
	["import('fs')", /\bimport\(\s*['"](node:)?fs(\/[\w/]*)?['"]/],
	['globalThis', /(?<![\w$.])globalThis\b/],
	['__dirname', /(?<![\w$.])__dirname\b/],
];

/**
 * Blanks out comments (keeping line breaks, so line numbers stay right) and leaves everything
 * else. Understands strings, template literals (with nested ${...}) and regular-expression
 * literals well enough not to mistake a `//` inside them for a comment.
 */
function stripComments(src) {
	let out = '';
	let i = 0;
	const n = src.length;
	// The last significant character outside comments, to tell a regex literal from a division.
	let prev = '';
	const templateDepth = []; // brace depth at which each open template's ${ started
	let braces = 0;
	const blank = (text) => text.replace(/[^\n]/g, ' ');

	while (i < n) {
		const c = src[i];
		const d = src[i + 1];
		if (c === '/' && d === '/') {
			let j = src.indexOf('\n', i);
			if (j === -1) j = n;
			out += blank(src.slice(i, j));
			i = j;
			continue;
		}
		if (c === '/' && d === '*') {
			let j = src.indexOf('*/', i + 2);
			j = j === -1 ? n : j + 2;
			out += blank(src.slice(i, j));
			i = j;
			continue;
		}
		if (c === "'" || c === '"') {
			let j = i + 1;
			while (j < n && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
			out += src.slice(i, j + 1);
			i = j + 1;
			prev = c;
			continue;
		}
		if (
			c === '`' ||
			(c === '}' && templateDepth.length && templateDepth[templateDepth.length - 1] === braces)
		) {
			// Template literal text, from ` or from the } that closes a ${ ... }.
			if (c === '}') templateDepth.pop();
			let j = i + 1;
			while (j < n && src[j] !== '`' && !(src[j] === '$' && src[j + 1] === '{'))
				j += src[j] === '\\' ? 2 : 1;
			if (src[j] === '$') {
				templateDepth.push(braces);
				out += src.slice(i, j + 2);
				i = j + 2;
				prev = '{';
			} else {
				out += src.slice(i, j + 1);
				i = j + 1;
				prev = '`';
			}
			continue;
		}
		if (
			c === '/' &&
			(prev === '' ||
				/[(,=:[!&|?{};+\-*%<>~^]/.test(prev) ||
				/\b(return|typeof|case|in|of|void|throw)$/.test(out.slice(-12).trimEnd()))
		) {
			// Regular-expression literal.
			let j = i + 1;
			let inClass = false;
			while (j < n && src[j] !== '\n') {
				if (src[j] === '\\') {
					j += 2;
					continue;
				}
				if (src[j] === '[') inClass = true;
				else if (src[j] === ']') inClass = false;
				else if (src[j] === '/' && !inClass) break;
				j++;
			}
			out += src.slice(i, j + 1);
			i = j + 1;
			prev = '/';
			continue;
		}
		if (c === '{') braces++;
		if (c === '}') braces--;
		if (!/\s/.test(c)) prev = c;
		out += c;
		i++;
	}
	return out;
}

function listFiles(dir) {
	const abs = path.join(ROOT, dir);
	if (!fs.existsSync(abs)) return [];
	const found = [];
	for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
		const rel = path.join(dir, entry.name);
		if (entry.isDirectory()) found.push(...listFiles(rel));
		else if (/\.(ts|js|mjs|cjs)$/.test(entry.name) && !/\.d\.ts$/.test(entry.name)) found.push(rel);
	}
	return found;
}

const sources = [...listFiles('nodes'), ...listFiles('credentials')];
check('nodes/ and credentials/ contain sources', sources.length > 0, `${sources.length} files`);
const hits = [];
for (const file of sources) {
	const lines = stripComments(fs.readFileSync(path.join(ROOT, file), 'utf8')).split('\n');
	lines.forEach((line, index) => {
		for (const [name, pattern] of FORBIDDEN) {
			if (pattern.test(line)) hits.push(`${file}:${index + 1} uses ${name}`);
		}
	});
}
check(
	'no timers, process, fs, globalThis or __dirname in nodes/ and credentials/',
	hits.length === 0,
	hits.length ? `\n        ${hits.join('\n        ')}` : `${sources.length} files scanned`,
);

/* ---------------------------------------------------------------- report */

for (const { status, name, detail } of results) {
	console.log(`${status}  ${name}${detail && status !== 'PASS' ? ` — ${detail}` : ''}`);
}
const failed = results.filter((r) => r.status === 'FAIL').length;
const skipped = results.filter((r) => r.status === 'SKIP').length;
// Deliberately not the "N passed, N failed" shape, so CI never mistakes this for a test-runner summary.
console.log(
	`\nVerification checks: PASS ${results.length - failed - skipped}, FAIL ${failed}, SKIP ${skipped}`,
);
process.exit(failed ? 1 : 0);
