/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	testMatch: ['**/test/**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/e2e/'],
	setupFiles: ['<rootDir>/test/helpers/env.ts'],
	testTimeout: 30000,
	transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};
