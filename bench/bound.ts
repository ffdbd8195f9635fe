/**
 * The rate-limit bound: the earliest moment all of `n` equal tasks (duration `durationMs`) can have
 * ended when at most `concurrency` run at once and at most `limit` may start in any sliding window
 * of `windowMs` (a start at t counts until t + windowMs, as the server counts it).
 *
 * With equal durations, starting every task as early as both constraints allow is optimal
 * (exchange argument: starting earlier never delays a later start), so the schedule is
 *   s[k] = max(0, s[k - concurrency] + D, s[k - limit] + W)
 * and the bound is s[n - 1] + D. E.g. n = 20, limit 10, concurrency ≥ 10: W + D.
 */
export function rateLimitBound(
	n: number,
	concurrency: number,
	limit: number,
	windowMs: number,
	durationMs: number,
) {
	const starts: number[] = [];
	for (let k = 0; k < n; k++) {
		let s = 0;
		if (k >= concurrency) s = Math.max(s, starts[k - concurrency] + durationMs);
		if (k >= limit) s = Math.max(s, starts[k - limit] + windowMs);
		starts.push(s);
	}
	return { boundMs: n ? starts[n - 1] + durationMs : 0, starts };
}
