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

	// TypeScript (and JSON, for package.json and the codex files) parse with typescript-eslint's
	// parser everywhere. No type information is needed by any of the rules below.
	{
		files: ['**/*.ts', '**/*.json'],
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},

	// @n8n/eslint-plugin-community-nodes recommended + no-console, on the shipped files only.
	{
		files: SHIPPED,
		extends: [n8nCommunityNodesPlugin.configs.recommended],
		rules: {
			'no-console': 'error',
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
