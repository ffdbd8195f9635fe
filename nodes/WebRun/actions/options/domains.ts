/** Host names and domain patterns the user types (Avoid Domains, Secrets, a proxy's host). */

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';

/** A host name: dot-separated labels, 253 characters at most. */
export const HOST = new RegExp(`^(?=.{1,253}$)(${LABEL}\\.)*${LABEL}$`, 'i');

/** Accepts "example.com", "*.example.com" or a web URL, and returns the host pattern. */
export function parseDomain(entry: string): string | undefined {
	const value = entry.trim();
	if (value.includes('://')) {
		try {
			const url = new URL(value);
			if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
			return url.hostname;
		} catch {
			return undefined;
		}
	}
	const host = value.startsWith('*.') ? value.slice(2) : value;
	return HOST.test(host) ? value.toLowerCase() : undefined;
}
