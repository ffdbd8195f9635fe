/** The per-process account registry (account/registry.ts): one account per id, nothing kept for long. */
import { accountCount, forgetAccounts, openAccount } from '../../../nodes/WebRun/account/registry';

beforeEach(() => forgetAccounts());

test('executions of the same account share one budget and one view of its sessions', () => {
	const a = openAccount('hash-of-account-a');
	const b = openAccount('hash-of-account-a');
	const other = openAccount('hash-of-account-b');
	expect(b.account).toBe(a.account);
	expect(other.account).not.toBe(a.account);
	a.account.sessions.taskStarted();
	expect(b.account.sessions.held).toBe(1);
	a.account.sessions.taskEnded();
	for (const handle of [a, b, other]) handle.release();
});

test('an account in use stays; one nobody uses is dropped once it has nothing to remember', async () => {
	const a = openAccount('hash-a');
	const sentAt = await a.account.budget.acquire(async () => undefined);
	// A rate-limited server: the start counts in the window, so the account is kept after release.
	a.account.budget.observe({ limit: 10, remaining: 9, resetAt: sentAt + 60_000 }, sentAt, 200);
	a.release();
	expect(accountCount()).toBe(1);
	// A server without rate-limit headers: nothing to remember, dropped at release.
	const b = openAccount('hash-b');
	const sent = await b.account.budget.acquire(async () => undefined);
	b.account.budget.observe(undefined, sent, 200);
	b.release();
	expect(accountCount()).toBe(1);
});

test('memory does not grow with the number of executions', () => {
	for (let i = 0; i < 1000; i++) {
		const handle = openAccount('hash-of-one-account');
		handle.release();
		handle.release(); // a second release is harmless
	}
	expect(accountCount()).toBeLessThanOrEqual(1);
});
