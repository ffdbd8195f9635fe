/**
 * The account's start budget (account/budget.ts) on a fake clock: pacing, what it learns
 * from the X-RateLimit-* headers, 429s, servers without a limit, and waking waiting items.
 */
import { StartBudget } from '../../../nodes/WebRun/account/budget';
import {
	DEFAULT_START_LIMIT,
	DEFAULT_WINDOW_MS,
	MAX_SHARED_RATE_LIMIT_WAIT_MS,
	RESET_MARGIN_MS,
	START_MARGIN_MS,
} from '../../../nodes/WebRun/constants';
import type { Headers } from '../../../nodes/WebRun/transport/headers';
import {
	parseReset,
	parseRetryAfter,
	rateLimitInfo,
	serverWait,
} from '../../../nodes/WebRun/transport/headers';
import { RateLimiter } from '../../simulator/rateLimit';

/** Feeds an answer's headers to the budget as the node does: lower-cased by the client, then read. */
function observe(
	budget: StartBudget,
	headers: Headers | undefined,
	sentAt: number,
	status: number,
) {
	const lower =
		headers && Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
	budget.observe(rateLimitInfo(lower), sentAt, status);
}

class FakeClock {
	constructor(public t = 1_700_000_000_000) {}

	now() {
		return this.t;
	}
}

/** A waiter that lets the fake time pass by the asked amount, and records it. */
function passTime(clock: FakeClock, waits: number[] = []) {
	return async (ms: number) => {
		waits.push(ms);
		clock.t += ms;
	};
}

/** Headers as the simulator (and WebRun's docs) send them: reset in Unix seconds, rounded up. */
function serverHeaders(limit: number, remaining: number, resetMs: number) {
	return {
		'x-ratelimit-limit': String(limit),
		'x-ratelimit-remaining': String(remaining),
		'x-ratelimit-reset': String(Math.ceil(resetMs / 1000)),
	};
}

describe('header parsing', () => {
	test('Retry-After in seconds or as an HTTP date', () => {
		expect(parseRetryAfter('3', 0)).toBe(3000);
		expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
		expect(parseRetryAfter('', 0)).toBeUndefined();
		expect(parseRetryAfter('soon', 0)).toBeUndefined();
	});

	test('X-RateLimit-Reset in Unix seconds (milliseconds tolerated)', () => {
		expect(parseReset('1704067260')).toBe(1704067260000);
		expect(parseReset('1704067260123')).toBe(1704067260123);
		expect(parseReset('0')).toBeUndefined();
		expect(parseReset(undefined)).toBeUndefined();
	});
});

describe('pacing before anything is learned', () => {
	test('10 starts at once, the 11th when the first leaves the documented 60 s window', async () => {
		const clock = new FakeClock();
		const budget = new StartBudget(clock);
		const t0 = clock.t;
		const waits: number[] = [];
		for (let i = 0; i < DEFAULT_START_LIMIT; i++)
			expect(Math.floor(await budget.acquire(passTime(clock, waits)))).toBe(t0);
		expect(waits).toEqual([]);
		const eleventh = await budget.acquire(passTime(clock, waits));
		expect(eleventh).toBe(t0 + DEFAULT_WINDOW_MS + START_MARGIN_MS);
	});

	test('starts spread over time: each one waits only for the start it replaces', async () => {
		const clock = new FakeClock();
		const budget = new StartBudget(clock);
		const t0 = clock.t;
		for (let i = 0; i < 10; i++) {
			clock.t = t0 + i * 1000;
			await budget.acquire(passTime(clock));
		}
		clock.t = t0 + 30_000;
		expect(budget.delayBeforeNextStart()).toBe(30_000 + START_MARGIN_MS);
		clock.t = t0 + 60_000 + START_MARGIN_MS;
		expect(budget.delayBeforeNextStart()).toBe(0);
		await budget.acquire(passTime(clock));
		// The 12th waits for the second start (sent at t0 + 1 s) to leave.
		expect(budget.delayBeforeNextStart()).toBe(1000);
	});
});

