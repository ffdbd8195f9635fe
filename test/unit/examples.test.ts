/* eslint-disable @n8n/community-nodes/no-restricted-globals,
	@n8n/community-nodes/no-restricted-imports --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * The example workflows parse, are wired consistently, and use only the node's real parameter
 * names and option values (a renamed parameter would silently break saved workflows).
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';

import type { INodeProperties } from 'n8n-workflow';

import { WebRun } from '../../nodes/WebRun/WebRun.node';

const dir = join(__dirname, '..', '..', 'examples');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const description = new WebRun().description;
const props = description.properties as INodeProperties[];
const topNames = new Set(props.map((p) => p.name));
const optionNames = new Set(
	(props.find((p) => p.name === 'options')?.options as INodeProperties[]).map((o) => o.name),
);
const valuesOf = (name: string) =>
	new Set(
		props
			.filter((p) => p.name === name)
			.flatMap(
				(p) => (p.options as Array<{ value: string }> | undefined)?.map((o) => o.value) ?? [],
			),
	);

/** Is the property shown for these parameters (its displayOptions.show all match)? */
function shown(p: INodeProperties, params: Record<string, unknown>) {
	const show = p.displayOptions?.show ?? {};
	return Object.entries(show).every(([key, allowed]) =>
		(allowed as unknown[]).includes(params[key]),
	);
}

test('there are the five documented examples', () => {
	expect(files.sort()).toEqual([
		'1-run-task.json',
		'2-multi-step-session.json',
		'3-guardrail-round-trip.json',
		'4-structured-to-rows.json',
		'5-download-file.json',
	]);
});

describe.each(files)('%s', (file) => {
	const workflow = JSON.parse(readFileSync(join(dir, file), 'utf8'));
	const webRunNodes = workflow.nodes.filter(
		(n: { type: string }) => n.type === 'n8n-nodes-webrun.webRun',
	);

	test('has a name, nodes with unique names, and connections between existing nodes', () => {
		expect(typeof workflow.name).toBe('string');
		const names = workflow.nodes.map((n: { name: string }) => n.name);
		expect(new Set(names).size).toBe(names.length);
		for (const [from, conn] of Object.entries(
			workflow.connections as Record<string, { main: Array<Array<{ node: string }>> }>,
		)) {
			expect(names).toContain(from);
			for (const output of conn.main)
				for (const target of output ?? []) expect(names).toContain(target.node);
		}
		expect(webRunNodes.length).toBeGreaterThan(0);
	});

	test('WebRun nodes use only real parameter names, option names and option values', () => {
		for (const node of webRunNodes) {
			const params = node.parameters as Record<string, unknown>;
			expect(node.typeVersion).toBe(1);
			expect(node.credentials?.webRunApi).toBeDefined();
			expect(valuesOf('operation')).toContain(params.operation);
			for (const key of Object.keys(params)) {
				expect(topNames).toContain(key);
				// The parameter is one the editor shows for this operation.
				expect(props.filter((p) => p.name === key).some((p) => shown(p, params))).toBe(true);
			}
			for (const key of Object.keys((params.options as object) ?? {}))
				expect(optionNames).toContain(key);
			if (params.messageType !== undefined)
				expect(valuesOf('messageType')).toContain(params.messageType);
			if (params.action !== undefined) expect(valuesOf('action')).toContain(params.action);
			// Every other fixed choice (Output Format, Schema Type, …) is one the editor offers.
			for (const [key, value] of Object.entries(params)) {
				const values = valuesOf(key);
				if (values.size && typeof value === 'string' && !value.startsWith('=')) {
					expect(values).toContain(value);
				}
			}
		}
	});

	test('only Control Session nodes have a single output; the others use at most Completed and Guardrail', () => {
		for (const node of webRunNodes) {
			const outputs = workflow.connections[node.name]?.main ?? [];
			expect(outputs.length).toBeLessThanOrEqual(
				node.parameters.operation === 'controlSession' ? 1 : 2,
			);
		}
	});
});
