/**
 * samlkit/http pages and handlers without a framework: the published script
 * hash, nonce pages, escaping, refusals that echo nothing, body limits and the
 * node:http helper keeping the raw request target.
 */
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  autoSubmitScript,
  autoSubmitScriptHash,
  createIdpHandlers,
  renderFormPage,
  renderIframePage,
  respondWithLogoutResult,
  toNodeHandler,
} from '../../src/http/index.js';
import { type IdentityProvider, isSamlError, type LogoutResult, SamlError } from '../../src/index.js';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('pages', () => {
  it('publishes the hash of the one script the pages run', () => {
    expect(sha256(autoSubmitScript)).toBe(autoSubmitScriptHash);
    const page = renderFormPage({ url: 'https://sp.test/acs', fields: { SAMLResponse: 'x' } });
    expect(page.html).toContain(`<script>${autoSubmitScript}</script>`);
    expect(page.headers['content-security-policy']).toBe(
      `default-src 'none'; script-src ${autoSubmitScriptHash}; form-action https:; base-uri 'none'; frame-ancestors 'none'`,
    );
  });

  it('uses the caller’s nonce instead of the hash when given one', () => {
    const nonce = 'cmFuZG9tLW5vbmNlLXZhbHVl';
    const page = renderFormPage({ url: 'http://sp.test/acs', fields: {} }, { nonce });
    expect(page.html).toContain(`<script nonce="${nonce}">${autoSubmitScript}</script>`);
    expect(page.headers['content-security-policy']).toContain(
      `script-src 'nonce-${nonce}'; form-action http:;`,
    );
    expect(() =>
      renderFormPage({ url: 'https://sp.test/acs', fields: {} }, { nonce: "x' 'unsafe-inline" }),
    ).toThrow(TypeError);
  });

  it('escapes every value it writes into HTML', () => {
    const page = renderFormPage({
      url: 'https://sp.test/acs?a=1&b="2"',
      fields: { RelayState: '"><script>alert(1)</script>', 'x"y': "'" },
    });
    expect(page.html).not.toContain('<script>alert');
    expect(page.html).toContain('action="https://sp.test/acs?a=1&amp;b=&quot;2&quot;"');
    expect(page.html).toContain('name="x&quot;y" value="&#39;"');
    expect(page.html.match(/<script/g)).toHaveLength(1);
  });

  it('renders iframe steps, a no-script Continue, and allows framing only the schemes used', () => {
    const page = renderIframePage(
      [
        { url: 'https://a.test/slo?x=1&y=2' },
        { form: { url: 'http://b.test/slo', fields: { SAMLRequest: 'r' } } },
      ],
      { url: 'https://sp.test/done' },
    );
    expect(page.html).toContain('<iframe hidden src="https://a.test/slo?x=1&amp;y=2"></iframe>');
    expect(page.html).toContain(
      '<form hidden method="post" target="slo-1" action="http://b.test/slo" data-auto-submit>',
    );
    expect(page.html).toContain(
      '<a id="continue" href="https://sp.test/done" data-delay="1500">Continue</a>',
    );
    expect(page.headers['content-security-policy']).toContain('form-action http:; frame-src http: https:;');
  });
});

const result = (reply: LogoutResult['reply']): LogoutResult => ({
  logoutId: 'l1',
  userId: 'u1',
  status: 'Success',
  participants: [],
  complete: true,
  reply,
  iframes: [],
});

describe('respondWithLogoutResult', () => {
  it('answers each kind of reply', async () => {
    const redirect = respondWithLogoutResult(
      result({ kind: 'redirect', url: 'https://sp.test/slo?SAMLResponse=x' }),
    );
    expect([redirect.status, redirect.headers.get('location')]).toEqual([
      302,
      'https://sp.test/slo?SAMLResponse=x',
    ]);
    const done = respondWithLogoutResult(result({ kind: 'done', returnTo: 'https://idp.test/bye' }));
    expect([done.status, done.headers.get('location')]).toEqual([302, 'https://idp.test/bye']);
    const page = respondWithLogoutResult(result({ kind: 'done' }));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'none'");
    expect(await page.text()).toContain('You have been signed out.');
  });
});