describe('learning from the X-RateLimit-* headers', () => {
	test('X-RateLimit-Limit replaces the default limit', async () => {
		const clock = new FakeClock();
		const budget = new StartBudget(clock);
		const sentAt = await budget.acquire(passTime(clock));
		observe(budget, serverHeaders(3, 2, sentAt + 60_000), sentAt, 200);
		expect(budget.limit).toBe(3);
		await budget.acquire(passTime(clock));
		await budget.acquire(passTime(clock));
		expect(budget.delayBeforeNextStart()).toBeGreaterThan(50_000);
	});

	test('a shorter window is learned: reset minus the send time of the oldest start the server counts', async () => {
		const clock = new FakeClock(1_700_000_000_250);
		const budget = new StartBudget(clock);
		const W = 20_000;
		const sent: number[] = [];
		for (let i = 0; i < 10; i++) sent.push(await budget.acquire(passTime(clock)));
		// The answers come back 2 s later; the server saw the first start 3 ms after it was sent.
		clock.t += 2000;
		for (let i = 0; i < 10; i++)
			observe(budget, serverHeaders(10, 9 - i, sent[0] + 3 + W), sent[i], 200);
		const reset = Math.ceil((sent[0] + 3 + W) / 1000) * 1000;
		expect(budget.windowMs).toBe(reset - sent[0]);
		expect(budget.windowMs).toBeGreaterThanOrEqual(W);
		expect(budget.windowMs).toBeLessThan(W + 1000 + 3);
		// The 11th start goes when the server said the first one leaves, not a minute later.
		const eleventh = await budget.acquire(passTime(clock));
		expect(eleventh).toBe(reset + RESET_MARGIN_MS);
		// The 12th waits for the second start, which no answer named: send time + window + margin.
		const twelfth = await budget.acquire(passTime(clock));
		expect(twelfth).toBe(sent[1] + budget.windowMs + START_MARGIN_MS);
	});

	test('Remaining 0 blocks every start until the reset', async () => {
		const clock = new FakeClock(1_700_000_000_000);
		const budget = new StartBudget(clock);
		const sentAt = await budget.acquire(passTime(clock));
		// Somebody else (another workflow of the account) used the rest of the window.
		observe(budget, serverHeaders(10, 0, clock.t + 7000), sentAt, 200);
		expect(budget.delayBeforeNextStart()).toBe(7000);
	});

	test('starts counted by the server that are not ours teach nothing about the window', async () => {
		const clock = new FakeClock(1_700_000_000_000);
		const budget = new StartBudget(clock);
		const sentAt = await budget.acquire(passTime(clock));
		// The server counts 4 starts, we sent 1: the oldest (reset 5 s away) is someone else's.
		observe(budget, serverHeaders(10, 6, clock.t + 5000), sentAt, 200);
		expect(budget.windowMs).toBe(DEFAULT_WINDOW_MS);
	});

	test('the tightest bound is kept; a looser one later does not widen the window', async () => {
		const clock = new FakeClock(1_700_000_000_000);
		const budget = new StartBudget(clock);
		const a = await budget.acquire(passTime(clock));
		observe(budget, serverHeaders(10, 9, a + 15_000), a, 200); // bound 15 s
		clock.t += 14_000;
		const b = await budget.acquire(passTime(clock));
		// a is still counted; its reset is the same: the oldest counted start is a.
		observe(budget, serverHeaders(10, 8, a + 15_000), b, 200);
		expect(budget.windowMs).toBe(15_000);
		clock.t += 5_000;
		const c = await budget.acquire(passTime(clock));
		// Only b and c are counted now (a left): reset = b + 15 s rounded up by 900 ms.
		observe(budget, serverHeaders(10, 8, b + 15_900), c, 200);
		expect(budget.windowMs).toBe(15_000);
	});

	test("WebRun's own minute: the learned bound (rounded up) is used, never less than the minute", async () => {
		const clock = new FakeClock(1_700_000_000_700);
		const budget = new StartBudget(clock);
		const a = await budget.acquire(passTime(clock));
		observe(budget, serverHeaders(10, 9, a + 5 + 60_000), a, 200);
		expect(budget.windowMs).toBe(Math.ceil((a + 5 + 60_000) / 1000) * 1000 - a);
		expect(budget.windowMs).toBeGreaterThan(60_000);
	});

	test("a bound just under the minute (the server's clock a little behind ours) counts as the minute", async () => {
		const clock = new FakeClock(1_700_000_000_000);
		const budget = new StartBudget(clock);
		const a = await budget.acquire(passTime(clock));
		observe(budget, serverHeaders(10, 9, a + 59_600), a, 200);
		expect(budget.windowMs).toBe(DEFAULT_WINDOW_MS);
	});

	test('a bound longer than a minute is not believed', async () => {
		const clock = new FakeClock(1_700_000_000_000);
		const budget = new StartBudget(clock);
		const a = await budget.acquire(passTime(clock));
		observe(budget, serverHeaders(10, 9, a + 300_000), a, 200);
		expect(budget.windowMs).toBe(DEFAULT_WINDOW_MS);
	});

	test('a refused start with Remaining 0 teaches nothing about the window', async () => {
		const clock = new FakeClock(1_700_000_000_000);
		const budget = new StartBudget(clock);
		const a = await budget.acquire(passTime(clock));
		observe(budget, serverHeaders(10, 0, a + 5000), a, 429);
		expect(budget.windowMs).toBe(DEFAULT_WINDOW_MS);
	});
});

