import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningIdp, startIdp } from '../../src/serve/index.js';
import { Browser, type NodeSamlSp, startNodeSamlSp } from './support.js';

describe('startIdp in test mode, SP-initiated SSO from node-saml', () => {
  let idp: RunningIdp;
  let sp: NodeSamlSp;
  beforeAll(async () => {
    sp = await startNodeSamlSp('wiki');
    idp = await startIdp({
      mode: 'test',
      serviceProviders: [sp.metadata],
      users: [
        { username: 'alice', attributes: { email: 'alice@example.org', groups: ['staff', 'editors'] } },
        { username: 'bob', attributes: { email: 'bob@example.org' } },
      ],
      signInAs: 'alice',
    });
    sp.trust(idp);
  });
  afterAll(() => idp?.close());

  it('serves its metadata at GET /metadata', async () => {
    const response = await fetch(`${idp.url}/metadata`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/samlmetadata\+xml/);
    const xml = await response.text();
    expect(xml).toBe(idp.metadata);
    expect(xml).toContain(`entityID="${idp.entityId}"`);
    expect(idp.entityId).toBe(`${idp.url}/metadata`);
    expect(xml).toContain(`Location="${idp.url}/sso"`);
    expect(xml).toContain(`Location="${idp.url}/slo"`);
  });

  it('signs the test-chosen user in without a form, with their attributes', async () => {
    const browser = new Browser();
    const visit = await browser.open(`${sp.origin}/login`);
    expect(visit.html).toBe('wiki: welcome alice@example.org (relay /home)');
    const outcome = sp.outcomes.at(-1)!;
    expect(outcome).toMatchObject({ ok: true, nameID: 'alice@example.org' });
    expect(outcome.ok && outcome.attributes).toMatchObject({
      email: 'alice@example.org',
      groups: ['staff', 'editors'],
    });
    idp.signInAs('bob');
    const again = await new Browser().open(`${sp.origin}/login`);
    expect(again.html).toBe('wiki: welcome bob@example.org (relay /home)');
  });

  it('sends every answer in one piece with its Content-Length; HEAD /metadata has no body', async () => {
    const home = await fetch(`${idp.url}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('transfer-encoding')).toBeNull();
    const html = await home.text();
    expect(html).toContain('<!DOCTYPE html>');
    expect(Number(home.headers.get('content-length'))).toBe(Buffer.byteLength(html));
    const head = await fetch(`${idp.url}/metadata`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/samlmetadata\+xml/);
    expect(await head.text()).toBe('');
    const put = await fetch(`${idp.url}/metadata`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD');
    // A refused AuthnRequest on GET: the 400 names the code and nothing of the message.
    const refused = await fetch(`${idp.url}/sso?SAMLRequest=not-deflate`);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/^SAML message refused \(SAML_[A-Z_]+\)\n$/);
  });

  it('refuses a user it does not know', () => {
    expect(() => idp.signInAs('mallory')).toThrow(TypeError);
  });
});

describe('startIdp under a base path', () => {
  let idp: RunningIdp;
  let sp: NodeSamlSp;
  let origin: string;
  beforeAll(async () => {
    // A free port first: the base URL, and so every endpoint, names it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    origin = `http://127.0.0.1:${port}`;
    sp = await startNodeSamlSp('wiki');
    idp = await startIdp({
      mode: 'test',
      port,
      baseUrl: `${origin}/idp`,
      serviceProviders: [sp.metadata],
      signInAs: 'demo',
    });
    sp.trust(idp);
  });
  afterAll(() => idp?.close());

  it('routes every page below the path and nothing outside it', async () => {
    expect(idp.url).toBe(`${origin}/idp`);
    const metadata = await fetch(`${origin}/idp/metadata`);
    expect(metadata.status).toBe(200);
    expect(await metadata.text()).toBe(idp.metadata);
    expect((await fetch(`${origin}/metadata`)).status).toBe(404);
    expect((await fetch(`${origin}/idp/nothing`)).status).toBe(404);
    const login = await new Browser().open(`${sp.origin}/login`);
    expect(login.html).toBe('wiki: welcome demo@example.org (relay /home)');
  });
});
