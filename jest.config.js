/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	testMatch: ['**/test/**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/e2e/'],
	setupFiles: ['<rootDir>/test/helpers/env.ts', '<rootDir>/test/helpers/loopbackOnly.ts'],
	testTimeout: 30000,
	// n8n-core keeps module-level handles (agents, settings watchers) alive after the engine runs.
	forceExit: true,
	transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};