describe('429 and servers without a limit', () => {
	test('a 429 blocks every start for Retry-After', async () => {
		const clock = new FakeClock();
		const budget = new StartBudget(clock);
		await budget.acquire(passTime(clock));
		budget.rateLimited(4000);
		expect(budget.delayBeforeNextStart()).toBe(4000);
		const waits: number[] = [];
		await budget.acquire(passTime(clock, waits));
		expect(waits).toEqual([4000]);
	});

	test('a 2xx answer without X-RateLimit-* headers: no pacing; a 429 brings it back', async () => {
		const clock = new FakeClock();
		const budget = new StartBudget(clock);
		const first = await budget.acquire(passTime(clock));
		observe(budget, { 'content-type': 'application/json' }, first, 200);
		expect(budget.unlimited).toBe(true);
		const waits: number[] = [];
		for (let i = 0; i < 50; i++) await budget.acquire(passTime(clock, waits));
		expect(waits).toEqual([]);
		budget.rateLimited(1000);
		expect(budget.unlimited).toBe(false);
		expect(budget.delayBeforeNextStart()).toBeGreaterThanOrEqual(DEFAULT_WINDOW_MS);
	});

	test('an error answer without headers (a proxy) does not switch pacing off', async () => {
		const clock = new FakeClock();
		const budget = new StartBudget(clock);
		const first = await budget.acquire(passTime(clock));
		observe(budget, {}, first, 502);
		observe(budget, undefined, first, 503);
		expect(budget.unlimited).toBe(false);
	});

	test('headers showing up again restore pacing', async () => {
		const clock = new FakeClock();
		const budget = new StartBudget(clock);
		const first = await budget.acquire(passTime(clock));
		observe(budget, {}, first, 200);
		const second = await budget.acquire(passTime(clock));
		observe(budget, serverHeaders(10, 8, first + 60_000), second, 200);
		expect(budget.unlimited).toBe(false);
	});
});

