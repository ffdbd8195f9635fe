// Checks of the queue-mode e2e (test/e2e/queue.sh). Prints one line per finding:
//   "ok <text>" / "bad <text>" (counted by queue.sh), "info <text>" (printed), and for the
//   throughput check one "figures <json>" line.
//
//   node queue-check.mjs throughput <fire.json> <simUrl> <rateLimit> <rateWindowMs>
//   node queue-check.mjs sigterm <fire.json> <simUrl> <events.json>
//   node queue-check.mjs running <simUrl> <batch>     (prints {"<worker>": running count, …})
//
// Task texts are "<batch> call <c> item <i> on <worker> [sim …]" (queue-workflow.mjs): the worker
// is the n8n process whose WebRun node started the task ($env.E2E_WORKER).
import { readFileSync } from 'node:fs';

const [mode, ...args] = process.argv.slice(2);
const say = (kind, text) => console.log(`${kind} ${text}`);
const TEXT = /^(\S+) call (\d+) item (\d+) on (\S+)/;
const parse = (text) => {
	const m = TEXT.exec(String(text ?? ''));
	return m ? { batch: m[1], call: Number(m[2]), item: Number(m[3]), worker: m[4] } : undefined;
};
const requestText = (body) =>
	body?.taskDetails ??
	body?.prompt ??
	body?.task?.prompt ??
	body?.initialTask?.taskDetails ??
	body?.message?.taskDetails;
const getJson = async (url) => {
	const res = await fetch(url);
	if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
	return await res.json();
};
const count = (list, key) => list.reduce((m, x) => ((m[key(x)] = (m[key(x)] ?? 0) + 1), m), {});
const fmt = (o) =>
	Object.entries(o)
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([k, v]) => `${k}: ${v}`)
		.join(', ') || 'none';
const s = (ms) => (ms / 1000).toFixed(1);

async function simTasks(simUrl, batch) {
	const tasks = await getJson(`${simUrl}/__sim/tasks`);
	return tasks.map((t) => ({ ...t, p: parse(t.text) })).filter((t) => t.p && t.p.batch === batch);
}