/** A facade whose receive methods refuse (a SamlError) or fail (anything else) without looking at the input. */
function refusing(error: unknown): IdentityProvider {
  const refuse = () => (isSamlError(error) ? Promise.resolve({ ok: false, error }) : Promise.reject(error));
  return {
    receiveLogoutRequest: refuse,
    receiveLogoutResponse: refuse,
    receiveAuthnRequest: refuse,
  } as never;
}

describe('handlers', () => {
  const secret = 'alice@example.com';

  it('refuse with 400 naming only the code, never echoing the input', async () => {
    const handlers = createIdpHandlers(refusing(new SamlError('SAML_ISSUER_UNKNOWN', `unknown ${secret}`)));
    const response = await handlers.slo(
      new Request(`http://idp.test/slo?SAMLRequest=${encodeURIComponent(secret)}`),
    );
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).toBe('SAML message refused (SAML_ISSUER_UNKNOWN)\n');
    expect(body).not.toContain(secret);
  });

  it('answer a refused SOAP request with a SOAP Fault', async () => {
    const handlers = createIdpHandlers(refusing(new SamlError('SAML_SIGNATURE_INVALID', 'bad')));
    const response = await handlers.slo(
      new Request('http://idp.test/slo', {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: `<x>${secret}</x>`,
      }),
    );
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(body).toContain('<faultcode>soapenv:Client</faultcode>');
    expect(body).not.toContain(secret);
  });

  it('rethrow anything that is not a SamlError, for the framework’s 500', async () => {
    const handlers = createIdpHandlers(refusing(new Error('store down')));
    await expect(handlers.slo(new Request('http://idp.test/slo?SAMLRequest=x'))).rejects.toThrow(
      'store down',
    );
  });

  it('refuse a body over the limit with 413 before reading it all, and other methods with 405', async () => {
    const handlers = createIdpHandlers(refusing(new Error('never reached')), { maxBodyBytes: 1024 });
    const big = await handlers.slo(
      new Request('http://idp.test/slo', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `SAMLRequest=${'A'.repeat(2048)}`,
      }),
    );
    expect(big.status).toBe(413);
    const put = await handlers.slo(new Request('http://idp.test/slo', { method: 'PUT', body: 'x' }));
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, POST']);
  });

  it('are misuse (TypeError) without the facade, or without `login` / `metadata` for their endpoints', async () => {
    expect(() => createIdpHandlers({} as IdentityProvider)).toThrow(TypeError);
    const handlers = createIdpHandlers(refusing(new Error('x')));
    await expect(handlers.sso(new Request('http://idp.test/sso'))).rejects.toThrow(TypeError);
    await expect(handlers.metadata(new Request('http://idp.test/metadata'))).rejects.toThrow(TypeError);
  });
});

describe('toNodeHandler', () => {
  it('passes the request target exactly as received, and the body', async () => {
    const seen: { rawUrl?: string; url?: string; body?: string }[] = [];
    const server = createServer(
      toNodeHandler(async (request, raw) => {
        seen.push({ rawUrl: raw.rawUrl!, url: request.url, body: await request.text() });
        return new Response('ok', { headers: { 'set-cookie': 'a=1' } });
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const target = "/saml/slo?RelayState=it's&x=%2f";
    const reply = await new Promise<{ status: number; cookie: string[] | undefined }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: target, method: 'POST' }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, cookie: res.headers['set-cookie'] }));
      });
      req.on('error', reject);
      req.end('SAMLRequest=abc');
    });
    server.close();
    expect(reply).toEqual({ status: 200, cookie: ['a=1'] });
    expect(seen[0]!.rawUrl).toBe(target);
    // The WHATWG URL of the Request re-encoded the quote: why the raw target travels beside it.
    expect(seen[0]!.url).toContain('RelayState=it%27s');
    expect(seen[0]!.body).toBe('SAMLRequest=abc');
  });
});