describe('absurd waits: the shared block is capped and lifts itself (issue 18 case 8)', () => {
	const DAYS_1157 = 99_999_999_000;

	test('Retry-After: 99999999 blocks for 10 minutes, not 1157 days; the block names the wait asked', async () => {
		const clock = new FakeClock();
		const budget = new StartBudget(clock);
		await budget.acquire(passTime(clock));
		budget.rateLimited(DAYS_1157, 'Retry-After');
		expect(budget.delayBeforeNextStart()).toBe(MAX_SHARED_RATE_LIMIT_WAIT_MS);
		expect(budget.currentBlock()).toEqual({
			remainingMs: MAX_SHARED_RATE_LIMIT_WAIT_MS,
			askedMs: DAYS_1157,
			source: 'Retry-After',
		});
		expect(budget.isQuiet()).toBe(false);
		clock.t += MAX_SHARED_RATE_LIMIT_WAIT_MS;
		expect(budget.currentBlock()).toBeUndefined();
		// The history of the first start is gone too: nothing left to remember, nothing to wait for.
		expect(budget.delayBeforeNextStart()).toBe(0);
		expect(budget.isQuiet()).toBe(true);
	});

	test('X-RateLimit-Remaining: 0 with a reset ten years ahead on a 2xx: the same cap', async () => {
		const clock = new FakeClock();
		const budget = new StartBudget(clock);
		const sent = await budget.acquire(passTime(clock));
		const tenYears = 10 * 365 * 86_400_000;
		observe(budget, serverHeaders(10, 0, clock.t + tenYears), sent, 200);
		expect(budget.delayBeforeNextStart()).toBe(MAX_SHARED_RATE_LIMIT_WAIT_MS);
		expect(budget.currentBlock()).toMatchObject({ source: 'X-RateLimit-Reset' });
		expect(budget.currentBlock()?.askedMs).toBeGreaterThanOrEqual(tenYears);
		const waits: number[] = [];
		await budget.acquire(passTime(clock, waits));
		expect(waits).toEqual([MAX_SHARED_RATE_LIMIT_WAIT_MS]);
	});

	test('a sane Retry-After is kept exactly; a shorter later one does not shorten a block', () => {
		const clock = new FakeClock();
		const budget = new StartBudget(clock);
		budget.rateLimited(30_000);
		budget.rateLimited(5_000, 'X-RateLimit-Reset');
		expect(budget.currentBlock()).toEqual({
			remainingMs: 30_000,
			askedMs: 30_000,
			source: 'Retry-After',
		});
	});

	test('NaN, negative and past waits block nothing', () => {
		const clock = new FakeClock();
		const budget = new StartBudget(clock);
		budget.rateLimited(Number.NaN);
		budget.rateLimited(-5_000);
		budget.observe({ remaining: 0, resetAt: clock.t - 1000 }, clock.t, 200);
		expect(budget.currentBlock()).toBeUndefined();
		expect(budget.delayBeforeNextStart()).toBe(0);
	});

	test('a huge Retry-After as an HTTP date or a number of seconds is read, not dropped', () => {
		expect(parseRetryAfter('99999999', 0)).toBe(DAYS_1157);
		expect(serverWait({ 'retry-after': 'Fri, 01 Jan 2100 00:00:00 GMT' }, 0)).toEqual({
			ms: Date.UTC(2100, 0, 1),
			source: 'Retry-After',
		});
		expect(serverWait({ 'x-ratelimit-reset': '4102444800' }, 0)).toEqual({
			ms: 4_102_444_800_000,
			source: 'X-RateLimit-Reset',
		});
		expect(serverWait({}, 0)).toBeUndefined();
	});
});

describe('waiting items', () => {
	test('an item waiting on the default minute wakes up when a shorter window is learned', async () => {
		const clock = new FakeClock(1_700_000_000_000);
		const budget = new StartBudget(clock);
		const sent: number[] = [];
		for (let i = 0; i < 10; i++) sent.push(await budget.acquire(passTime(clock)));
		const asked: number[] = [];
		// This waiter lets no time pass by itself: it returns only when the budget wakes it.
		let waiting!: () => void;
		const parked = new Promise<void>((resolve) => (waiting = resolve));
		const eleventh = budget.acquire(async (ms, wake) => {
			asked.push(ms);
			waiting();
			await wake;
		});
		await parked;
		expect(asked).toEqual([DEFAULT_WINDOW_MS + START_MARGIN_MS]);
		// The answers arrive: a 3 s window. Time passes to just after it.
		clock.t = sent[0] + 3000 + START_MARGIN_MS;
		for (let i = 0; i < 10; i++)
			observe(budget, serverHeaders(10, 9 - i, sent[0] + 3000), sent[i], 200);
		await expect(eleventh).resolves.toBe(clock.t);
	});

	test('slots are taken in arrival order', async () => {
		const clock = new FakeClock();
		const budget = new StartBudget(clock);
		budget.rateLimited(1000);
		const order: number[] = [];
		await Promise.all(
			[0, 1, 2].map(async (i) => {
				await budget.acquire(passTime(clock));
				order.push(i);
			}),
		);
		expect(order).toEqual([0, 1, 2]);
	});
});

