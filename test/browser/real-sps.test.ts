/**
 * `samlkit serve` in a real browser, with real SPs: headless chromium opens a
 * protected page of Shibboleth SP (Apache + mod_shib + shibd, over TLS) and of
 * SimpleSAMLphp (php -S), both at their shipped defaults (the settings their
 * harnesses must set are listed in test/peers/support/), and a third SP played
 * by @node-saml/node-saml (test/serve/support.ts). The user signs in on serve's
 * login form once, reaches the other SPs without a form, and "Log out
 * everywhere" on serve's session page ends every SP session: SimpleSAMLphp's
 * through a hidden iframe, Shibboleth's and node-saml's through the native
 * redirect chain.
 *
 * serve registers each SP from the metadata the SP generates itself, and picks
 * each SP's logout method from it (the back channel when it lists SOAP, else the
 * native chain) unless told otherwise. Two choices make the logout exercise both
 * browser methods:
 * - Shibboleth lists SOAP first, and serve does not trust Shibboleth's per-run
 *   TLS certificate on its back channel, so the metadata given to serve leaves
 *   SOAP out: Shibboleth is logged out by the native chain, hop by hop.
 * - SimpleSAMLphp is registered with `logoutMethod: 'frontchannel_iframe'`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningIdp, startIdp } from '../../src/serve/index.js';
import { freePort, removeDir, tempDir } from '../peers/support/processes.js';
import { type ShibbolethSp, shibbolethInstalled, startShibboleth } from '../peers/support/shibboleth.js';
import {
  type SimpleSamlPhp,
  simpleSamlPhpInstalled,
  startSimpleSamlPhp,
} from '../peers/support/simplesamlphp.js';
import { type NodeSamlSp, startNodeSamlSp } from '../serve/support.js';
import {
  findChromium,
  launchBrowser,
  navigateUntil,
  navigationTrace,
  openPrivatePage,
  type Page,
  pageText,
  type RunningBrowser,
  watchPage,
} from '../support/browser.js';

const ready = Boolean(findChromium()) && shibbolethInstalled() && simpleSamlPhpInstalled();

const password = 'correct horse battery staple';
/**
 * The user. Attribute names are the OIDs of the X.500/LDAP attribute profile.
 * Shibboleth's shipped attribute-map.xml maps eduPersonEntitlement (its LDAP
 * entries, mail and givenName among them, are commented out as shipped);
 * SimpleSAMLphp passes every attribute through as named.
 */
const alice = {
  username: 'alice',
  password,
  attributes: {
    // serve's source of the emailAddress NameID, which node-saml asks for by default.
    email: 'alice@example.org',
    'urn:oid:0.9.2342.19200300.100.1.3': 'alice@example.org',
    'urn:oid:2.5.4.42': 'Alice',
    'urn:oid:1.3.6.1.4.1.5923.1.1.1.7': ['urn:mace:example.org:wiki:edit', 'urn:mace:example.org:wiki:read'],
  },
};

let dataDir: string;
let idp: RunningIdp;
let shibboleth: ShibbolethSp;
let simpleSamlPhp: SimpleSamlPhp;
let nodeSaml: NodeSamlSp;
let running: RunningBrowser;
/** One user's browser: its cookie jar carries the sessions from test to test. */
let page: Page;
/** Top-level URLs the browser requested since the step began (redirect hops included). */
let mark = 0;
const visited = (): URL[] =>
  navigationTrace(page)
    .slice(mark)
    .filter((line) => !line.startsWith(' '))
    .map((line) => new URL(line.slice(line.indexOf(' ') + 1)));
/** URLs the page's iframes requested since the step began. */
const framesVisited = (): URL[] =>
  navigationTrace(page)
    .slice(mark)
    .filter((line) => line.startsWith('  [frame] '))
    .map((line) => new URL(line.slice(line.lastIndexOf(' ') + 1)));

