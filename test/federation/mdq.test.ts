import { describe, expect, it } from 'vitest';
import {
  createIdentityProvider,
  createMdqClient,
  createMemoryStore,
  isSamlError,
  type MdqClientOptions,
  withMetadataQuery,
} from '../../src/index.js';
import {
  idpEntityId,
  idpSloUrl,
  idpSsoPost,
  idpSsoRedirect,
  postInput,
  secret,
  spAcsUrl,
  spEntityId,
} from '../sso/support.js';
import { certificatePem, keyPair } from '../support/keys.js';
import { loopbackHttp, signMetadata, spEntity, startMetadataServer } from './source-support.js';

const federationCertificate = certificatePem('idp');
const sha1Hex = (text: string) =>
  // The MDQ {sha1} form: the hex SHA-1 of the entity ID, computed independently here.
  import('node:crypto').then(({ createHash }) => createHash('sha1').update(text, 'utf8').digest('hex'));

async function mdqServer() {
  const server = await startMetadataServer();
  const serve = (entityId: string, xml: string) =>
    server.documents.set(`/mdq/entities/${encodeURIComponent(entityId)}`, { body: xml });
  return { server, serve };
}

const signedEntity = (entityId: string, options: Parameters<typeof spEntity>[1] = {}, key = 'idp') =>
  signMetadata(spEntity(entityId, { id: '_e', ...options }), key);

function client(url: string, options: Partial<MdqClientOptions> = {}) {
  return createMdqClient({
    baseUrl: `${url}/mdq/`,
    certificates: [federationCertificate],
    http: { ...loopbackHttp, attempts: 1 },
    ...options,
  });
}

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e) => e,
  );
  expect(isSamlError(error, 'SAML_METADATA_UNAVAILABLE'), String(error)).toBe(true);
  return error;
}

