// ESLint 9 flat config.
//
// The shipped code (nodes/, credentials/) and package.json get exactly the rule set that n8n's
// verification scanner (`npx @n8n/scan-community-package`, scanner/scanner.mjs) and `n8n-node lint`
// apply: @n8n/eslint-plugin-community-nodes `recommended`, `no-console`, and the
// eslint-plugin-n8n-nodes-base `community` / `credentials` / `nodes` rulesets with the same
// off-overrides. The scanner runs with `allowInlineConfig: false` and its own config, so an
// `eslint-disable` comment or a rule turned off here does NOT make the scan pass: fix the code
// instead wherever possible, and keep every deviation below listed with its reason.
//
// Everything else (test/, scripts/, bench/, config files) is only parsed, to catch syntax errors:
// the node rules do not apply there (the simulator and scripts use setTimeout, process, fs, ...).
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// What ships (and what the scanner lints on the source): the node and credential sources, their
// codex JSON files, and package.json.
const SHIPPED = ['nodes/**/*.{ts,js,json}', 'credentials/**/*.{ts,js,json}', 'package.json'];

export default defineConfig(
	globalIgnores(['dist/**', 'coverage/**', 'node_modules/**', '**/package-lock.json']),

	// TypeScript everywhere, and the shipped JSON (package.json, codex files), parse with
	// typescript-eslint's parser. No type information is needed by any of the rules below. Other
	// JSON files (tsconfig, examples, bench results) are not linted.
	{
		files: ['**/*.ts', 'package.json', 'nodes/**/*.json', 'credentials/**/*.json'],
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},

	// Outside the shipped files no rules run, so `eslint-disable` comments there (e.g. in bench/,
	// for other tools or future rules) must not be reported as unused.
	{
		ignores: SHIPPED,
		linterOptions: { reportUnusedDisableDirectives: 'off' },
	},

	// @n8n/eslint-plugin-community-nodes recommended + no-console, on the shipped files only.
	{
		files: SHIPPED,
		extends: [n8nCommunityNodesPlugin.configs.recommended],
		rules: {
			'no-console': 'error',
			// Deviation from the scanner (there it is only a warning, so the scan still passes):
			// icons/webrun.svg is a full-colour gradient tile that carries its own background and
			// reads the same on the light and dark canvas; a `.dark.svg` would be a byte copy.
			// Turn this back on if the icon ever gets transparent or dark-on-light parts.
			'@n8n/community-nodes/icon-prefer-themed-variants': 'off',
		},
	},

	{ plugins: { 'n8n-nodes-base': n8nNodesBase } },

	{
		files: ['package.json'],
		rules: {
			...n8nNodesBase.configs.community.rules,
		},
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Same off-overrides as the scanner / n8n-node lint:
			// not valid for community nodes (their docs live outside docs.n8n.io)
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			// @n8n/community-nodes/credential-password-field covers this, more accurately
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Same off-overrides as the scanner / n8n-node lint:
			// inputs/outputs may be NodeConnectionTypes.Main (enum) or an expression string
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			// a maxValue that mirrors a real API limit is valid
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
);