describe("against the simulator's own sliding-window limiter", () => {
	/**
	 * Bursts of starts whose answers come back later (held for the inline window), random latency
	 * and random server windows up to a minute, limit 10: the budget never provokes a 429, and the
	 * window it learns is the server's, rounded up by at most a second.
	 */
	test.each([1, 2, 3, 4, 5, 6, 7, 8])(
		'seed %i: zero 429s, the window learned within a second',
		async (seed) => {
			let x = seed * 7919;
			const random = () => (x = (x * 48271) % 2147483647) / 2147483647;
			const clock = new FakeClock(1_700_000_000_000 + Math.floor(random() * 1000));
			const budget = new StartBudget(clock);
			const limiter = new RateLimiter();
			const W = 3000 + Math.floor(random() * 57_000);
			const arrivals: number[] = [];
			for (let burst = 0; burst < 6; burst++) {
				const size = 1 + Math.floor(random() * 10);
				const pending: Array<{ sentAt: number; headers: Record<string, string>; status: number }> =
					[];
				for (let i = 0; i < size; i++) {
					const sentAt = await budget.acquire(passTime(clock));
					const arrival = sentAt + 1 + Math.floor(random() * 30);
					clock.t = arrival;
					const decision = limiter.check('k', 10, W, arrival);
					expect(decision.allowed).toBe(true);
					arrivals.push(arrival);
					pending.push({ sentAt, headers: decision.headers, status: 200 });
				}
				// The answers come back after the inline window (or at once).
				clock.t += Math.floor(random() * 3000);
				for (const p of pending) observe(budget, p.headers, p.sentAt, p.status);
			}
			expect(arrivals.length).toBeGreaterThan(6);
			// Before the first answers the budget cannot know the window; after, it is within 1 s.
			if (budget.windowMs < DEFAULT_WINDOW_MS)
				expect(budget.windowMs).toBeLessThanOrEqual(W + 1000 + 30);
			expect(budget.windowMs).toBeGreaterThanOrEqual(W);
		},
	);

	test('20 starts, window 20 s, answers after 2 s: the 11th goes within a second of the first leaving', async () => {
		const clock = new FakeClock(1_700_000_000_400);
		const budget = new StartBudget(clock);
		const limiter = new RateLimiter();
		const W = 20_000;
		const answers: Array<{ at: number; sentAt: number; headers: Record<string, string> }> = [];
		const arrivals: number[] = [];
		for (let i = 0; i < 20; i++) {
			// Deliver the answers that are due before asking for the next slot.
			const sentAt = await budget.acquire(async (ms) => {
				clock.t += ms;
			});
			const arrival = sentAt + 2;
			const decision = limiter.check('k', 10, W, arrival);
			expect(decision.allowed).toBe(true);
			arrivals.push(arrival);
			answers.push({ at: arrival + 2000, sentAt, headers: decision.headers });
			if (i === 9) {
				clock.t += 2000;
				for (const a of answers.splice(0)) observe(budget, a.headers, a.sentAt, 200);
			}
		}
		const eleventhArrival = arrivals[10];
		expect(eleventhArrival).toBeGreaterThanOrEqual(arrivals[0] + W);
		expect(eleventhArrival).toBeLessThanOrEqual(arrivals[0] + W + 1000 + RESET_MARGIN_MS + 2);
	});
});
