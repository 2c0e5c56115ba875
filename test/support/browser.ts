/**
 * A real browser for the tests: Debian's chromium, driven headless by
 * puppeteer-core (which never downloads a browser build of its own).
 *
 * - `findChromium()` finds the executable (`CHROMIUM_PATH`, else Debian's
 *   /usr/bin/chromium). A missing one skips the suite loudly, and fails it
 *   under CI=true: browser coverage must never vanish silently there.
 * - `launchBrowser()` starts it with the flags a container needs (no sandbox
 *   as root, no /dev/shm use, no GPU) and a throw-away profile, so every
 *   browser starts with an empty cookie jar.
 * - `openPage(context, browser)` opens a page and, when the test fails, writes
 *   a full-page screenshot and the page's HTML into the test output directory
 *   (`SAMLKIT_TEST_OUTPUT`, default `.tmp/test-output/`) and prints their paths.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { TestContext } from 'vitest';

export type { Browser, Page } from 'puppeteer-core';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Where failure screenshots go: `SAMLKIT_TEST_OUTPUT`, or `.tmp/test-output/` (git-ignored). */
export const testOutputDir = resolve(
  process.env.SAMLKIT_TEST_OUTPUT ?? join(repositoryRoot, '.tmp', 'test-output'),
);

/**
 * The chromium executable, or undefined (with a loud warning) when it is not
 * installed. Under CI a missing browser throws.
 */
export function findChromium(): string | undefined {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium'];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not installed here
    }
  }
  const message = `chromium not found (${candidates.join(', ')}): apt-get install chromium, or set CHROMIUM_PATH`;
  if (process.env.CI) throw new Error(`${message}; the browser tests must run on CI`);
  console.warn(`\n[samlkit tests] SKIPPING the browser tests: ${message}\n`);
  return undefined;
}

/**
 * The value chromium's `--ignore-certificate-errors-spki-list` takes for a
 * certificate: base64 SHA-256 of its SubjectPublicKeyInfo. Only that key is
 * trusted, not every certificate, so a test over TLS still checks which server
 * it talks to.
 */
