/* eslint-disable @n8n/community-nodes/no-restricted-globals --
	Jest test code: runs in Node, never shipped or loaded by n8n.
	See README.md, Development. */
/**
 * Finding the JSON in the agent's answer (task/output/answer.ts).
 */
import { parseJsonAnswer } from '../../../../nodes/WebRun/task/output/answer';

describe('parseJsonAnswer', () => {
	test.each<[string, string, unknown]>([
		['plain JSON', '{"top":[{"name":"Bitcoin"}]}', { top: [{ name: 'Bitcoin' }] }],
		['plain JSON with spaces around', '\n  [1, 2]\n', [1, 2]],
		['a plain JSON string', '"done"', 'done'],
		['a plain JSON number', '42', 42],
		['a ```json block', 'Here you go:\n```json\n{"a": 1}\n```\nDone.', { a: 1 }],
		['a plain ``` block', '```\n[1]\n```', [1]],
		['a one-line block', '```json {"a":1}```', { a: 1 }],
		['the first block that parses', '```\nnot json\n```\n```json\n{"b":2}\n```', { b: 2 }],
		['a block before a span outside it', '{x} then\n```json\n{"a":1}\n```', { a: 1 }],
		[
			'JSON with a sentence around it',
			'The result is {"a": {"b": [1]}}. Thanks!',
			{ a: { b: [1] } },
		],
		['a list with a sentence around it', 'Found: [1, 2, 3] in total', [1, 2, 3]],
		['braces inside strings', 'Result: {"a": "} and ]", "b": "\\"{"}', { a: '} and ]', b: '"{' }],
		['a span that fails is skipped', '[Note] the data: {"a":1}', { a: 1 }],
		['an unclosed bracket before the JSON', 'a { b then {"a":1}', { a: 1 }],
	])('%s', (_name, message, value) => {
		expect(parseJsonAnswer(message)).toEqual({ value });
	});

	test.each<[string, string, RegExp]>([
		['an empty answer', '  \n', /^the answer is empty$/],
		[
			'plain text',
			'I could not find any prices.',
			/^the answer holds no JSON: no \{\.\.\.\} object or \[\.\.\.\] list in it$/,
		],
		['truncated JSON', '{"a": [1, 2', /^the answer is not valid JSON: .+/],
		['a trailing comma', '{"a": 1,}', /^the answer is not valid JSON: .*(Expected|Unexpected)/],
		['an unterminated string', '"abc', /^the answer is not valid JSON: .+/],
		[
			'a bad code block',
			'Here:\n```json\n{name: "x"}\n```',
			/^the code block in the answer is not valid JSON: .+/,
		],
		[
			'a bad span in a sentence',
			'Result: {name: "x"} ok',
			/^the JSON in the answer is not valid: .+/,
		],
		[
			'an unclosed span in a sentence',
			'Result: {"a": 1',
			/^the answer has a \{ or \[ without its matching \} or \]$/,
		],
		[
			'a mismatched span',
			'Result: {"a": 1]',
			/^the answer has a \{ or \[ without its matching \} or \]$/,
		],
	])('%s fails with a clear error', (_name, message, error) => {
		const result = parseJsonAnswer(message);
		expect(result).toEqual({ error: expect.stringMatching(error) });
	});

	test('the error keeps the JSON parser message', () => {
		const result = parseJsonAnswer('{"a": 1,}');
		let parserMessage = '';
		try {
			JSON.parse('{"a": 1,}');
		} catch (error) {
			parserMessage = (error as Error).message;
		}
		expect(result).toEqual({ error: `the answer is not valid JSON: ${parserMessage}` });
	});

	test('many bracketed notes before the JSON do not hide it', () => {
		const message = `${'[see note] '.repeat(30)}{"a":1}`;
		expect(parseJsonAnswer(message)).toEqual({ value: { a: 1 } });
	});

	test('a long answer full of unclosed brackets stays fast', () => {
		const message = '{['.repeat(50_000) + ' no JSON here';
		// CPU time of this process, not the wall clock: other work on the machine does not count.
		const before = process.cpuUsage();
		expect(parseJsonAnswer(message)).toHaveProperty('error');
		const used = process.cpuUsage(before);
		expect((used.user + used.system) / 1000).toBeLessThan(2000);
	});
});