async function throughput([firePath, simUrl, limitRaw, windowRaw]) {
	const fire = JSON.parse(readFileSync(firePath, 'utf8'));
	const { batch, calls, items, durationMs } = fire;
	const limit = Number(limitRaw);
	const windowMs = Number(windowRaw);
	const n = calls * items;

	// 1. every call answered with its items, completed, in order
	const bad = [];
	const execWorker = {};
	const answered = new Map(); // "c/i" -> taskId
	for (let c = 1; c <= calls; c++) {
		const r = fire.results.find((x) => x.call === c);
		if (!r) {
			bad.push(`call ${c}: no answer`);
			continue;
		}
		if (r.error || r.status !== 200) {
			bad.push(
				`call ${c}: ${r.error ?? `HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`}`,
			);
			continue;
		}
		const list = Array.isArray(r.body) ? r.body : [r.body];
		if (list.length !== items) {
			bad.push(`call ${c}: ${list.length} items`);
			continue;
		}
		list.forEach((it, k) => {
			const want = `${batch} call ${c} item ${k + 1} on `;
			if (it.status !== 'completed') bad.push(`call ${c} item ${k + 1}: status ${it.status}`);
			else if (!String(it.message ?? '').includes(want))
				bad.push(`call ${c} item ${k + 1}: message "${it.message}"`);
			else answered.set(`${c}/${k + 1}`, it.taskId);
			if (it.executionId) execWorker[it.executionId] = it.worker;
		});
	}
	if (bad.length)
		say(
			'bad',
			`webhook answers: ${bad.slice(0, 6).join('; ')}${bad.length > 6 ? ` (+${bad.length - 6})` : ''}`,
		);
	else
		say(
			'ok',
			`${calls} concurrent webhook calls each answered with their ${items} completed items, in order (executions per worker: ${fmt(count(Object.values(execWorker), (w) => w))})`,
		);

	// 2. the simulator started exactly calls × items tasks of this batch, each once
	const tasks = await simTasks(simUrl, batch);
	if (tasks.length === n)
		say('ok', `simulator: ${tasks.length} tasks started for ${calls} calls × ${items} items`);
	else say('bad', `simulator: ${tasks.length} tasks started, expected ${n}`);
	const per = count(tasks, (t) => `${t.p.call}/${t.p.item}`);
	const twice = Object.entries(per)
		.filter(([, v]) => v > 1)
		.map(([k, v]) => `call/item ${k} ×${v}`);
	const missing = [];
	for (let c = 1; c <= calls; c++)
		for (let i = 1; i <= items; i++) if (!per[`${c}/${i}`]) missing.push(`${c}/${i}`);
	if (!twice.length && !missing.length)
		say(
			'ok',
			`no task started twice: each of the ${n} call/item texts appears exactly once in /__sim/tasks`,
		);
	else
		say(
			'bad',
			`tasks started twice: ${twice.join(', ') || 'none'}; never started: ${missing.join(', ') || 'none'}`,
		);
	const notDone = tasks.filter((t) => t.state !== 'completed');
	if (!notDone.length) say('ok', `every simulator task of the batch completed`);
	else
		say(
			'bad',
			`${notDone.length} simulator tasks not completed: ${notDone
				.slice(0, 4)
				.map((t) => `${t.text.split(' [')[0]}=${t.state}`)
				.join(', ')}`,
		);
	const ids = new Set(tasks.map((t) => t.taskId));
	const foreign = [...answered.values()].filter((id) => !ids.has(id));
	if (answered.size === n && !foreign.length)
		say('ok', `the ${n} task ids in the answers are the simulator's tasks`);
	else if (answered.size === n)
		say('bad', `${foreign.length} answered task ids unknown to the simulator`);

	// 3. figures: wall time vs the rate-limit bound, 429s, per-worker starts
	const requests = await getJson(`${simUrl}/__sim/requests`);
	const starts = requests
		.filter((r) => r.endpoint === 'run-task')
		.map((r) => ({ ...r, p: parse(requestText(r.body)) }))
		.filter((r) => r.p && r.p.batch === batch);
	const r429 = starts.filter((r) => r.status === 429);
	const accepted = starts.filter((r) => r.status >= 200 && r.status < 300);
	const wallMs = Math.max(...fire.results.map((r) => r.endedAt)) - fire.sentAt;
	const waits = Math.floor((n - 1) / limit);
	const boundMs = waits * windowMs + durationMs;
	const t0 = fire.sentAt;
	const startTimes = accepted.map((r) => r.time - t0).sort((a, b) => a - b);
	const byWindow = {};
	for (const t of startTimes)
		byWindow[Math.floor(t / windowMs)] = (byWindow[Math.floor(t / windowMs)] ?? 0) + 1;
	const taskWorkers = count(tasks, (t) => t.p.worker);
	say(
		'info',
		`wall time ${s(wallMs)} s (first call sent → last answer); rate-limit bound ${s(boundMs)} s = ${waits} × ${s(windowMs)} s window (${n} starts at ${limit} per window) + ${s(durationMs)} s task; ratio ${(wallMs / boundMs).toFixed(2)}`,
	);
	say(
		'info',
		`starts accepted by the simulator: ${accepted.length} (per worker: ${fmt(count(accepted, (r) => r.p.worker))}), at +${startTimes.map((t) => s(t)).join(' +')} s`,
	);
	say(
		'info',
		`accepted starts per ${s(windowMs)} s slice since the first call: ${Object.entries(byWindow)
			.map(([k, v]) => `[${s(k * windowMs)}–${s((Number(k) + 1) * windowMs)} s) ${v}`)
			.join(', ')}`,
	);
	say(
		'info',
		`429 answers to starts: ${r429.length} (per worker: ${fmt(count(r429, (r) => r.p.worker))}); tasks per worker: ${fmt(taskWorkers)}`,
	);
	const polls = requests.filter((r) => r.endpoint === 'poll' && ids.has(r.taskId));
	say(
		'info',
		`polls: ${polls.length} (${(polls.length / Math.max(1, n)).toFixed(1)} per task), none rate limited: ${polls.every((r) => r.status !== 429)}`,
	);
	console.log(
		`figures ${JSON.stringify({ wallMs, boundMs, ratio: Number((wallMs / boundMs).toFixed(2)), r429: r429.length, r429PerWorker: count(r429, (r) => r.p.worker), tasksStarted: tasks.length, tasksPerWorker: taskWorkers })}`,
	);
}

async function running([simUrl, batch]) {
	const tasks = await simTasks(simUrl, batch);
	console.log(
		JSON.stringify(
			count(
				tasks.filter((t) => t.state === 'running'),
				(t) => t.p.worker,
			),
		),
	);
}

