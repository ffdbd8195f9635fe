/**
 * `npm test`: everything under test/ except test/e2e (real n8n) and test/slow (npm run test:slow).
 * @type {import('jest').Config}
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	testMatch: ['**/test/**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/e2e/', '/test/slow/'],
	setupFiles: ['<rootDir>/test/helpers/env.ts', '<rootDir>/test/helpers/loopbackOnly.ts'],
	testTimeout: 30000,
	// The suites mostly wait on the simulator's loopback sockets and the node's poll intervals, not
	// on the CPU: more workers than cores finish sooner (2 cores: about 3x, see README Development).
	maxWorkers: process.env.JEST_MAX_WORKERS ?? 6,
	// Each file is transpiled alone (isolatedModules: about 5x faster to start a test file); type
	// errors are reported by `npm run typecheck` (tsc over the whole repo, run by .ci/run).
	transform: {
		'^.+\\.ts$': ['ts-jest', { diagnostics: false, tsconfig: { isolatedModules: true } }],
	},
};
