/**
 * Local HTTP simulator of the WebRun (formerly Enigma) browser-agent REST API.
 * Test / demo / benchmark infrastructure only; see README.md in this folder.
 *
 *   const sim = await startSimulator({ generation: 'webrun', inlineWindowMs: 1000 });
 *   sim.script('login', { durationMs: 300, guardrails: [{ atMs: 100, value: 'I need login credentials' }] });
 *   ... point the client at sim.url ...
 *   await sim.close();
 */
export { startSimulator, SimulatorImpl } from './server';
export { extractSimTag } from './scripts';
export type {
	ApiKeyConfig,
	FaultEndpoint,
	FaultKind,
	FaultSpec,
	Generation,
	GuardrailFired,
	LoggedRequest,
	SimSession,
	SimTask,
	Simulator,
	SimulatorOptions,
	TaskScript,
} from './types';
