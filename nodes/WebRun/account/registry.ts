import { StartBudget } from './budget';
import { SessionSlots } from './sessions';

/**
 * One start budget and one view of the running sessions per WebRun account and n8n process,
 * shared by every execution of the node that uses the account (WebRun's limits belong to the
 * account, not to one execution). Accounts are keyed by the client's `accountId` (a hash of base URL + API
 * key), so the key is not kept in clear beyond the credential. An account nobody uses is dropped as soon as its
 * budget has nothing left to remember (no start inside the window), so memory follows the number
 * of accounts in use, not the number of executions.
 */
export interface Account {
	budget: StartBudget;
	sessions: SessionSlots;
}

interface Entry {
	account: Account;
	users: number;
}

const accounts = new Map<string, Entry>();

function sweep() {
	for (const [key, entry] of accounts) {
		const { budget, sessions } = entry.account;
		if (entry.users === 0 && sessions.isIdle() && budget.isQuiet()) accounts.delete(key);
	}
}

/** The shared account of a credential; call `release` when the node run is done with it. */
export function openAccount(accountId: string): { account: Account; release(): void } {
	sweep();
	let entry = accounts.get(accountId);
	if (!entry) {
		entry = { account: { budget: new StartBudget(), sessions: new SessionSlots() }, users: 0 };
		accounts.set(accountId, entry);
	}
	entry.users++;
	const held = entry;
	let released = false;
	return {
		account: held.account,
		release() {
			if (released) return;
			released = true;
			held.users--;
			sweep();
		},
	};
}

/** Accounts currently remembered (for the benchmark's memory check). */
export function accountCount(): number {
	return accounts.size;
}

/** Forgets every account (tests: a fresh simulator has forgotten its rate-limit window too). */
export function forgetAccounts(): void {
	accounts.clear();
}
