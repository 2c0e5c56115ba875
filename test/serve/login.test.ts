import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningIdp, startIdp } from '../../src/serve/index.js';
import { Browser, type NodeSamlSp, readFormOf, startNodeSamlSp } from './support.js';

const users = [
  { username: 'alice', password: 'wonderland', attributes: { email: 'alice@example.org' } },
  { username: 'carol', attributes: { email: 'carol@example.org' } },
];

describe('startIdp in interactive mode: the login page and the session', () => {
  let idp: RunningIdp;
  let wiki: NodeSamlSp;
  let crm: NodeSamlSp;
  let chat: NodeSamlSp;
  beforeAll(async () => {
    wiki = await startNodeSamlSp('wiki');
    crm = await startNodeSamlSp('crm', { key: 'sp-b' });
    chat = await startNodeSamlSp('chat');
    idp = await startIdp({
      serviceProviders: [
        wiki.metadata,
        crm.metadata,
        { metadata: chat.metadata, logoutMethod: 'frontchannel_iframe' },
      ],
      users,
    });
    wiki.trust(idp);
    crm.trust(idp);
    chat.trust(idp);
  });
  afterAll(() => idp?.close());

  /** Opens the SP, lands on the login form and signs in; returns the SP's page. */
  async function signIn(browser: Browser, start: string, password = 'wonderland') {
    const login = await browser.open(start);
    expect(login.url).toMatch(new RegExp(`^${idp.url}/login\\?request=[0-9a-f]{64}$`));
    const form = readFormOf(login.html);
    return browser.open(new URL(form.action, idp.url).toString(), {
      form: { ...form.fields, username: 'alice', password },
    });
  }

  it('shows a login form with a CSRF token, a strict CSP and a pre-session cookie', async () => {
    const browser = new Browser();
    const login = await browser.open(`${wiki.origin}/login`);
    expect(login.status).toBe(200);
    expect(login.html).toContain('<form method="post" action="/login">');
    expect(login.html).toContain('<input id="username" name="username"');
    expect(login.html).toContain('name="password" type="password"');
    expect(login.html).toContain('<button type="submit">Sign in</button>');
    expect(login.html).toContain(wiki.entityId);
    expect(readFormOf(login.html).fields.csrf).toMatch(/^[\w-]{43}$/);
    const csp = login.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[\w+/=]+'/);
    expect(csp).toContain("form-action 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(login.html).not.toMatch(/style="/);
    expect(browser.cookie(idp.url, 'samlkit_login')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs in with the form, sets an HttpOnly SameSite=Lax session cookie, and the second SP needs no form', async () => {
    const browser = new Browser();
    const login = await browser.open(`${wiki.origin}/login`);
    const form = readFormOf(login.html);
    const response = await browser.request(`${idp.url}/login`, {
      form: { ...form.fields, username: 'alice', password: 'wonderland' },
    });
    expect(response.status).toBe(200);
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('samlkit_session='))!;
    expect(cookie).toMatch(/^samlkit_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Lax$/);
    const posted = readFormOf(await response.text());
    expect(posted.action).toBe(`${wiki.origin}/acs`);
    const landed = await browser.open(posted.action, { form: posted.fields });
    expect(landed.html).toBe('wiki: welcome alice@example.org (relay /home)');

    const second = await browser.open(`${crm.origin}/login`);
    expect(second.trail.some((url) => url.startsWith(`${idp.url}/login`))).toBe(false);
    expect(second.html).toBe('crm: welcome alice@example.org (relay /home)');

    const session = await browser.open(`${idp.url}/session`);
    expect(session.html).toContain('Signed in as <strong>alice</strong>');
    expect(session.html).toContain(`<li>${wiki.entityId}</li>`);
    expect(session.html).toContain(`<li>${crm.entityId}</li>`);
    expect(session.html).toContain('<form method="post" action="/logout">');
    expect(session.html).toContain('<button type="submit">Log out everywhere</button>');
    // "Log out everywhere" may answer with a redirect to an SP, which a browser checks against form-action.
    expect(session.headers.get('content-security-policy')).toContain("form-action 'self' http:;");
  });

  it('answers a wrong password with 401 and the form again, and signs nobody in', async () => {
    const browser = new Browser();
    const page = await signIn(browser, `${wiki.origin}/login`, 'wrong');
    expect(page.status).toBe(401);
    expect(page.html).toContain('The username or password is wrong.');
    expect(browser.cookie(idp.url, 'samlkit_session')).toBeUndefined();
  });

  it('never signs in a user without a password through the form', async () => {
    const browser = new Browser();
    const login = await browser.open(`${wiki.origin}/login`);
    const form = readFormOf(login.html);
    const response = await browser.request(`${idp.url}/login`, {
      form: { ...form.fields, username: 'carol', password: '' },
    });
    expect(response.status).toBe(401);
  });

  it('honours ForceAuthn: the form again although signed in, and a fresh AuthnInstant', async () => {
    const browser = new Browser();
    await signIn(browser, `${wiki.origin}/login`);
    const forced = await browser.open(`${wiki.origin}/login?force`);
    expect(forced.url).toMatch(new RegExp(`^${idp.url}/login\\?request=`));
    const form = readFormOf(forced.html);
    const landed = await browser.open(`${idp.url}/login`, {
      form: { ...form.fields, username: 'alice', password: 'wonderland' },
    });
    expect(landed.html).toBe('wiki: welcome alice@example.org (relay /home)');
  });

  it('honours IsPassive: NoPassive when nobody is signed in, a Response when someone is', async () => {
    const browser = new Browser();
    const toIdp = await browser.request(`${wiki.origin}/login?passive`);
    const answer = await browser.request(toIdp.headers.get('location')!);
    expect(answer.status).toBe(200);
    const posted = readFormOf(await answer.text());
    expect(posted.action).toBe(`${wiki.origin}/acs`);
    const xml = Buffer.from(posted.fields.SAMLResponse!, 'base64').toString('utf8');
    expect(xml).toContain('urn:oasis:names:tc:SAML:2.0:status:NoPassive');
    expect(xml).not.toContain('Assertion');
    expect(browser.cookie(idp.url, 'samlkit_login')).toBeUndefined();
    await signIn(browser, `${wiki.origin}/login`);
    const passive = await browser.open(`${wiki.origin}/login?passive`);
    expect(passive.html).toBe('wiki: welcome alice@example.org (relay /home)');
  });

  it('IdP-initiated: /initiate asks to sign in first, then posts an unsolicited Response', async () => {
    const browser = new Browser();
    const start = `${idp.url}/initiate?sp=${encodeURIComponent(crm.entityId)}`;
    const login = await browser.open(start);
    expect(login.url).toBe(
      `${idp.url}/login?return=${encodeURIComponent(`/initiate?sp=${encodeURIComponent(crm.entityId)}`)}`,
    );
    const form = readFormOf(login.html);
    // Unsolicited: node-saml accepts it only without InResponseTo validation.
    crm.trust(idp, { validateInResponseTo: 'never' as never });
    try {
      const landed = await browser.open(`${idp.url}/login`, {
        form: { ...form.fields, username: 'alice', password: 'wonderland' },
      });
      expect(landed.html).toBe('crm: welcome alice@example.org (relay )');
    } finally {
      crm.trust(idp);
    }
    const home = await browser.open(`${idp.url}/`);
    expect(home.html).toContain(`href="/initiate?sp=${encodeURIComponent(wiki.entityId)}"`);
  });

  it('SP-initiated logout ends the SP session, the other SP session and the IdP session', async () => {
    const browser = new Browser();
    await signIn(browser, `${wiki.origin}/login`);
    await browser.open(`${crm.origin}/login`);
    expect((await browser.open(`${crm.origin}/home`)).status).toBe(200);
    const out = await browser.open(`${wiki.origin}/logout`);
    expect(out.html).toBe('wiki: logged out');
    expect((await browser.open(`${crm.origin}/home`)).status).toBe(401);
    expect(browser.cookie(idp.url, 'samlkit_session')).toBeUndefined();
    const again = await browser.open(`${wiki.origin}/login`);
    expect(again.url).toMatch(new RegExp(`^${idp.url}/login\\?request=`));
  });

  it('"Log out everywhere" logs out of every SP and ends the session', async () => {
    const browser = new Browser();
    await signIn(browser, `${wiki.origin}/login`);
    await browser.open(`${crm.origin}/login`);
    const session = await browser.open(`${idp.url}/session`);
    const form = readFormOf(session.html);
    const done = await browser.open(`${idp.url}${form.action}`, { form: form.fields });
    expect(done.url).toBe(`${idp.url}/`);
    expect(done.html).toContain('You are not signed in.');
    expect((await browser.open(`${wiki.origin}/home`)).status).toBe(401);
    expect((await browser.open(`${crm.origin}/home`)).status).toBe(401);
    const after = await browser.open(`${idp.url}/session`);
    expect(after.html).toContain('You are not signed in.');
  });

  it('"Log out everywhere" loads an iframe SP in a hidden frame, then runs the redirect chain', async () => {
    const signInToAll = async (browser: Browser) => {
      await signIn(browser, `${wiki.origin}/login`);
      await browser.open(`${crm.origin}/login`);
      await browser.open(`${chat.origin}/login`);
      for (const sp of [wiki, crm, chat]) expect((await browser.open(`${sp.origin}/home`)).status).toBe(200);
    };
    // The page the IdP answers with: a hidden iframe posting chat's LogoutRequest, and the chain's next step.
    const look = new Browser();
    await signInToAll(look);
    const session = readFormOf((await look.open(`${idp.url}/session`)).html);
    const first = await look.request(`${idp.url}${session.action}`, { form: session.fields });
    const page = await first.text();
    expect(page).toContain(
      `<iframe hidden name="slo-0"></iframe><form hidden method="post" target="slo-0" action="${chat.origin}/slo"`,
    );
    expect(page).toMatch(/id="continue"/);
    expect(first.headers.get('content-security-policy')).toContain('frame-src http:');

    // The whole run, frames included: every SP is signed out.
    const browser = new Browser();
    await signInToAll(browser);
    const before = chat.logoutRequests.length;
    const form = readFormOf((await browser.open(`${idp.url}/session`)).html);
    const done = await browser.open(`${idp.url}${form.action}`, { form: form.fields });
    expect(done.url).toBe(`${idp.url}/`);
    expect(chat.logoutRequests.length).toBe(before + 1);
    for (const sp of [wiki, crm, chat]) expect((await browser.open(`${sp.origin}/home`)).status).toBe(401);
  });

  it('refuses test-mode switches in interactive mode', () => {
    expect(() => idp.signInAs('alice')).toThrow(TypeError);
    expect(() => idp.misbehave('unsigned')).toThrow(TypeError);
    expect(() => idp.misbehave(undefined)).toThrow(TypeError);
  });
});
