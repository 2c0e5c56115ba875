/**
 * Bad input to the pages gets a clear 4xx and changes nothing: no session is
 * created or ended, no AuthnRequest is consumed, nothing is sent to an SP.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningIdp, startIdp } from '../../src/serve/index.js';
import { Browser, type NodeSamlSp, readFormOf, startNodeSamlSp } from './support.js';

describe('bad input to the pages', () => {
  let idp: RunningIdp;
  let sp: NodeSamlSp;
  beforeAll(async () => {
    sp = await startNodeSamlSp('app');
    idp = await startIdp({
      serviceProviders: [sp.metadata],
      users: [{ username: 'alice', password: 'wonderland', attributes: { email: 'alice@example.org' } }],
    });
    sp.trust(idp);
  });
  afterAll(() => idp?.close());

  /** A browser on the login form of a waiting AuthnRequest. */
  async function onLoginForm() {
    const browser = new Browser();
    const login = await browser.open(`${sp.origin}/login`);
    expect(login.url).toMatch(/\/login\?request=/);
    return { browser, form: readFormOf(login.html) };
  }

  /** The waiting request still answers once the real form is submitted: nothing was consumed. */
  async function stillUsable(browser: Browser, form: { fields: Record<string, string> }) {
    const done = await browser.open(`${idp.url}/login`, {
      form: { ...form.fields, username: 'alice', password: 'wonderland' },
    });
    expect(done.html).toBe('app: welcome alice@example.org (relay /home)');
  }

  async function signedIn(browser: Browser) {
    const login = await browser.open(`${sp.origin}/login`);
    await stillUsable(browser, readFormOf(login.html));
  }

  it('a login POST without the CSRF token is 403 and signs nobody in', async () => {
    const { browser, form } = await onLoginForm();
    const { csrf: _, ...rest } = form.fields;
    const response = await browser.request(`${idp.url}/login`, {
      form: { ...rest, username: 'alice', password: 'wonderland' },
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('did not come from this site');
    expect(browser.cookie(idp.url, 'samlkit_session')).toBeUndefined();
    await stillUsable(browser, form);
  });

  it('a CSRF token from another browser (another pre-session cookie) is 403', async () => {
    const mine = await onLoginForm();
    const theirs = await onLoginForm();
    const response = await mine.browser.request(`${idp.url}/login`, {
      form: {
        ...mine.form.fields,
        csrf: theirs.form.fields.csrf!,
        username: 'alice',
        password: 'wonderland',
      },
    });
    expect(response.status).toBe(403);
    expect(mine.browser.cookie(idp.url, 'samlkit_session')).toBeUndefined();
    await stillUsable(mine.browser, mine.form);
  });

  it('a login POST with no pre-session cookie at all (a cross-site form) is 403', async () => {
    const { form } = await onLoginForm();
    const response = await fetch(`${idp.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.fields, username: 'alice', password: 'wonderland' }),
      redirect: 'manual',
    });
    expect(response.status).toBe(403);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('an oversized form is 413', async () => {
    const { browser, form } = await onLoginForm();
    const response = await browser.request(`${idp.url}/login`, {
      form: { ...form.fields, username: 'alice', password: 'x'.repeat(20_000) },
    });
    expect(response.status).toBe(413);
    expect(browser.cookie(idp.url, 'samlkit_session')).toBeUndefined();
    await stillUsable(browser, form);
  });

  it('a body larger than any SAML message is 413 before it is read', async () => {
    // The answer comes before the body is all sent: read it with node:http, which keeps the response.
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${idp.url}/login`);
      const request = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
      });
      request.end('a='.padEnd(2 * 1024 * 1024, 'x'));
    });
    expect(status).toBe(413);
  });

  it.each([
    ['bad percent-encoding', 'username=%E0%A4%A&password=x'],
    ['invalid UTF-8', 'username=%FF%FE&password=x'],
    ['a repeated field', 'username=alice&username=bob&password=x'],
    ['an unexpected field', 'username=alice&password=x&admin=1'],
  ])('a malformed form (%s) is 400', async (_, extra) => {
    const { browser, form } = await onLoginForm();
    const body = `${new URLSearchParams(form.fields).toString()}&${extra}`;
    const response = await browser.request(`${idp.url}/login`, {
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(400);
    expect(browser.cookie(idp.url, 'samlkit_session')).toBeUndefined();
    await stillUsable(browser, form);
  });

  it('a form in another content type is 415', async () => {
    const { browser, form } = await onLoginForm();
    const response = await browser.request(`${idp.url}/login`, {
      body: JSON.stringify({ ...form.fields, username: 'alice', password: 'wonderland' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(415);
    await stillUsable(browser, form);
  });

  it.each([
    'https://evil.example/',
    '//evil.example/',
    '/\\evil.example/',
    'javascript:alert(1)',
    '/session\r\nSet-Cookie: x=1',
  ])('an open-redirect return address (%j) is 400, on the form and on submit', async (target) => {
    const browser = new Browser();
    const page = await browser.request(`${idp.url}/login?return=${encodeURIComponent(target)}`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('must be a page of this identity provider');
    const login = await browser.open(`${idp.url}/login`);
    const form = readFormOf(login.html);
    const response = await browser.request(`${idp.url}/login`, {
      form: { ...form.fields, return: target, username: 'alice', password: 'wonderland' },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(browser.cookie(idp.url, 'samlkit_session')).toBeUndefined();
  });

  it('a local return address is followed after signing in', async () => {
    const browser = new Browser();
    const login = await browser.open(`${idp.url}/login?return=${encodeURIComponent('/session')}`);
    const form = readFormOf(login.html);
    const response = await browser.request(`${idp.url}/login`, {
      form: { ...form.fields, username: 'alice', password: 'wonderland' },
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/session');
  });

  it('IdP-initiated SSO takes no RelayState or other parameter from the link: 400', async () => {
    const browser = new Browser();
    await signedIn(browser);
    const sp1 = encodeURIComponent(sp.entityId);
    for (const query of [`sp=${sp1}&RelayState=https%3A%2F%2Fevil.example%2F`, `sp=${sp1}&sp=${sp1}`, '']) {
      const response = await browser.request(`${idp.url}/initiate?${query}`);
      expect(response.status).toBe(400);
    }
    const unknown = await browser.request(
      `${idp.url}/initiate?sp=${encodeURIComponent('https://evil.example/sp')}`,
    );
    expect(unknown.status).toBe(404);
  });

  it('a RelayState URL from the SP goes back only to its registered ACS', async () => {
    const browser = new Browser();
    await signedIn(browser);
    const toIdp = await browser.request(
      `${sp.origin}/login?relay=${encodeURIComponent('https://evil.example/')}`,
    );
    const answer = await browser.request(toIdp.headers.get('location')!);
    const form = readFormOf(await answer.text());
    expect(form.action).toBe(`${sp.origin}/acs`);
    expect(answer.headers.get('content-security-policy')).toContain('form-action http:');
  });

  it('an unknown or forged request reference on the login form is 400', async () => {
    const browser = new Browser();
    for (const reference of ['0'.repeat(64), '../../etc', 'a'.repeat(10_000)]) {
      const response = await browser.request(`${idp.url}/login?request=${encodeURIComponent(reference)}`);
      expect(response.status).toBe(400);
    }
  });

  it('"Log out everywhere" without the CSRF token is 403 and logs nobody out', async () => {
    const browser = new Browser();
    await signedIn(browser);
    const response = await browser.request(`${idp.url}/logout`, { form: {} });
    expect(response.status).toBe(403);
    const forged = await browser.request(`${idp.url}/logout`, { form: { csrf: 'x'.repeat(43) } });
    expect(forged.status).toBe(403);
    expect((await browser.open(`${sp.origin}/home`)).status).toBe(200);
    expect((await browser.open(`${idp.url}/session`)).html).toContain('Signed in as');
  });

  it('unknown pages are 404 and wrong methods 405', async () => {
    expect((await fetch(`${idp.url}/admin`)).status).toBe(404);
    expect((await fetch(`${idp.url}/logout`)).status).toBe(405);
    expect((await fetch(`${idp.url}/session`, { method: 'DELETE' })).status).toBe(405);
  });
});
