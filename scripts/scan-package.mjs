#!/usr/bin/env node
/*
 * npm run verify (second half): n8n's own verification scanner, run locally.
 *
 * `npx @n8n/scan-community-package <name>` only works on a package that is already on the registry
 * with a provenance statement: it lints the GitHub commit named in the provenance (the "source"
 * leg) and the published tarball (the "tarball" leg). This script runs the same two lint legs
 * before publishing, with the scanner's own exported code (`analyzePackage`, `buildScanConfig`,
 * `SOURCE_FILE_PATTERNS` from @n8n/scan-community-package/scanner/scanner.mjs), not a copy of its
 * rules:
 *   source  = `git archive` of HEAD (plus uncommitted changes to tracked files), like the
 *             GitHub tarball of the attested commit;
 *   tarball = `npm pack` of the built package, unpacked (run `npm run build` first).
 * The scanner's verdict fails only on errors; this script also fails on warnings, so that
 * nothing n8n would point out at review is left. Exit code 1 on any problem.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const scannerFile = require.resolve('@n8n/scan-community-package/scanner/scanner.mjs');
const scannerVersion = JSON.parse(
	readFileSync(resolve(dirname(scannerFile), '..', 'package.json'), 'utf8'),
).version;
// The scanner's own copies of ESLint, fast-glob and tmp (it pins its own versions).
const fromScanner = createRequire(scannerFile);
const { ESLint } = fromScanner('eslint');
const glob = fromScanner('fast-glob');
// Importing the scanner creates a temp dir (tmp.dirSync); let tmp remove it when we exit.
fromScanner('tmp').setGracefulCleanup();
const { analyzePackage, buildScanConfig, SOURCE_FILE_PATTERNS } = await import(
	pathToFileURL(scannerFile).href
);
// The tarball leg's file patterns: a literal inside the scanner's analyzePackageByName (not
// exported): compiled JS and the published package.json.
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];

const run = (cmd, args, options = {}) =>
	execFileSync(cmd, args, {
		cwd: ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
		...options,
	});

/** The scanner's verdict, plus error and warning counts from the same config and options. */
async function lintLeg(dir, patterns) {
	const verdict = await analyzePackage(dir, patterns);
	const files = glob.sync(patterns, {
		cwd: dir,
		absolute: true,
		ignore: ['node_modules/**', '**/package-lock.json'],
	});
	// The same ESLint options as analyzePackage: inline `eslint-disable` comments are ignored.
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: await buildScanConfig(),
	});
	const results = files.length ? await eslint.lintFiles(files) : [];
	const errors = results.reduce((n, r) => n + r.errorCount, 0);
	const warnings = results.reduce((n, r) => n + r.warningCount, 0);
	const details =
		errors || warnings ? await (await eslint.loadFormatter('stylish')).format(results) : '';
	return { verdict, files: files.length, errors, warnings, details };
}

function sourceSnapshot(work) {
	const dir = join(work, 'source');
	mkdirSync(dir);
	let tree;
	try {
		run('git', ['rev-parse', '--is-inside-work-tree']);
		// `git stash create` writes a commit of the working tree without touching refs or files;
		// it prints nothing when there are no changes.
		tree = run('git', ['stash', 'create']).trim() || 'HEAD';
	} catch {
		return { dir: ROOT, label: 'working tree (not a git checkout)' };
	}
	const tar = join(work, 'source.tar');
	run('git', ['archive', '--format=tar', '-o', tar, tree]);
	run('tar', ['-xf', tar, '-C', dir]);
	return {
		dir,
		label: tree === 'HEAD' ? 'git archive HEAD' : 'git archive HEAD + uncommitted changes',
	};
}

function tarballSnapshot(work) {
	const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
	for (const entry of [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])]) {
		if (!existsSync(join(ROOT, entry))) {
			throw new Error(`${entry} is missing: run \`npm run build\` first`);
		}
	}
	const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work]));
	const dir = join(work, 'package');
	mkdirSync(dir);
	run('tar', ['-xzf', join(work, packed[0].filename), '-C', dir, '--strip-components=1']);
	return { dir, label: `npm pack ${packed[0].filename}` };
}

const work = mkdtempSync(join(tmpdir(), 'webrun-scan-'));
let failed = false;
try {
	console.log(
		`n8n's scanner (@n8n/scan-community-package ${scannerVersion}: analyzePackage + buildScanConfig)`,
	);
	const legs = [
		['source', sourceSnapshot(work), SOURCE_FILE_PATTERNS],
		['tarball', tarballSnapshot(work), TARBALL_FILE_PATTERNS],
	];
	for (const [name, { dir, label }, patterns] of legs) {
		const leg = await lintLeg(dir, patterns);
		const ok = leg.verdict.passed && leg.files > 0 && !leg.errors && !leg.warnings;
		failed ||= !ok;
		console.log(
			`  ${ok ? 'PASS' : 'FAIL'}  ${name.padEnd(7)} ${leg.errors} errors, ${leg.warnings} warnings` +
				` in ${leg.files} files (${label}; ${patterns.join(', ')})`,
		);
		if (!leg.verdict.passed) console.log(`        scanner verdict: ${leg.verdict.message}`);
		if (leg.details) console.log(leg.details.replaceAll(dir + '/', ''));
	}
} catch (error) {
	failed = true;
	console.error(`scan failed: ${error.message}`);
} finally {
	rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