describe('MDQ client against a real HTTP server', () => {
  it('hit: fetches /entities/{urlencoded id} with the MDQ Accept header, verifies, then answers from cache', async () => {
    const { server, serve } = await mdqServer();
    serve('https://sp1.example.org/shibboleth', signedEntity('https://sp1.example.org/shibboleth'));
    const mdq = client(server.url);
    const first = await mdq.lookup('https://sp1.example.org/shibboleth');
    expect(first?.entityId).toBe('https://sp1.example.org/shibboleth');
    expect(first?.signature).toBe('verified');
    expect(first?.provider.acsUrl).toBe('https://sp1.example.org/shibboleth/acs');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.url).toBe('/mdq/entities/https%3A%2F%2Fsp1.example.org%2Fshibboleth');
    expect(server.requests[0]!.headers.accept).toBe('application/samlmetadata+xml');
    expect(await mdq.lookup('https://sp1.example.org/shibboleth')).toBe(first);
    expect(server.requests).toHaveLength(1);
  });

  it('the {sha1} form of the identifier', async () => {
    const { server } = await mdqServer();
    const entityId = 'https://sp2.example.org/sp';
    server.documents.set(`/mdq/entities/%7Bsha1%7D${await sha1Hex(entityId)}`, {
      body: signedEntity(entityId),
    });
    const found = await client(server.url, { identifier: 'sha1' }).lookup(entityId);
    expect(found?.entityId).toBe(entityId);
  });

  it('miss: a 404 is undefined, remembered for negativeCacheMs of the clock, then asked again', async () => {
    const { server } = await mdqServer();
    let now = Date.UTC(2026, 3, 20);
    const mdq = client(server.url, { negativeCacheMs: 30_000, clock: () => new Date(now) });
    expect(await mdq.lookup('https://unknown.example.org')).toBeUndefined();
    expect(await mdq.lookup('https://unknown.example.org')).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    now += 29_000;
    expect(await mdq.lookup('https://unknown.example.org')).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    now += 2_000;
    expect(await mdq.lookup('https://unknown.example.org')).toBeUndefined();
    expect(server.requests).toHaveLength(2);
  });

  it('wrong key: an answer signed by another key is refused and not cached', async () => {
    const { server, serve } = await mdqServer();
    const entityId = 'https://sp3.example.org';
    serve(entityId, signedEntity(entityId, {}, 'evil'));
    const mdq = client(server.url);
    const error = await failure(mdq.lookup(entityId));
    expect(isSamlError(error.cause, 'SAML_SIGNATURE_INVALID')).toBe(true);
    // Unsigned is refused as well.
    serve(entityId, spEntity(entityId));
    expect(isSamlError((await failure(mdq.lookup(entityId))).cause, 'SAML_SIGNATURE_MISSING')).toBe(true);
    serve(entityId, signedEntity(entityId));
    expect((await mdq.lookup(entityId))?.entityId).toBe(entityId);
    expect(server.requests).toHaveLength(3);
  });

  it('refuses a validly signed answer about another entity (substitution)', async () => {
    const { server, serve } = await mdqServer();
    serve('https://victim.example.org', signedEntity('https://attacker.example.org'));
    const error = await failure(client(server.url).lookup('https://victim.example.org'));
    expect(isSamlError(error.cause, 'SAML_METADATA_INVALID')).toBe(true);
  });

  it('cache expiry: cacheDuration within [minCacheMs, maxCacheMs], never past validUntil (fake clock)', async () => {
    const { server, serve } = await mdqServer();
    let now = Date.UTC(2026, 3, 20);
    const mdq = client(server.url, { clock: () => new Date(now), minCacheMs: 60_000, maxCacheMs: 3_600_000 });
    serve('https://a.example.org', signedEntity('https://a.example.org', { cacheDuration: 'PT10M' }));
    serve('https://b.example.org', signedEntity('https://b.example.org', { cacheDuration: 'P1D' }));
    serve('https://c.example.org', signedEntity('https://c.example.org', { cacheDuration: 'PT1S' }));
    const validUntil = new Date(now + 120_000).toISOString();
    serve(
      'https://d.example.org',
      signedEntity('https://d.example.org', { cacheDuration: 'PT1H', validUntil }),
    );
    const count = (id: string) =>
      server.requests.filter((r) => r.url.endsWith(encodeURIComponent(id))).length;
    const all = [
      'https://a.example.org',
      'https://b.example.org',
      'https://c.example.org',
      'https://d.example.org',
    ];
    for (const id of all) await mdq.lookup(id);
    now += 59_000; // c is kept at least minCacheMs
    for (const id of all) await mdq.lookup(id);
    expect(all.map(count)).toEqual([1, 1, 1, 1]);
    now += 62_000; // past c's minimum (60 s) and d's validUntil (120 s)
    // The copy still served is past its validUntil too: refused, not cached, asked again once fixed.
    await failure(mdq.lookup(all[3]!));
    serve(all[3]!, signedEntity(all[3]!, { validUntil: new Date(now + 86_400_000).toISOString() }));
    for (const id of all) await mdq.lookup(id);
    expect(all.map(count)).toEqual([1, 1, 2, 3]);
    now += 600_000; // past a's 10 minutes
    await mdq.lookup(all[0]!);
    await mdq.lookup(all[1]!);
    expect(all.map(count)).toEqual([2, 1, 2, 3]);
    now += 3_600_000; // b's day is capped at maxCacheMs
    await mdq.lookup(all[1]!);
    expect(count(all[1]!)).toBe(2);
  });

  it('keeps at most cacheSize entities, dropping the least recently used', async () => {
    const { server, serve } = await mdqServer();
    for (const n of [1, 2, 3]) serve(`https://s${n}.example.org`, signedEntity(`https://s${n}.example.org`));
    const mdq = client(server.url, { cacheSize: 2 });
    await mdq.lookup('https://s1.example.org');
    await mdq.lookup('https://s2.example.org');
    await mdq.lookup('https://s1.example.org'); // s1 used last: s2 goes first
    await mdq.lookup('https://s3.example.org');
    expect(server.requests).toHaveLength(3);
    await mdq.lookup('https://s1.example.org');
    expect(server.requests).toHaveLength(3);
    await mdq.lookup('https://s2.example.org');
    expect(server.requests).toHaveLength(4);
  });

  it('coalesces concurrent lookups of one entity into one request', async () => {
    const { server, serve } = await mdqServer();
    serve('https://slow.example.org', signedEntity('https://slow.example.org'));
    const mdq = client(server.url);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => mdq.lookup('https://slow.example.org')),
    );
    expect(new Set(results).size).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it('an HTTP error, garbage and a stalled server are SAML_METADATA_UNAVAILABLE', async () => {
    const { server, serve } = await mdqServer();
    serve('https://g.example.org', '<md:EntityDescriptor');
    const mdq = client(server.url, { timeoutMs: 300 });
    await failure(mdq.lookup('https://g.example.org'));
    server.override = (_request, response) => void response.writeHead(500).end('boom');
    expect((await failure(mdq.lookup('https://g.example.org'))).message).toMatch(/could not be reached/);
    server.override = () => undefined; // never answers
    const started = Date.now();
    const stalled = await failure(mdq.lookup('https://g.example.org'));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stalled.cause?.details?.reason).toBe('timeout');
  });

  it('refuses a loopback service unless allowed, before any request', async () => {
    const { server } = await mdqServer();
    const mdq = createMdqClient({ baseUrl: server.url, certificates: [federationCertificate] });
    const error = await failure(mdq.lookup('https://x.example.org'));
    expect(isSamlError(error.cause, 'SAML_TRANSPORT_TARGET_FORBIDDEN')).toBe(true);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses unusable options, listing each', () => {
    let error: unknown;
    try {
      createMdqClient({
        baseUrl: 'ftp://x',
        certificates: [],
        cacheSize: -1,
        identifier: 'md5' as never,
        cachesize: 5,
      } as never);
    } catch (e) {
      error = e;
    }
    expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
    expect(
      (error as { details: { issues: { path: string[] }[] } }).details.issues.map((i) => i.path[0]),
    ).toEqual(['cachesize', 'baseUrl', 'certificates', 'identifier', 'cacheSize']);
  });
});

