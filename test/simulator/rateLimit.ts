/**
 * Sliding-window rate limiter, one window per API key (the simulator treats each key as one "user").
 * Every checked request is recorded, including the ones answered 429 (docs: failed requests count).
 */
export interface RateDecision {
	allowed: boolean;
	headers: Record<string, string>;
}

export class RateLimiter {
	private windows = new Map<string, number[]>();

	check(key: string, limit: number, windowMs: number, now: number): RateDecision {
		let w = this.windows.get(key);
		if (!w) {
			w = [];
			this.windows.set(key, w);
		}
		// prune entries that left the window
		let drop = 0;
		while (drop < w.length && w[drop] + windowMs <= now) drop++;
		if (drop) w.splice(0, drop);
		w.push(now);
		const count = w.length;
		const allowed = count <= limit;
		const headers: Record<string, string> = {
			'X-RateLimit-Limit': String(limit),
			'X-RateLimit-Remaining': String(Math.max(0, limit - count)),
			// the moment the oldest request in the window leaves it, Unix seconds rounded up
			'X-RateLimit-Reset': String(Math.ceil((w[0] + windowMs) / 1000)),
		};
		if (!allowed) {
			// The next request is allowed once (count - limit + 1) oldest entries have left the window,
			// i.e. when entry index (count - limit) leaves.
			const idx = Math.min(w.length - 1, Math.max(0, count - limit));
			const waitMs = w[idx] + windowMs - now;
			headers['Retry-After'] = String(Math.max(1, Math.ceil(waitMs / 1000)));
		}
		return { allowed, headers };
	}

	reset(): void {
		this.windows.clear();
	}
}
