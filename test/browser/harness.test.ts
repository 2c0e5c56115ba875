/**
 * The browser harness itself: Debian's chromium starts headless, renders a
 * page, keeps cookie jars apart per page, saves a screenshot and the HTML of a
 * page, and trusts a per-run TLS certificate only when told to, by its key.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findChromium,
  launchBrowser,
  openPage,
  pageText,
  type RunningBrowser,
  savePage,
} from '../support/browser.js';
import { certificatePem, privateKeyPem } from '../support/keys.js';

const chromium = findChromium();

let running: RunningBrowser;
let server: Server;
let origin: string;

describe.skipIf(!chromium)('browser harness (headless chromium)', () => {
  beforeAll(async () => {
    // A page that sets a cookie and shows the cookie it was sent.
    server = createServer((req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      if (req.url === '/set') res.setHeader('set-cookie', 'jar=one; Path=/; HttpOnly; SameSite=Lax');
      res.end(
        `<!DOCTYPE html><title>harness</title><p id="cookie">cookie: ${req.headers.cookie ?? 'none'}</p>`,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    running = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await running?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('renders a page from a local server', async (context) => {
    const page = await openPage(context, running.browser);
    const response = await page.goto(`${origin}/set`);
    expect(response?.status()).toBe(200);
    expect(await pageText(page)).toContain('cookie: none');
    await page.goto(`${origin}/again`);
    expect(await pageText(page)).toContain('cookie: jar=one');
  });

  it('gives each page its own cookie jar', async (context) => {
    const page = await openPage(context, running.browser);
    await page.goto(`${origin}/fresh`);
    expect(await pageText(page)).toContain('cookie: none');
  });

  it('saves a screenshot and the HTML of a page', async (context) => {
    const page = await openPage(context, running.browser);
    await page.goto(`${origin}/shot`);
    const path = await savePage(page, 'harness self-check');
    try {
      expect(readFileSync(path).subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(readFileSync(path.replace(/\.png$/, '.html'), 'utf8')).toContain('<title>harness</title>');
    } finally {
      rmSync(path, { force: true });
      rmSync(path.replace(/\.png$/, '.html'), { force: true });
    }
    expect(existsSync(path)).toBe(false);
  });

  it('trusts a per-run TLS certificate by its key, and no other', async (context) => {
    // A self-signed certificate no CA vouches for, as the real SPs' per-run ones are.
    const tls = createHttpsServer({ cert: certificatePem('sp-a'), key: privateKeyPem('sp-a') }, (_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>tls</title><p>over tls</p>'),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const address = tls.address();
    const url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    const trusting = await launchBrowser({ trust: [certificatePem('sp-a')] });
    try {
      const page = await openPage(context, trusting.browser);
      await page.goto(url);
      expect(await pageText(page)).toContain('over tls');
      const untrusting = await openPage(context, running.browser);
      await expect(untrusting.goto(url)).rejects.toThrow(/ERR_CERT/);
    } finally {
      await trusting.close();
      await new Promise((resolve) => tls.close(resolve));
    }
  }, 60_000);
});
