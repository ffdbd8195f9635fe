/**
 * Runs `worker` over `indices` with at most `concurrency` at once, in input order of start.
 * `stop()` lets a worker prevent further starts; items already running finish.
 */
export async function runPool(
	indices: number[],
	concurrency: number,
	worker: (index: number, stop: () => void) => Promise<void>,
): Promise<void> {
	let next = 0;
	let stopped = false;
	const stop = () => {
		stopped = true;
	};
	const lanes = Math.max(1, Math.min(concurrency, indices.length));
	await Promise.all(
		Array.from({ length: lanes }, async () => {
			while (!stopped && next < indices.length) {
				const index = indices[next++];
				await worker(index, stop);
			}
		}),
	);
}
