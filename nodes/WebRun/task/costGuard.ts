/**
 * The node run's cost figures: the highest usage.cost seen for each item's task. One per node run.
 * A task's cost only grows, so a lower figure later (or a negative, NaN or infinite one from a
 * broken answer) never lowers what was counted: the totals only go up.
 */
export class CostGuard {
	private readonly latest = new Map<number, number>();

	/**
	 * Records a cost an answer showed for the task of an item; returns what is counted for it (the
	 * highest valid figure so far), or undefined while none was valid.
	 */
	report(itemIndex: number, cost: number): number | undefined {
		const counted = this.latest.get(itemIndex);
		if (!usableCost(cost)) return counted;
		const highest = Math.max(counted ?? 0, cost);
		this.latest.set(itemIndex, highest);
		return highest;
	}

	/** What the run's tasks have cost so far: finished ones, and running ones' latest figure. */
	total(): number {
		let sum = 0;
		for (const cost of this.latest.values()) sum += cost;
		return sum;
	}
}

/** A cost figure that can be counted: a finite number, not below zero. */
function usableCost(cost: unknown): cost is number {
	return typeof cost === 'number' && Number.isFinite(cost) && cost >= 0;
}
