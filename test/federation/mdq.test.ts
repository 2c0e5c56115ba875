import { describe, expect, it } from 'vitest';
import {
  createIdentityProvider,
  createMdqClient,
  createMemoryStore,
  isSamlError,
  type MdqClientOptions,
  type MdqEvent,
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
        staleIfUnavailableMs: -1,
        onEvent: 'log' as never,
        cachesize: 5,
      } as never);
    } catch (e) {
      error = e;
    }
    expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
    expect(
      (error as { details: { issues: { path: string[] }[] } }).details.issues.map((i) => i.path[0]),
    ).toEqual([
      'cachesize',
      'baseUrl',
      'certificates',
      'identifier',
      'cacheSize',
      'staleIfUnavailableMs',
      'onEvent',
    ]);
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

describe('while the MDQ service is down: an expired answer stands in, within bounds', () => {
  const entityId = 'https://stale.example.org/sp';
  const start = Date.UTC(2026, 3, 20);
  const minute = 60_000;

  /** A client with a fake clock whose events are collected; the entity is cached for 10 minutes. */
  async function setup(options: Partial<MdqClientOptions> = {}, entity: Parameters<typeof spEntity>[1] = {}) {
    const { server, serve } = await mdqServer();
    serve(entityId, signedEntity(entityId, { cacheDuration: 'PT10M', ...entity }));
    const clock = { now: start };
    const events: MdqEvent[] = [];
    const mdq = client(server.url, {
      clock: () => new Date(clock.now),
      timeoutMs: 300,
      onEvent: (event) => events.push(event),
      ...options,
    });
    const first = await mdq.lookup(entityId);
    expect(first?.signature).toBe('verified');
    return { server, serve, mdq, clock, events, first: first! };
  }
  const down = (server: Awaited<ReturnType<typeof mdqServer>>['server']) => {
    server.override = (request) => void request.socket.destroy();
  };

  it('service unreachable: the expired answer is served with mdq_stale_served, then asked again after negativeCacheMs', async () => {
    const { server, mdq, clock, events, first } = await setup({ negativeCacheMs: 30_000 });
    down(server);
    clock.now = start + 11 * minute; // 1 minute past its cacheDuration
    expect(await mdq.lookup(entityId)).toBe(first);
    expect(server.requests).toHaveLength(2);
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      type: 'mdq_stale_served',
      entityId,
      expiredAt: start + 10 * minute,
      staleUntil: start + 10 * minute + 3_600_000, // the default hour
    });
    expect(isSamlError((event as { error: unknown }).error, 'SAML_METADATA_UNAVAILABLE')).toBe(true);
    // Not asked again at every message while down...
    clock.now += 29_000;
    expect(await mdq.lookup(entityId)).toBe(first);
    expect(server.requests).toHaveLength(2);
    // ...but after negativeCacheMs; once the service is back, a fresh answer replaces it.
    clock.now += 2_000;
    expect(await mdq.lookup(entityId)).toBe(first);
    expect(server.requests).toHaveLength(3);
    server.override = undefined;
    clock.now += 31_000;
    const fresh = await mdq.lookup(entityId);
    expect(fresh).not.toBe(first);
    expect(fresh?.signature).toBe('verified');
    expect(events.map((e) => e.type)).toEqual(['mdq_stale_served', 'mdq_stale_served']);
  });

  it('a server that is gone (connection refused), an HTTP 500 and a timeout all count as down', async () => {
    // Gone: a client of a port nothing listens on any more, its answer cached while it did.
    const { createServer } = await import('node:http');
    const xml = signedEntity(entityId, { cacheDuration: 'PT10M' });
    const gone = createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(xml),
    );
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as { port: number }).port;
    const clock = { now: start };
    const events: MdqEvent[] = [];
    const mdq = client(`http://127.0.0.1:${port}`, {
      clock: () => new Date(clock.now),
      onEvent: (event) => events.push(event),
    });
    const first = await mdq.lookup(entityId);
    gone.closeAllConnections();
    await new Promise((resolve) => gone.close(resolve));
    clock.now += 11 * minute;
    expect(await mdq.lookup(entityId)).toBe(first);
    const cause = (events[0] as { error: { cause?: unknown } }).error.cause;
    expect(isSamlError(cause), String(cause)).toBe(true);

    for (const fail of ['500', 'timeout'] as const) {
      const { server, mdq, clock, events, first } = await setup({ negativeCacheMs: 0 });
      server.override =
        fail === '500' ? (_request, response) => void response.writeHead(500).end('boom') : () => undefined;
      clock.now += 11 * minute;
      const started = Date.now();
      expect(await mdq.lookup(entityId)).toBe(first);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(events.map((e) => e.type)).toEqual(['mdq_stale_served']);
      if (fail === 'timeout')
        expect(
          (events[0] as { error: { cause?: { details?: { reason?: string } } } }).error.cause?.details
            ?.reason,
        ).toBe('timeout');
    }
  });

  it('never past staleIfUnavailableMs: then the lookup fails, with mdq_failed', async () => {
    const { server, mdq, clock, events } = await setup({
      staleIfUnavailableMs: 20 * minute,
      negativeCacheMs: 0,
    });
    down(server);
    clock.now = start + 29 * minute;
    await mdq.lookup(entityId);
    clock.now = start + 30 * minute; // 10 minutes of cache + 20 of grace
    const error = await failure(mdq.lookup(entityId));
    expect(events.map((e) => e.type)).toEqual(['mdq_stale_served', 'mdq_failed']);
    expect(events[1]).toMatchObject({ type: 'mdq_failed', entityId, error });
  });

  it('never past the answer’s validUntil, whatever the grace', async () => {
    const validUntil = new Date(start + 15 * minute).toISOString();
    const { server, mdq, clock, events, first } = await setup({ negativeCacheMs: 0 }, { validUntil });
    down(server);
    clock.now = start + 14 * minute;
    expect(await mdq.lookup(entityId)).toBe(first);
    expect(events[0]).toMatchObject({ type: 'mdq_stale_served', staleUntil: start + 15 * minute });
    clock.now = start + 15 * minute;
    await failure(mdq.lookup(entityId));
    expect(events.map((e) => e.type)).toEqual(['mdq_stale_served', 'mdq_failed']);
  });

  it('never for an answer that was refused: one that does not verify fails, a 404 forgets the entity', async () => {
    const { server, serve, mdq, clock, events } = await setup({ negativeCacheMs: 0 });
    clock.now += 11 * minute;
    // The service answers, but with metadata signed by another key: refused, not covered by the old copy.
    serve(entityId, signedEntity(entityId, {}, 'evil'));
    const refused = await failure(mdq.lookup(entityId));
    expect(isSamlError(refused.cause, 'SAML_SIGNATURE_INVALID')).toBe(true);
    // The service no longer knows the entity: it is unknown, and no later outage brings it back.
    server.documents.clear();
    expect(await mdq.lookup(entityId)).toBeUndefined();
    down(server);
    clock.now += 1_000;
    await failure(mdq.lookup(entityId));
    expect(events.map((e) => e.type)).toEqual(['mdq_failed', 'mdq_failed']);
  });

  it('a throwing onEvent changes nothing: the stale answer is still served, the failure still thrown', async () => {
    const { server, mdq, clock, first } = await setup({
      negativeCacheMs: 0,
      onEvent: () => {
        throw new Error('handler bug');
      },
    });
    down(server);
    clock.now += 11 * minute;
    expect(await mdq.lookup(entityId)).toBe(first);
    await failure(mdq.lookup('https://never.example.org/sp'));
  });

  it('an entity never fetched has nothing to stand in; staleIfUnavailableMs: 0 fails closed', async () => {
    const { server, mdq, clock } = await setup({ staleIfUnavailableMs: 0 });
    down(server);
    await failure(mdq.lookup('https://never.example.org/sp'));
    clock.now += 11 * minute;
    await failure(mdq.lookup(entityId));
  });

  it('the facade keeps resolving the SP through the outage', async () => {
    const { server, serve } = await mdqServer();
    serve(spEntityId, signedEntity(spEntityId, { acs: spAcsUrl, key: 'sp-a', cacheDuration: 'PT1M' }));
    let now = Date.now();
    const events: MdqEvent[] = [];
    const mdq = client(server.url, { clock: () => new Date(now), onEvent: (event) => events.push(event) });
    const store = withMetadataQuery(createMemoryStore(), mdq, { providerDefaults: { signResponse: false } });
    const idp = createIdentityProvider({
      entityId: idpEntityId,
      signing: { key: keyPair('idp') },
      store,
      endpoints: { ssoPost: idpSsoPost },
      sso: { secret },
    });
    const iso = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    expect((await idp.receiveAuthnRequest(postInput({ id: '_before', issueInstant: iso() }))).ok).toBe(true);
    down(server);
    now += 5 * minute;
    const during = await idp.receiveAuthnRequest(postInput({ id: '_during', issueInstant: iso() }));
    expect(during.ok).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['mdq_stale_served']);
  });
});
