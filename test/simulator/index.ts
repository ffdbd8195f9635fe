/**
 * Local HTTP simulator of the WebRun (formerly Enigma) browser-agent REST API.
 * Test / demo / benchmark infrastructure only; see README.md in this folder.
 *
 *   const sim = await startSimulator({ generation: 'webrun', inlineWindowMs: 1000 });
 *   sim.script('login', { durationMs: 300, guardrails: [{ atMs: 100, value: 'I need login credentials' }] });
 *   ... point the client at sim.url ...
 *   await sim.close();
 */
export { startSimulator, SimulatorImpl, DEFAULT_ENVIRONMENTS } from './server';
export { extractSimTag } from './scripts';
export { CONCEPTS, readRequest } from './requests';
export type { Concept, ReadKind } from './requests';
export type {
	ApiKeyConfig,
	DownloadSpec,
	EnvironmentSpec,
	FaultEndpoint,
	FaultKind,
	FaultSpec,
	Generation,
	GuardrailFired,
	LoggedRequest,
	RequestGeneration,
	SimDownload,
	SimSession,
	SimStructuredOutput,
	SimTask,
	SimUpload,
	SimUploadedFile,
	Simulator,
	SimulatorOptions,
	StructuredMode,
	TaskScript,
} from './types';
