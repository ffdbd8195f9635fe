#!/usr/bin/env node
// Reads the combined stdout/stderr of `n8n execute --id=… --rawOutput` on stdin and prints the
// execution (IRun) JSON object, pretty, on stdout. Exit 0 when found, 1 when not.
//
// n8n prints the IRun with JSON.stringify(data, null, 2) through its logger at info level (so
// N8N_LOG_LEVEL must be info or lower, or nothing is printed): its first line is "{" (or
// "<timestamp> | info  | {" with debug-level formatting) and it is surrounded by log lines (2.x
// prints several before it; on failure n8n logs it between "Execution was NOT successful" lines
// and the error). We scan from every "{" that ends a line, match braces outside strings, and
// print the first object that parses and looks like an IRun (has data.resultData).
import { readFileSync } from 'node:fs';

const text = readFileSync(0, 'utf8');

function objectAt(start) {
	let depth = 0;
	let inStr = false;
	let esc = false;
	for (let i = start; i < text.length; i++) {
		const c = text[i];
		if (inStr) {
			if (esc) esc = false;
			else if (c === '\\') esc = true;
			else if (c === '"') inStr = false;
		} else if (c === '"') inStr = true;
		else if (c === '{' || c === '[') depth++;
		else if (c === '}' || c === ']') {
			depth--;
			if (depth === 0) return text.slice(start, i + 1);
		}
	}
	return undefined;
}

const re = /\{[ \t]*$/gm;
let m;
while ((m = re.exec(text))) {
	const candidate = objectAt(m.index);
	if (!candidate) continue;
	let parsed;
	try {
		parsed = JSON.parse(candidate);
	} catch {
		continue;
	}
	if (parsed && parsed.data && parsed.data.resultData) {
		process.stdout.write(JSON.stringify(parsed, null, 2) + '\n');
		process.exit(0);
	}
	re.lastIndex = m.index + candidate.length;
}
process.exit(1);