/** Shibboleth's metadata without its SOAP SingleLogoutService (see the file comment). */
const withoutSoapLogout = (xml: string) =>
  xml.replace(/<(?:md:)?SingleLogoutService\b[^>]*bindings:SOAP"[^>]*\/>\s*/g, '');

interface SimpleSamlPhpState {
  authenticated?: boolean;
  attributes?: Record<string, string[]>;
}

async function simpleSamlPhpState(): Promise<SimpleSamlPhpState> {
  await page.goto(`${simpleSamlPhp.appUrl}?whoami=1`);
  return JSON.parse(await pageText(page)) as SimpleSamlPhpState;
}

/** What Shibboleth's Session handler shows this browser. */
async function shibbolethSession(): Promise<string> {
  await page.goto(`${shibboleth.origin}/Shibboleth.sso/Session`);
  return pageText(page);
}

const at = (origin: string, pathname: string) => (url: URL) =>
  url.origin === origin && url.pathname === pathname;

describe.skipIf(!ready)('samlkit serve in chromium with Shibboleth SP, SimpleSAMLphp and node-saml', () => {
  beforeAll(async () => {
    // serve's URL and keys must be known before the SPs start, and the SPs' metadata before serve
    // registers them: a first start on a chosen port creates the keys in dataDir, a second start
    // on the same port and dataDir (keys are never overwritten) registers the SPs.
    dataDir = tempDir('serve-browser');
    const port = await freePort();
    const first = await startIdp({ port, dataDir });
    const { entityId, metadata } = first;
    await first.close();

    shibboleth = await startShibboleth({ idpEntityId: entityId, idpMetadata: metadata });
    simpleSamlPhp = await startSimpleSamlPhp(entityId, { browser: true });
    simpleSamlPhp.trustIdp(metadata);
    nodeSaml = await startNodeSamlSp('node-saml');
    idp = await startIdp({
      port,
      dataDir,
      users: [alice],
      serviceProviders: [
        withoutSoapLogout(await shibboleth.metadata()),
        { metadata: await simpleSamlPhp.metadata(), logoutMethod: 'frontchannel_iframe' },
        nodeSaml.metadata,
      ],
    });
    expect(idp.metadata).toBe(metadata);
    nodeSaml.trust(idp);

    running = await launchBrowser({ trust: [shibboleth.tlsCertificate] });
    page = await openPrivatePage(running.browser);
  }, 120_000);
  afterAll(async () => {
    await running?.close();
    await shibboleth?.stop();
    await simpleSamlPhp?.stop();
    await idp?.close();
    if (dataDir) removeDir(dataDir);
  });

  it('registers every SP from its own metadata', async () => {
    expect(idp.serviceProviders).toEqual([shibboleth.entityId, simpleSamlPhp.entityId, nodeSaml.entityId]);
    const given = withoutSoapLogout(await shibboleth.metadata());
    expect(given).toMatch(/SingleLogoutService[^>]*bindings:HTTP-Redirect"/);
    expect(given).not.toMatch(/SingleLogoutService[^>]*bindings:SOAP"/);
  });

  it("sends the user from Shibboleth's protected page to the login form, and back signed in", async (context) => {
    watchPage(context, page);
    mark = navigationTrace(page).length;
    await navigateUntil(
      page,
      () => page.goto(shibboleth.secureUrl),
      (url) => url.origin === idp.url && url.pathname === '/login',
    );
    expect(await page.title()).toMatch(/sign in/i);
    // Not signed in: a wrong password shows the form again.
    await page.locator('input[name="username"]').fill('alice');
    await page.locator('input[name="password"]').fill('not the password');
    await navigateUntil(
      page,
      () => page.click('button[type="submit"]'),
      (url) => url.origin === idp.url && url.pathname === '/login',
    );
    expect(await pageText(page)).toMatch(/username or password is wrong/i);
    await page.locator('input[name="username"]').fill('alice');
    await page.locator('input[name="password"]').fill(password);
    await navigateUntil(
      page,
      () => page.click('button[type="submit"]'),
      at(shibboleth.origin, '/secure/index.html'),
    );
    expect(await pageText(page)).toContain('protected page');
    // The browser went Shibboleth -> serve's /sso -> /login -> Shibboleth's ACS -> the page.
    expect(visited().some(at(idp.url, '/sso'))).toBe(true);
    expect(visited().some(at(shibboleth.origin, '/Shibboleth.sso/SAML2/POST'))).toBe(true);

    const session = await shibbolethSession();
    expect(session).toContain(`Identity Provider: ${idp.entityId}`);
    expect(session).toMatch(/entitlement: 2 value/);
  }, 60_000);

  it('signs the user in to SimpleSAMLphp without a form (the IdP session)', async (context) => {
    watchPage(context, page);
    mark = navigationTrace(page).length;
    await navigateUntil(page, () => page.goto(simpleSamlPhp.appUrl), at(simpleSamlPhp.origin, '/app.php'));
    const state = JSON.parse(await pageText(page)) as SimpleSamlPhpState;
    expect(state.authenticated).toBe(true);
    expect(state.attributes?.['urn:oid:0.9.2342.19200300.100.1.3']).toEqual(['alice@example.org']);
    expect(state.attributes?.['urn:oid:1.3.6.1.4.1.5923.1.1.1.7']).toHaveLength(2);
    expect(visited().some(at(idp.url, '/sso'))).toBe(true);
    expect(visited().some(at(idp.url, '/login'))).toBe(false);
  }, 60_000);

  it('signs the user in to the node-saml SP without a form too', async (context) => {
    watchPage(context, page);
    mark = navigationTrace(page).length;
    await navigateUntil(page, () => page.goto(`${nodeSaml.origin}/login`), at(nodeSaml.origin, '/acs'));
    expect(await pageText(page)).toContain('node-saml: welcome');
    expect(nodeSaml.outcomes.at(-1)).toMatchObject({ ok: true });
    expect(visited().some(at(idp.url, '/login'))).toBe(false);
    await page.goto(`${nodeSaml.origin}/home`);
    expect(await pageText(page)).toMatch(/signed in as/);
  }, 60_000);

  it('lists every SP on the session page; "Log out everywhere" ends every SP session', async (context) => {
    watchPage(context, page);
    await page.goto(`${idp.url}/session`);
    const listed = await pageText(page);
    expect(listed).toContain(shibboleth.entityId);
    expect(listed).toContain(simpleSamlPhp.entityId);
    expect(listed).toContain(nodeSaml.entityId);

    mark = navigationTrace(page).length;
    await navigateUntil(
      page,
      () => page.click('button[type="submit"]'),
      (url) => url.origin === idp.url && url.pathname === '/',
    );
    // Shibboleth by the native chain: the page itself carried the LogoutRequest there and the answer back.
    expect(visited().some((url) => url.origin === shibboleth.origin && /\/SLO\//.test(url.pathname))).toBe(
      true,
    );
    expect(visited().some(at(idp.url, '/slo'))).toBe(true);
    expect(visited().some(at(nodeSaml.origin, '/slo'))).toBe(true);
    // SimpleSAMLphp in a hidden iframe of serve's logout page, never in the page itself.
    expect(visited().some((url) => url.origin === simpleSamlPhp.origin)).toBe(false);
    expect(
      framesVisited().some((url) => url.origin === simpleSamlPhp.origin && /saml2-logout/.test(url.pathname)),
    ).toBe(true);

    expect(await shibbolethSession()).toMatch(/A valid session was not found/);
    expect((await simpleSamlPhpState()).authenticated).toBe(false);
    expect(nodeSaml.sessions.size).toBe(0);
    await page.goto(`${nodeSaml.origin}/home`);
    expect(await pageText(page)).toMatch(/signed out/);
    await page.goto(`${idp.url}/session`);
    expect(await pageText(page)).toMatch(/not signed in/i);
  }, 60_000);

  it('asks for the password again after logging out', async (context) => {
    watchPage(context, page);
    await navigateUntil(
      page,
      () => page.goto(simpleSamlPhp.appUrl),
      (url) => url.origin === idp.url && url.pathname === '/login',
    );
    expect(await page.$('input[name="password"]')).not.toBeNull();
  }, 60_000);
});
