// Headless Chromium driven by puppeteer-core, for the e2e tests of what a user sees in n8n's
// editor. The browser is the build the npm package @sparticuz/chromium carries (a dev dependency:
// nothing to install by hand, nothing downloaded at run time), or G2S_CHROMIUM. puppeteer-core never
// downloads one: a missing build fails the suite saying so, rather than skipping anything.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';

// The little of the DOM the page functions below use (the project compiles without the DOM lib,
// whose fetch types clash with Node's). Page functions are serialised: they cannot share helpers.
interface PageElement {
	innerText: string;
	getClientRects(): { length: number };
}
interface PageWindow {
	document: { querySelectorAll(selector: string): ArrayLike<PageElement> };
}

export const SCREENSHOT_DIR = path.resolve(__dirname, '..', '..', '.test-results', 'screenshots');

const CHROMIUM_PACKAGE = '@sparticuz/chromium';
let chromium: string | undefined;

/**
 * G2S_CHROMIUM, or the package's build: it ships brotli-packed and unpacks itself into the temp
 * folder (`executablePath()`), here one folder per package version so that no other version's
 * unpacked copy is taken. The package is ESM-only, which Jest's module loader does not load:
 * a plain Node process unpacks it.
 */
export function chromiumPath(): string {
	if (process.env.G2S_CHROMIUM) return process.env.G2S_CHROMIUM;
	if (chromium) return chromium;
	const root = path.resolve(__dirname, '..', '..');
	const pkgJson = path.join(root, 'node_modules', CHROMIUM_PACKAGE, 'package.json');
	if (!fs.existsSync(pkgJson)) {
		throw new Error(`Chromium not found: no ${CHROMIUM_PACKAGE} in node_modules (run the README's set-up), or set G2S_CHROMIUM to a Chromium binary.`);
	}
	const { version } = JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version: string };
	const folder = path.join(os.tmpdir(), `g2s-chromium-${version}`);
	fs.mkdirSync(folder, { recursive: true });
	const script = `import(${JSON.stringify(CHROMIUM_PACKAGE)}).then(async (m) => process.stdout.write(await m.default.executablePath()))`;
	chromium = execFileSync(process.execPath, ['-e', script], { cwd: root, env: { ...process.env, TMPDIR: folder } }).toString().trim();
	return chromium;
}
export interface Chromium {
	browser: Browser;
	page: Page;
	/** Saves a PNG of the page under .test-results/screenshots/ (a run artefact, git-ignored). */
	screenshot(name: string): Promise<string>;
	close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'g2s-chromium-'));
	const browser = await puppeteer.launch({
		executablePath: chromiumPath(),
		// the package's build is Chromium's headless shell
		headless: 'shell',
		userDataDir,
		// this machine's network is closed: without the background-networking flags Chromium keeps
		// trying to reach Google's hosts; --no-sandbox because CI runs as root; --no-zygote as the
		// package's own launch flags have it (its build has no zygote helper)
		args: [
			'--no-zygote',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--window-size=1440,900',
		],
		defaultViewport: { width: 1440, height: 900 },
		protocolTimeout: 120_000,
	});
	const page = await browser.newPage();
	// generous: the first editor load compiles a large bundle, and CI machines are shared
	page.setDefaultTimeout(60_000);
	page.setDefaultNavigationTimeout(180_000);
	// leaving an editor page with changes asks "leave site?": a test navigating on means yes
	page.on('dialog', (dialog) => void dialog.accept().catch(() => {}));
	fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const pid = browser.process()?.pid;
	return {
		browser,
		page,
		async screenshot(name: string) {
			const file = path.join(SCREENSHOT_DIR, `${name}.png`);
			await page.screenshot({ path: file as `${string}.png` });
			return file;
		},
		async close() {
			await browser.close().catch(() => {
				if (pid) process.kill(pid, 'SIGKILL');
			});
			fs.rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}

/** The CSS selector of n8n's `data-test-id` attribute. */
export const testId = (id: string) => `[data-test-id="${id}"]`;

/** Visible text of the first element matching `selector` (waits for it). */
export async function textOf(page: Page, selector: string): Promise<string> {
	const el = await page.waitForSelector(selector, { visible: true });
	return (await el!.evaluate((node) => (node as unknown as PageElement).innerText)).trim();
}

/** Waits until the page's visible text contains `text`; fails naming what was shown instead. */
export async function waitForText(page: Page, text: string, within = 'body', timeoutMs = 30_000): Promise<void> {
	try {
		await page.waitForFunction(
			(sel: string, wanted: string) =>
				Array.from((globalThis as unknown as PageWindow).document.querySelectorAll(sel)).some((el) => el.innerText.includes(wanted)),
			{ timeout: timeoutMs },
			within,
			text,
		);
	} catch {
		const shown = await page
			.$$eval(within, (els) => els.map((el) => (el as unknown as PageElement).innerText).join('\n---\n'))
			.catch(() => '');
		throw new Error(`"${text}" did not appear in ${within} within ${timeoutMs} ms; shown:\n${shown.slice(0, 1500)}`);
	}
}

/**
 * Clicks the innermost visible element matching `selector` whose text contains `text` (the
 * label itself, not a container around it).
 */
export async function clickByText(page: Page, selector: string, text: string): Promise<void> {
	const handle = await page.waitForFunction(
		(sel: string, wanted: string) =>
			Array.from((globalThis as unknown as PageWindow).document.querySelectorAll(sel))
				.filter((el) => el.getClientRects().length > 0 && (el.innerText ?? '').includes(wanted))
				.pop(),
		{},
		selector,
		text,
	);
	await (handle as ElementHandle).click();
}
