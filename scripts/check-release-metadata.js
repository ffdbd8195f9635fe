#!/usr/bin/env node
/*
 * `npm run prerelease` (runs before every `npm run release`) and `prepublishOnly`: refuses to
 * publish while package.json still carries placeholder author / repository metadata.
 *
 * n8n verifies that the registry package's repository is a public GitHub repository that matches
 * the provenance statement, and that the author is the registry maintainer; npm itself rejects a
 * provenance publish whose repository.url differs from the repository the workflow runs in. The
 * repository was created with made-up values (see PLACEHOLDERS and RELEASING.md), kept until the
 * real owner sets theirs, so this check is what stops a release with them.
 *
 *   node scripts/check-release-metadata.js [path/to/package.json]
 *
 * Exit code 0 = ready, 1 = placeholder or inconsistent metadata (one line per problem).
 */
'use strict';

const fs = require('fs');
const path = require('path');

/** The values this repository was created with: not a real person, address or GitHub owner. */
const PLACEHOLDERS = {
	authorNames: ['n8n-nodes-webrun contributors'],
	authorEmails: ['maintainers@n8n-nodes-webrun.dev'],
	repositoryOwners: ['webrun-n8n'],
};

// Words that mark a template or team placeholder rather than a registry maintainer.
const PLACEHOLDER_WORDS = /\b(contributors?|maintainers?|your|todo|tbd|changeme|example)\b|[<>{}]/i;
// Domains reserved for documentation and tests (RFC 2606 / RFC 6761).
const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;
const GITHUB_REPO =
	/^(?:git\+)?https:\/\/github\.com\/([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?$/;

function repositoryUrl(pkg) {
	const repo = pkg.repository;
	return typeof repo === 'string' ? repo : repo && typeof repo === 'object' ? repo.url : undefined;
}

/**
 * Problems that block a release, as sentences; [] when the metadata looks real.
 * env: process.env or a stand-in (GITHUB_ACTIONS / GITHUB_REPOSITORY are read in CI).
 */
function checkReleaseMetadata(pkg, env = {}) {
	const problems = [];
	const author = typeof pkg.author === 'string' ? { name: pkg.author } : pkg.author || {};
	const name = typeof author.name === 'string' ? author.name.trim() : '';
	const email = typeof author.email === 'string' ? author.email.trim() : '';

	if (!name) problems.push('author.name is missing');
	else if (PLACEHOLDERS.authorNames.includes(name) || PLACEHOLDER_WORDS.test(name))
		problems.push(`author.name "${name}" is a placeholder: use the npm maintainer's name`);

	if (!email) problems.push('author.email is missing');
	else {
		const domain = email.includes('@') ? email.slice(email.lastIndexOf('@') + 1) : '';
		const pkgName = String(pkg.name || '').replace(/^@[^/]+\//, '');
		if (!domain) problems.push(`author.email "${email}" is not an e-mail address`);
		else if (
			PLACEHOLDERS.authorEmails.includes(email) ||
			RESERVED_DOMAIN.test(domain) ||
			// A domain named after the package itself is made up for it.
			(pkgName && domain.split('.')[0].toLowerCase() === pkgName.toLowerCase())
		)
			problems.push(`author.email "${email}" is a placeholder: use the npm maintainer's address`);
	}

	const url = repositoryUrl(pkg);
	const match = typeof url === 'string' ? GITHUB_REPO.exec(url.trim()) : null;
	if (!url) problems.push('repository.url is missing');
	else if (!match)
		problems.push(`repository.url "${url}" is not https://github.com/<owner>/<repository>.git`);
	else {
		const [, owner, repo] = match;
		if (PLACEHOLDERS.repositoryOwners.includes(owner) || PLACEHOLDER_WORDS.test(owner))
			problems.push(
				`repository.url owner "${owner}" is a placeholder: use the public GitHub repository`,
			);
		if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_REPOSITORY) {
			// npm refuses a provenance publish from another repository than repository.url.
			if (`${owner}/${repo}`.toLowerCase() !== env.GITHUB_REPOSITORY.toLowerCase())
				problems.push(
					`repository.url names ${owner}/${repo}, but this workflow runs in ` +
						`${env.GITHUB_REPOSITORY}`,
				);
		}
		const home = typeof pkg.homepage === 'string' ? pkg.homepage : '';
		if (!home.toLowerCase().startsWith(`https://github.com/${owner}/${repo}`.toLowerCase()))
			problems.push(
				`homepage "${home}" should be the repository's page (https://github.com/${owner}/${repo}#readme)`,
			);
	}
	return problems;
}

module.exports = { checkReleaseMetadata, PLACEHOLDERS };

if (require.main === module) {
	const file = path.resolve(process.argv[2] || path.join(__dirname, '..', 'package.json'));
	const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
	const problems = checkReleaseMetadata(pkg, process.env);
	if (problems.length) {
		console.error(
			`Refusing to release ${pkg.name}@${pkg.version}: placeholder metadata in ${file}`,
		);
		for (const p of problems) console.error(`  - ${p}`);
		console.error('Set the real values first: see RELEASING.md, "One-time steps".');
		process.exit(1);
	}
	console.log(`Release metadata of ${pkg.name}@${pkg.version} looks real (author, repository).`);
}