export function spkiHash(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

export interface LaunchOptions {
  /** chromium's path (default: `findChromium()`). */
  executablePath?: string;
  /** PEM certificates of per-run TLS servers the browser trusts (by public key). */
  trust?: readonly string[];
}

export interface RunningBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** Launches headless chromium with an empty throw-away profile. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<RunningBrowser> {
  const executablePath = options.executablePath ?? findChromium();
  if (executablePath === undefined) throw new Error('chromium is not installed');
  const profile = mkdtempSync(join(tmpdir(), 'samlkit-chromium-'));
  const trust = (options.trust ?? []).map(spkiHash);
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    userDataDir: profile,
    // The tests drive pages themselves; no extension, sync or first-run UI.
    args: [
      // As root in a container chromium cannot sandbox itself (no user namespaces).
      '--no-sandbox',
      // /dev/shm is 64 MB in most containers; chromium then crashes on larger pages.
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--password-store=basic',
      ...(trust.length > 0 ? [`--ignore-certificate-errors-spki-list=${trust.join(',')}`] : []),
    ],
    timeout: 30_000,
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const safeName = (name: string) =>
  name
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 100)
    .toLowerCase();

/**
 * Saves what the page shows (PNG, full page) and its HTML into the test output
 * directory; returns the screenshot's path.
 */
export async function savePage(page: Page, name: string): Promise<string> {
  mkdirSync(testOutputDir, { recursive: true });
  const base = join(testOutputDir, `${safeName(name)}-${Date.now()}`);
  const png = `${base}.png`;
  await page.screenshot({ path: png as `${string}.png`, fullPage: true });
  writeFileSync(`${base}.html`, `<!-- ${page.url()} -->\n${await page.content()}`);
  return png;
}

/**
 * Screenshots `page` (and saves its HTML) when the current test fails, for a
 * page that lives across several tests.
 */
export function watchPage(context: TestContext, page: Page, options: { closeAfter?: boolean } = {}): void {
  // One handler, so the screenshot is taken before the page is closed.
  context.onTestFinished(async ({ task }) => {
    if (task.result?.state === 'fail' && !page.isClosed()) {
      try {
        const path = await savePage(page, `${task.file?.name ?? 'browser'}-${task.name}`);
        console.error(`\n[samlkit tests] screenshot of the failed browser test: ${path} (and .html)\n`);
      } catch (error) {
        console.error(`[samlkit tests] no screenshot: ${String(error)}`);
      }
      const trace = navigationTrace(page).slice(-40);
      console.error(
        `[samlkit tests] the page's last navigations:\n${trace.map((line) => line.slice(0, 200)).join('\n')}`,
      );
    }
    if (options.closeAfter)
      await page
        .browserContext()
        .close()
        .catch(() => undefined);
  });
}

/** Each page's top-level requests and their answers, in order (printed when a test fails). */
const traces = new WeakMap<Page, string[]>();

/**
 * The page's navigations so far: `GET url` for the top level, `  -> 302 location` for the answers
 * (redirect hops included), `  [frame] GET url` for its iframes.
 */
export const navigationTrace = (page: Page): readonly string[] => traces.get(page) ?? [];

/** A fresh cookie jar (browser context) with one page in it, its navigations traced. */
export async function openPrivatePage(browser: Browser): Promise<Page> {
  const incognito = await browser.createBrowserContext();
  const page = await incognito.newPage();
  page.setDefaultTimeout(15_000);
  page.setDefaultNavigationTimeout(20_000);
  const trace: string[] = [];
  traces.set(page, trace);
  page.on('request', (request) => {
    if (!request.isNavigationRequest()) return;
    // Top-level requests start a line; an iframe's are indented and marked.
    if (request.frame() === page.mainFrame()) trace.push(`${request.method()} ${request.url()}`);
    else trace.push(`  [frame] ${request.method()} ${request.url()}`);
  });
  page.on('response', (response) => {
    const request = response.request();
    if (request.isNavigationRequest() && request.frame() === page.mainFrame())
      trace.push(
        `  -> ${response.status()}${response.headers().location ? ` ${response.headers().location}` : ''}`,
      );
  });
  page.on('requestfailed', (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame())
      trace.push(
        `  -> failed: ${request.failure()?.errorText ?? 'unknown'} (${request.url().slice(0, 120)})`,
      );
  });
  return page;
}

/**
 * A new page in its own browser context (cookie jar), screenshotted when the
 * test fails and closed after it. Pass the vitest test context.
 */
export async function openPage(context: TestContext, browser: Browser): Promise<Page> {
  const page = await openPrivatePage(browser);
  watchPage(context, page, { closeAfter: true });
  return page;
}

/**
 * Runs `action` (a click, a navigation) and waits until the page has settled
 * on a URL that `arrived` accepts: the SAML bindings pass through redirects
 * and auto-submitted forms, so one action is several navigations.
 */
export async function navigateUntil(
  page: Page,
  action: () => Promise<unknown>,
  arrived: (url: URL) => boolean,
  timeoutMs = 20_000,
): Promise<void> {
  // The first navigation the action starts, so a page already at an accepted URL does not count.
  await Promise.all([page.waitForNavigation({ timeout: timeoutMs, waitUntil: 'load' }), action()]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (arrived(new URL(page.url()))) {
      // Between navigations the document is gone; that read counts as not loaded yet.
      const loaded = await page.evaluate(() => document.readyState === 'complete').catch(() => false);
      if (loaded && arrived(new URL(page.url()))) return;
    }
    if (Date.now() > deadline) throw new Error(`the browser stayed at ${page.url()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The page's text (its body's textContent). */
export const pageText = (page: Page): Promise<string> =>
  page.evaluate(() => document.body?.textContent ?? '');
