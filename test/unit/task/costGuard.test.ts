/**
 * The run's cost figures (task/costGuard.ts CostGuard): only valid figures count, and what is counted
 * for a task only grows (issue 18 case 11).
 */
import { CostGuard } from '../../../nodes/WebRun/task/costGuard';

test('negative, NaN and infinite figures are not counted', () => {
	const costs = new CostGuard();
	expect(costs.report(0, 0.6)).toBe(0.6);
	expect(costs.report(1, -0.5)).toBeUndefined();
	expect(costs.report(2, Number.NaN)).toBeUndefined();
	expect(costs.report(3, Number.POSITIVE_INFINITY)).toBeUndefined();
	expect(costs.report(4, Number.NEGATIVE_INFINITY)).toBeUndefined();
	expect(costs.total()).toBe(0.6);
});

test("a task's later, lower figure does not lower what was counted", () => {
	const costs = new CostGuard();
	costs.report(0, 0.8);
	expect(costs.report(0, 0.1)).toBe(0.8);
	expect(costs.report(0, -3)).toBe(0.8);
	expect(costs.report(0, 0.9)).toBe(0.9);
	costs.report(1, 0.2);
	expect(costs.total()).toBeCloseTo(1.1, 10);
});

test('the total only ever grows, whatever the answers say', () => {
	const costs = new CostGuard();
	const figures = [0.3, -1, 0.1, Number.NaN, 0.5, 0, -0.0001, 0.45, 1e-9, 2];
	let last = 0;
	figures.forEach((cost, i) => {
		costs.report(i % 3, cost);
		expect(costs.total()).toBeGreaterThanOrEqual(last);
		last = costs.total();
	});
	// Each task counts its highest figure: 2 (task 0), 0.5 (task 1), 0.1 (task 2).
	expect(last).toBeCloseTo(2 + 0.5 + 0.1, 10);
});
