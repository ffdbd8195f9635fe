#!/usr/bin/env node
// Small client for a running n8n (1.x and 2.x) used by scripts/e2e/lib.sh. No dependencies
// except playwright-core for `screenshot` (resolved through NODE_PATH, see lib.sh).
//
//   n8n-rest.mjs setup-owner <baseUrl> <email> <password>
//       POST /rest/owner/setup (skipped when an owner exists), then checks /rest/login.
//   n8n-rest.mjs rest <baseUrl> <email> <password> <METHOD> <path> [jsonBody]
//       Logs in, calls the REST API, prints the JSON answer (unwrapped from {data}).
//   n8n-rest.mjs rest-batch <baseUrl> <email> <password> <calls.json>
//       Logs in ONCE, then makes each call of the file's array [{method, path, body?, out}]:
//       writes the JSON answer (unwrapped from {data}) to `out` and the HTTP status to
//       `out`.status. n8n allows 5 logins a minute per address (express-rate-limit on
//       POST /rest/login): several checks in one login leave room for the editor's sign-in.
//   n8n-rest.mjs screenshot <baseUrl> <email> <password> <path> <out.png> [waitSelector] [-- …]
//       Headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium): signs in through the UI
//       once, then for each "<path> <out.png> [waitSelector]" group (separated by --) opens
//       <path> (e.g. /workflow/<id>, or /workflow/<id>/<nodeId> for the node's parameter panel),
//       waits for waitSelector (default: a canvas node; use '[data-test-id="ndv"]' for the panel)
//       and takes a 1440x900 screenshot. Non-loopback requests are aborted and reported.
//       A group may add "[clickSelector] [afterClickSelector]": after the wait, click the first
//       match of clickSelector (e.g. a dropdown's input), wait for afterClickSelector, then shoot.
//       N8N_E2E_THEME=dark|light: the editor theme (n8n's own setting, localStorage N8N_THEME,
//       and the browser's color scheme); default: n8n's default (light).
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';

const [cmd, baseUrl, email, password, ...args] = process.argv.slice(2);
const log = (...a) => console.error('[n8n-rest]', ...a);