async function sigterm([firePath, simUrl, eventsPath]) {
	const fire = JSON.parse(readFileSync(firePath, 'utf8'));
	const ev = JSON.parse(readFileSync(eventsPath, 'utf8'));
	const { batch, calls, items, durationMs } = fire;
	const T = ev.sigtermAt;
	const rel = (t) => (t == null ? '—' : `${t >= T ? '+' : ''}${s(t - T)} s`);
	const tasks = await simTasks(simUrl, batch);
	say(
		'info',
		`batch ${batch}: ${calls} calls × ${items} items, tasks of ${s(durationMs)} s; SIGTERM sent at ${new Date(T).toISOString()} (times below are relative to it)`,
	);
	for (const w of ev.workers) {
		const mine = tasks.filter((t) => t.p.worker === w.name);
		const runningAtSignal = mine.filter((t) => t.startedAt <= T && !(t.endedAt <= T));
		const ends = mine.map(
			(t) =>
				`${t.p.call}/${t.p.item} ${t.state}${t.endReason ? `(${t.endReason})` : ''} end ${rel(t.endedAt)}`,
		);
		w.tasks = mine.length;
		w.runningAtSignal = runningAtSignal.length;
		w.runningAtExit = w.exitAt
			? mine.filter((t) => t.startedAt <= w.exitAt && !(t.endedAt <= w.exitAt)).length
			: undefined;
		w.terminated = mine.filter((t) => t.state === 'terminated').length;
		w.completed = mine.filter((t) => t.state === 'completed').length;
		w.completedAfterExit = w.exitAt
			? mine.filter((t) => t.state === 'completed' && t.endedAt > w.exitAt).length
			: 0;
		w.calls = [...new Set(mine.map((t) => t.p.call))].sort((a, b) => a - b);
		say(
			'info',
			`${w.name}${w.role ? ` (${w.role})` : ''}: ${mine.length} tasks, ${w.runningAtSignal} running at SIGTERM; ` +
				(w.signalled ? `exit ${w.exitCode ?? '—'} at ${rel(w.exitAt)}` : 'not signalled') +
				`; tasks: ${ends.join(', ') || 'none'}`,
		);
		if (w.logLines?.length) say('info', `${w.name} log: ${w.logLines.join(' | ')}`);
	}
	const per = count(tasks, (t) => `${t.p.call}/${t.p.item}`);
	const twice = Object.entries(per).filter(([, v]) => v > 1);
	say(
		'info',
		`simulator: ${tasks.length} tasks of the batch started for ${calls * items} items; started more than once: ${twice.length ? twice.map(([k, v]) => `${k} ×${v}`).join(', ') : 'none'}; states: ${fmt(count(tasks, (t) => t.state))}`,
	);
	for (const r of fire.results) {
		const list = Array.isArray(r.body) ? r.body : [];
		say(
			'info',
			`call ${r.call}: ${r.error ? `error ${r.error}` : `HTTP ${r.status}`} after ${s(r.ms)} s (${rel(r.endedAt)}); ${list.length ? `${list.filter((x) => x.status === 'completed').length} completed items from ${[...new Set(list.map((x) => x.worker))].join('+')} (execution ${[...new Set(list.map((x) => x.executionId))].join(',')})` : JSON.stringify(r.body ?? '').slice(0, 160)}`,
		);
	}
	// What is reliably true (the roles follow from each worker's graceful timeout and the scripted
	// end of the tasks it was running, not from what happened):
	for (const w of ev.workers.filter((x) => x.signalled)) {
		const mine = tasks.filter((t) => t.p.worker === w.name);
		const name = `${w.name} (N8N_GRACEFUL_SHUTDOWN_TIMEOUT=${w.graceS})`;
		if (!w.runningAtSignal) {
			say('bad', `${name} had no running WebRun task at SIGTERM: scenario not exercised`);
			continue;
		}
		const plannedEnd = Math.max(
			...mine.map((t) => t.startedAt + (t.script?.durationMs ?? durationMs)),
		);
		const myCalls = fire.results.filter((r) => w.calls.includes(r.call));
		const logHas = (re) => (w.logLines ?? []).some((l) => re.test(l));
		if (plannedEnd < T + w.graceS * 1000 - 2000) {
			// the tasks end inside the graceful timeout: n8n waits for the executions
			const lastEnd = Math.max(...mine.map((t) => t.endedAt ?? Infinity));
			const answered =
				myCalls.length === w.calls.length &&
				myCalls.every(
					(r) =>
						r.status === 200 &&
						Array.isArray(r.body) &&
						r.body.length === items &&
						r.body.every((x) => x.status === 'completed' && x.worker === w.name),
				);
			if (
				w.exitCode === 0 &&
				w.exitAt >= lastEnd &&
				w.exitAt - T < w.graceS * 1000 &&
				logHas(/Waiting for \d+ active executions/)
			)
				say(
					'ok',
					`${name}: stopped taking jobs, waited for its ${w.runningAtSignal} running WebRun tasks ("Waiting for … active executions to finish"), exited 0 ${s(w.exitAt - T)} s after SIGTERM, once they had ended`,
				);
			else
				say(
					'bad',
					`${name}: expected a graceful stop after its tasks (exit ${w.exitCode} at ${rel(w.exitAt)}, last task end ${rel(lastEnd)})`,
				);
			if (w.completed === mine.length && !w.terminated && answered)
				say(
					'ok',
					`${name}: its ${mine.length} sessions completed normally (none terminated) and its ${w.calls.length} webhook calls answered their completed items`,
				);
			else
				say(
					'bad',
					`${name}: ${w.completed}/${mine.length} tasks completed, ${w.terminated} terminated, calls answered: ${answered}`,
				);
		} else {
			// the tasks outlive the graceful timeout: n8n exits under them
			if (
				w.exitCode !== 0 &&
				w.exitAt - T >= w.graceS * 1000 - 500 &&
				w.exitAt - T < w.graceS * 1000 + 5000 &&
				logHas(/Shutdown timed out/)
			)
				say(
					'ok',
					`${name}: exited with code ${w.exitCode} ${s(w.exitAt - T)} s after SIGTERM ("Shutdown timed out"), while its WebRun tasks were still running`,
				);
			else
				say(
					'bad',
					`${name}: expected a forced exit after ${w.graceS} s (exit ${w.exitCode} at ${rel(w.exitAt)})`,
				);
			const leftRunning = mine.filter((t) => t.startedAt <= w.exitAt && !(t.endedAt <= w.exitAt));
			if (
				leftRunning.length === w.runningAtSignal &&
				leftRunning.every((t) => t.state === 'completed' && !t.endReason)
			)
				say(
					'ok',
					`${name}: its ${leftRunning.length} WebRun sessions were left running (nothing terminated them) and ran to their end on the server, unseen`,
				);
			else
				say(
					'bad',
					`${name}: ${leftRunning.length}/${w.runningAtSignal} sessions still running at exit; states ${fmt(count(leftRunning, (t) => `${t.state}${t.endReason ? `(${t.endReason})` : ''}`))}`,
				);
			const again = mine.map((t) =>
				tasks.find(
					(u) =>
						u !== t && u.p.call === t.p.call && u.p.item === t.p.item && u.createdAt > w.exitAt,
				),
			);
			const rescuers = [...new Set(again.filter(Boolean).map((u) => u.p.worker))];
			const firstAgain = Math.min(...again.filter(Boolean).map((u) => u.createdAt));
			const answeredBy =
				myCalls.length === w.calls.length &&
				myCalls.every(
					(r) =>
						r.status === 200 &&
						Array.isArray(r.body) &&
						r.body.length === items &&
						r.body.every((x) => x.status === 'completed' && rescuers.includes(x.worker)),
				);
			if (again.every(Boolean) && answeredBy)
				say(
					'ok',
					`${name}: its ${w.calls.length} executions were run again from the start by ${rescuers.join('+')} (Bull's stalled-job recovery, ${s(firstAgain - w.exitAt)} s after the exit): all ${mine.length} of its WebRun tasks were started a second time, and the webhook calls answered the second run's items`,
				);
			else
				say(
					'bad',
					`${name}: re-run of its executions: ${again.filter(Boolean).length}/${mine.length} tasks started again (by ${rescuers.join('+') || 'nobody'}), calls answered by the re-run: ${answeredBy}`,
				);
		}
	}
	const unanswered = [];
	for (let c = 1; c <= calls; c++) if (!fire.results.find((r) => r.call === c)) unanswered.push(c);
	if (unanswered.length)
		say('info', `calls with no answer by the end of the test: ${unanswered.join(', ')}`);
	console.log(
		`sigterm ${JSON.stringify({ workers: ev.workers, tasks: tasks.length, startedTwice: twice.length, unanswered, results: fire.results.map((r) => ({ call: r.call, status: r.status, error: r.error, endedAt: r.endedAt, items: Array.isArray(r.body) ? r.body.map((x) => ({ status: x.status, worker: x.worker, executionId: x.executionId })) : [] })) })}`,
	);
}

const modes = { throughput, sigterm, running };
if (!modes[mode]) {
	console.error('usage: queue-check.mjs throughput|sigterm|running …');
	process.exit(2);
}
modes[mode](args).catch((err) => {
	say('bad', `check crashed: ${err?.stack ?? err}`);
	process.exit(1);
});