describe('withMetadataQuery: the facade resolves SPs through MDQ', () => {
  async function setup() {
    const { server, serve } = await mdqServer();
    serve(spEntityId, signedEntity(spEntityId, { acs: spAcsUrl, key: 'sp-a' }));
    const mdq = client(server.url);
    const base = createMemoryStore();
    const store = withMetadataQuery(base, mdq, { providerDefaults: { signResponse: false } });
    const idp = createIdentityProvider({
      entityId: idpEntityId,
      signing: { key: keyPair('idp') },
      store,
      endpoints: {
        sloRedirect: idpSloUrl,
        sloPost: idpSloUrl,
        ssoRedirect: idpSsoRedirect,
        ssoPost: idpSsoPost,
      },
      sso: { secret },
      clock: () => new Date(),
    });
    return { server, serve, mdq, base, store, idp };
  }
  const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

  it('receives a signed AuthnRequest from an SP known only to the MDQ service, and completes SSO', async () => {
    const { idp, base, server } = await setup();
    expect(await base.findProviderByEntityId(spEntityId)).toBeUndefined();
    const result = await idp.receiveAuthnRequest(postInput({ issueInstant: now() }));
    if (!result.ok) throw new Error(`refused: ${result.error.code}`);
    expect(result.pending.providerId).toBe(spEntityId);
    expect(result.pending.acs.url).toBe(spAcsUrl);
    // Stored with an owner tag, so later reads by id (logout) find it on every node.
    expect(await base.findProviderByEntityId(spEntityId)).toMatchObject({
      id: spEntityId,
      owner: `mdq:${spEntityId}`,
    });
    expect((await base.getProvider(spEntityId))?.signResponse).toBe(false);
    const reply = await idp.completeAuthnRequest(result.pending, { user: { id: 'alice' } });
    expect(reply.status.code).toBe('urn:oasis:names:tc:SAML:2.0:status:Success');
    expect(reply.form.url).toBe(spAcsUrl);
    // A second message is answered from the client's cache: no new query.
    await idp.receiveAuthnRequest(postInput({ id: '_second', issueInstant: now() }));
    expect(server.requests).toHaveLength(1);
  });

  it('an SP signing with a key its MDQ metadata does not list is refused', async () => {
    const { idp } = await setup();
    const result = await idp.receiveAuthnRequest(postInput({ issueInstant: now() }, { key: 'sp-b' }));
    expect(result.ok).toBe(false);
  });

  it('a provider registered by hand wins and is never replaced; an SP gone from MDQ is removed', async () => {
    const { store, base, mdq, serve, server } = await setup();
    await base.putProvider(
      'hand',
      (await import('../sso/support.js')).spProvider({ entityId: 'https://hand.example.org' }),
    );
    expect((await store.findProviderByEntityId('https://hand.example.org'))?.id).toBe('hand');
    expect(server.requests).toHaveLength(0);
    expect((await store.findProviderByEntityId(spEntityId))?.owner).toBe(`mdq:${spEntityId}`);
    server.documents.clear();
    mdq.forget(spEntityId);
    expect(await store.findProviderByEntityId(spEntityId)).toBeUndefined();
    expect(await base.getProvider(spEntityId)).toBeUndefined();
    serve('https://other.example.org', signedEntity('https://other.example.org'));
    expect(await store.findProviderByEntityId('https://nobody.example.org')).toBeUndefined();
  });

  it('an unreachable service fails the lookup with SAML_METADATA_UNAVAILABLE, not as an unknown SP', async () => {
    const { store, server, idp } = await setup();
    server.override = (_request, response) => void response.writeHead(503).end();
    await failure(store.findProviderByEntityId('https://new.example.org'));
    const outcome = await idp.receiveAuthnRequest(postInput({ issueInstant: now() })).then(
      (result) => (result.ok ? 'accepted' : result.error.code),
      (error) => (isSamlError(error) ? `threw ${error.code}` : 'threw'),
    );
    expect(outcome).toMatch(/SAML_METADATA_UNAVAILABLE/);
  });
});