async function call(method, path, body, cookie) {
	const res = await fetch(baseUrl + path, {
		method,
		headers: {
			'content-type': 'application/json',
			...(cookie ? { cookie } : {}),
		},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = text;
	}
	return { status: res.status, json, setCookie: res.headers.getSetCookie?.() ?? [] };
}

async function login() {
	// 1.123+ and 2.x take emailOrLdapLoginId; older 1.x took email. Send both (zod strips extras).
	const r = await call('POST', '/rest/login', { emailOrLdapLoginId: email, email, password });
	if (r.status !== 200) throw new Error(`login failed: HTTP ${r.status} ${JSON.stringify(r.json)}`);
	const auth = r.setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
	if (!auth) throw new Error('login: no n8n-auth cookie');
	return auth;
}

async function setupOwner() {
	const settings = await call('GET', '/rest/settings');
	const um = settings.json?.data?.userManagement ?? {};
	if (um.showSetupOnFirstLoad === false) {
		log('owner already set up');
	} else {
		const r = await call('POST', '/rest/owner/setup', {
			email,
			firstName: 'E2E',
			lastName: 'Owner',
			password,
		});
		if (r.status !== 200)
			throw new Error(`owner setup failed: HTTP ${r.status} ${JSON.stringify(r.json)}`);
		log('owner created:', email);
	}
	await login();
	log('login ok');
}

async function rest(method, path, body) {
	const cookie = await login();
	const r = await call(method.toUpperCase(), path, body ? JSON.parse(body) : undefined, cookie);
	process.stdout.write(JSON.stringify(r.json?.data ?? r.json, null, 2) + '\n');
	if (r.status >= 400) {
		log(`HTTP ${r.status}`);
		process.exit(1);
	}
}

async function restBatch(file) {
	const calls = JSON.parse(readFileSync(file, 'utf8'));
	const cookie = await login();
	for (const c of calls) {
		const r = await call(c.method.toUpperCase(), c.path, c.body, cookie);
		writeFileSync(c.out, JSON.stringify(r.json?.data ?? r.json, null, 2) + '\n');
		writeFileSync(`${c.out}.status`, `${r.status}\n`);
	}
}

// shots: [[path, out, waitSelector?], …] taken in one browser session (login once).
async function screenshot(shots) {
	const require = createRequire(import.meta.url);
	const { chromium } = require('playwright-core');
	const t0 = Date.now();
	const theme = ['dark', 'light'].includes(process.env.N8N_E2E_THEME)
		? process.env.N8N_E2E_THEME
		: '';
	const userDataDir = mkdtempSync(join(tmpdir(), 'n8n-e2e-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
		headless: true,
		viewport: { width: 1440, height: 900 },
		...(theme ? { colorScheme: theme } : {}),
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
	// The machine has no network beyond loopback: abort (and report) any other request, so a
	// page never hangs on an unreachable host and outbound traffic is visible in the log.
	const base = new URL(baseUrl);
	const blocked = new Set();
	await context.route('**/*', (route) => {
		const u = new URL(route.request().url());
		const local =
			u.protocol === 'data:' ||
			u.protocol === 'blob:' ||
			u.hostname === base.hostname ||
			u.hostname === 'localhost' ||
			u.hostname === '127.0.0.1' ||
			u.hostname === '[::1]';
		if (local) return route.continue();
		blocked.add(u.origin);
		return route.abort();
	});
	// n8n's editor reads its theme from localStorage (Settings → Personal → Theme).
	if (theme) await context.addInitScript((t) => localStorage.setItem('N8N_THEME', t), theme);
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		page.setDefaultTimeout(Number(process.env.N8N_E2E_UI_TIMEOUT_MS || 60000));
		page.on('pageerror', (e) => log('page error:', e.message));
		await page.goto(baseUrl + '/signin', { waitUntil: 'domcontentloaded' });
		const emailInput = page
			.locator('input[name="emailOrLdapLoginId"], input[name="email"], input[type="email"]')
			.first();
		await emailInput.fill(email);
		await page.locator('input[name="password"], input[type="password"]').first().fill(password);
		await page.keyboard.press('Enter');
		await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
		log(`signed in after ${Date.now() - t0} ms`);
		for (const [path, out, waitSelector, clickSelector, afterClickSelector] of shots) {
			const t1 = Date.now();
			await page.goto(baseUrl + path, { waitUntil: 'domcontentloaded' });
			await page
				.locator(waitSelector || '[data-test-id="canvas-node"]')
				.first()
				.waitFor({ state: 'visible' });
			await page.waitForTimeout(1500); // let the canvas fit-to-view / NDV animations settle
			if (clickSelector) {
				// Optional click step (e.g. open a dropdown), then wait for what it shows.
				await page.locator(clickSelector).first().click();
				if (afterClickSelector)
					await page.locator(afterClickSelector).first().waitFor({ state: 'visible' });
				await page.waitForTimeout(800);
			}
			mkdirSync(dirname(resolve(out)), { recursive: true });
			await page.screenshot({ path: out });
			// The visible text next to it, so scripts can assert on what the page shows.
			// (innerText, then the values shown in input fields, e.g. the selected option of a dropdown).
			const text = await page.evaluate(() =>
				[
					document.body.innerText,
					...[...document.querySelectorAll('input, textarea')].map((e) => e.value).filter(Boolean),
				].join('\n'),
			);
			writeFileSync(out.replace(/\.png$/, '') + '.txt', text);
			log(`screenshot written: ${out} (${Date.now() - t1} ms)`);
		}
		if (blocked.size) log('blocked non-loopback requests to:', [...blocked].join(' '));
	} finally {
		await context.close();
		rmSync(userDataDir, { recursive: true, force: true });
	}
}

try {
	if (cmd === 'setup-owner') await setupOwner();
	else if (cmd === 'rest') await rest(...args);
	else if (cmd === 'rest-batch') await restBatch(...args);
	else if (cmd === 'screenshot') {
		// <path> <out.png> [waitSelector] [-- <path> <out.png> [waitSelector]]…
		const shots = [[]];
		for (const a of args) a === '--' ? shots.push([]) : shots.at(-1).push(a);
		await screenshot(shots.filter((s) => s.length >= 2));
	} else {
		log('usage: setup-owner|rest|rest-batch|screenshot <baseUrl> <email> <password> …');
		process.exit(2);
	}
} catch (e) {
	log(e.message ?? e);
	process.exit(1);
}
