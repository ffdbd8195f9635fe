/**
 * `npm run test:slow`: the tests that move hundreds of megabytes (test/slow), kept out of the
 * everyday `npm test`; .ci/run runs both.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

module.exports = {
	...base,
	testMatch: ['**/test/slow/**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/dist/'],
	// Run one at a time: the memory measurements must not share the machine with other suites.
	maxWorkers: 1,
	testTimeout: 120000,
};
