// Fires webhook calls at once at the queue-mode workflow and records the answers.
//
//   node queue-fire.mjs <webhookUrl> <batch> <calls> <itemsPerCall> <taskDurationMs> <out.json>
//
// Call c (1..calls) posts {"items":[{task:"<batch> call c item i", sim:"[sim {durationMs}]"}…]}.
// <out.json> is rewritten after every answer (so a caller that gives up early still has the ones
// that came back): {batch, calls, items, durationMs, sentAt, doneAt, results:[{call, status,
// ms, startedAt, endedAt, body | error}]}. Exit 0 once every call has answered (any status).
import { writeFileSync } from 'node:fs';

const [url, batch, callsRaw, itemsRaw, durRaw, out] = process.argv.slice(2);
if (!out) {
	console.error(
		'usage: queue-fire.mjs <webhookUrl> <batch> <calls> <itemsPerCall> <taskDurationMs> <out.json>',
	);
	process.exit(2);
}
const calls = Number(callsRaw);
const items = Number(itemsRaw);
const durationMs = Number(durRaw);
const state = { batch, calls, items, durationMs, sentAt: Date.now(), doneAt: null, results: [] };
const save = () => writeFileSync(out, JSON.stringify(state, null, 1));

async function fire(call) {
	const body = {
		call,
		items: Array.from({ length: items }, (_, k) => ({
			task: `${batch} call ${call} item ${k + 1}`,
			sim: `[sim ${JSON.stringify({ durationMs })}]`,
		})),
	};
	const startedAt = Date.now();
	const r = { call, startedAt };
	try {
		// undici's default headers timeout (300 s) is longer than any wait of this test.
		const res = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		r.status = res.status;
		const text = await res.text();
		try {
			r.body = JSON.parse(text);
		} catch {
			r.body = text;
		}
	} catch (err) {
		r.error = String(err?.cause?.message ?? err?.message ?? err);
	}
	r.endedAt = Date.now();
	r.ms = r.endedAt - startedAt;
	state.results.push(r);
	state.results.sort((a, b) => a.call - b.call);
	save();
}

save();
await Promise.all(Array.from({ length: calls }, (_, i) => fire(i + 1)));
state.doneAt = Date.now();
save();
