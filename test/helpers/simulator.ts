/**
 * One simulator per test file: started before the file's tests, closed after them, and reset to
 * the given options before each test (the node's shared account state is forgotten with it). Returns a getter, since the simulator exists only once the
 * file's beforeAll has run.
 */
import axios, { type AxiosInstance } from 'axios';
import type { IDataObject } from 'n8n-workflow';

import { forgetAccounts } from '../../nodes/WebRun/account/registry';
import type { Simulator, SimulatorOptions } from '../simulator';
import { startSimulator } from '../simulator';

export function useSimulator(perTest: Partial<SimulatorOptions> = {}): () => Simulator {
	let sim: Simulator | undefined;
	beforeAll(async () => {
		sim = await startSimulator({ generation: 'webrun' });
	});
	afterAll(async () => sim?.close());
	beforeEach(() => {
		// A reset simulator forgets its rate-limit window; so does the node's per-process account.
		forgetAccounts();
		sim?.reset();
		sim?.configure({
			generation: 'webrun',
			inlineWindowMs: 50000,
			rateLimit: { limit: 10, windowMs: 60000 },
			...perTest,
		});
	});
	return () => {
		if (!sim) throw new Error('the simulator is not started yet');
		return sim;
	};
}

/**
 * For the simulator's own tests: one simulator per file (2 s inline window, reset before each
 * test) and an HTTP client that sends `key` and never throws on a status. `use` receives both
 * once the simulator is started.
 */
export function useSimulatorApi(
	key: string,
	use: (sim: Simulator, api: AxiosInstance) => void,
): void {
	let sim: Simulator | undefined;
	beforeAll(async () => {
		sim = await startSimulator({ inlineWindowMs: 2000 });
		const api = axios.create({
			baseURL: sim.url,
			validateStatus: () => true,
			headers: { Authorization: `Bearer ${key}` },
		});
		use(sim, api);
	});
	afterAll(async () => sim?.close());
	beforeEach(() => {
		sim?.reset();
		sim?.configure({ inlineWindowMs: 2000 });
	});
}

/** Run Task parameters with a 1 s poll interval (the shortest allowed), for fast tests. */
export const runTaskParams = (taskDetails: string, options: IDataObject = {}): IDataObject => ({
	operation: 'runTask',
	taskDetails,
	options: { pollInterval: 1, ...options },
});
