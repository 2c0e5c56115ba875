import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createMetadataSource,
  isSamlError,
  type MetadataSourceEvent,
  type MetadataSourceOptions,
  namespaces,
  type OwnedProviderStore,
  parseProvider,
} from '../../src/index.js';
import { certificatePem } from '../support/keys.js';
import { loopbackHttp, signedAggregate, spEntity, startMetadataServer } from './source-support.js';

const dir = mkdtempSync(join(tmpdir(), 'samlkit-fed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const idpOnly = (entityId: string) =>
  `<md:EntityDescriptor xmlns:md="${namespaces.md}" entityID="${entityId}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
  `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${entityId}/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;

const sp = (name: string, acs?: string) =>
  spEntity(`https://${name}.example.org/sp`, acs === undefined ? {} : { acs });

async function setup(options: Partial<MetadataSourceOptions> = {}) {
  const server = await startMetadataServer();
  const store = options.store ?? createMemoryStore();
  const events: MetadataSourceEvent[] = [];
  let now = Date.UTC(2026, 3, 20, 10);
  const source = createMetadataSource({
    url: `${server.url}/aggregate.xml`,
    certificates: [certificatePem('idp')],
    store,
    http: { ...loopbackHttp, attempts: 1 },
    timeoutMs: 500,
    clock: () => new Date(now),
    onEvent: (event) => events.push(event),
    ...options,
  });
  const publish = (xml: string, etag?: string, lastModified?: string) =>
    server.documents.set('/aggregate.xml', {
      body: xml,
      ...(etag === undefined ? {} : { etag }),
      ...(lastModified === undefined ? {} : { lastModified }),
    });
  return {
    server,
    store,
    source,
    events,
    publish,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

async function entityIds(store: OwnedProviderStore, ids: string[]) {
  const out: Record<string, string | undefined> = {};
  for (const id of ids) out[id] = (await store.findProviderByEntityId(id))?.provider.acsUrl;
  return out;
}

const e = (name: string) => `https://${name}.example.org/sp`;
const validUntil = new Date(Date.UTC(2026, 3, 27));

function failedWith(event: MetadataSourceEvent, stage: string, code: string) {
  expect(event.type).toBe('metadata_failed');
  if (event.type !== 'metadata_failed') return;
  expect(event.stage).toBe(stage);
  expect(event.error.code).toBe(code);
}

describe('metadata source against a real HTTP server', () => {
  it('serves, 304s, changes, breaks, re-signs with the wrong key and times out: the store after each step', async () => {
    const { server, store, source, publish } = await setup();
    await store.putProvider(
      'hand',
      parseProvider({ entityId: e('hand'), acsUrl: 'https://hand.example.org/by-hand' }),
    );
    const v1 = signedAggregate([sp('a'), sp('b'), sp('c'), sp('hand'), idpOnly('https://idp.example.org')], {
      validUntil,
    });
    publish(v1, '"v1"');

    // 1. Serves: every SP registered under its entity ID, the hand-registered one untouched.
    const first = await source.refresh();
    expect(first).toMatchObject({
      type: 'metadata_updated',
      origin: 'network',
      stored: [e('a'), e('b'), e('c')],
      removed: [],
      conflicts: [{ id: e('hand'), entityId: e('hand'), heldBy: 'hand' }],
      validUntil,
    });
    const all = [e('a'), e('b'), e('c'), e('d'), e('hand')];
    expect(await entityIds(store, all)).toEqual({
      [e('a')]: `${e('a')}/acs`,
      [e('b')]: `${e('b')}/acs`,
      [e('c')]: `${e('c')}/acs`,
      [e('d')]: undefined,
      [e('hand')]: 'https://hand.example.org/by-hand',
    });
    expect((await store.findProviderByEntityId(e('a')))?.owner).toBe(`metadata:${server.url}/aggregate.xml`);
    expect(server.requests[0]!.headers.accept).toBe('application/samlmetadata+xml');

    // 2. Not modified: a conditional GET with the ETag; nothing changes.
    expect(await source.refresh()).toMatchObject({ type: 'metadata_not_modified' });
    expect(server.requests[1]!.headers['if-none-match']).toBe('"v1"');

    // 3. Changes: a changed, a removed, an added entity.
    publish(
      signedAggregate([sp('a', 'https://a.example.org/new-acs'), sp('c'), sp('d')], { validUntil }),
      '"v2"',
    );
    expect(await source.refresh()).toMatchObject({
      type: 'metadata_updated',
      stored: [e('a'), e('c'), e('d')],
      removed: [e('b')],
    });
    const v2State = {
      [e('a')]: 'https://a.example.org/new-acs',
      [e('b')]: undefined,
      [e('c')]: `${e('c')}/acs`,
      [e('d')]: `${e('d')}/acs`,
      [e('hand')]: 'https://hand.example.org/by-hand',
    };
    expect(await entityIds(store, all)).toEqual(v2State);
    const v2 = server.documents.get('/aggregate.xml')!.body;

    // 4. Breaks: 500, garbage, truncated; each a failure event, the store as it was.
    server.override = (_request, response) => void response.writeHead(500).end('oops');
    failedWith(await source.refresh(), 'fetch', 'SAML_METADATA_UNAVAILABLE');
    server.override = undefined;
    publish('this is not XML', '"g"');
    failedWith(await source.refresh(), 'verify', 'SAML_XML_MALFORMED');
    publish(v2.slice(0, Math.floor(v2.length / 2)), '"t"');
    failedWith(await source.refresh(), 'verify', 'SAML_XML_MALFORMED');
    expect(await entityIds(store, all)).toEqual(v2State);

    // 5. Re-signed with the wrong key, and tampered after signing (one ACS location).
    publish(signedAggregate([sp('a'), sp('evil')], { validUntil, key: 'evil' }), '"w"');
    failedWith(await source.refresh(), 'verify', 'SAML_SIGNATURE_INVALID');
    publish(v2.replace('https://a.example.org/new-acs', 'https://attacker.example.net/acs'), '"x"');
    failedWith(await source.refresh(), 'verify', 'SAML_SIGNATURE_INVALID');
    expect(await entityIds(store, all)).toEqual(v2State);

    // 6. Times out: the server never answers.
    server.override = () => undefined;
    const started = Date.now();
    const timedOut = await source.refresh();
    failedWith(timedOut, 'fetch', 'SAML_METADATA_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(5_000);
    if (timedOut.type === 'metadata_failed')
      expect((timedOut.error.cause as { details?: { reason?: string } }).details?.reason).toBe('timeout');
    server.override = undefined;
    expect(await entityIds(store, all)).toEqual(v2State);
  });

  it('an expired aggregate is refused; the loaded one is removed once its validUntil passes', async () => {
    const { store, source, publish, advance, now } = await setup();
    publish(signedAggregate([sp('a')], { validUntil: new Date(now() - 1_000) }));
    failedWith(await source.refresh(), 'verify', 'SAML_METADATA_EXPIRED');
    expect(await store.findProviderByEntityId(e('a'))).toBeUndefined();
    publish(signedAggregate([sp('a')], { validUntil: new Date(now() + 60_000) }), '"v"');
    expect((await source.refresh()).type).toBe('metadata_updated');
    advance(61_000);
    // The server still has only the old copy (304): it expired, so the SPs go.
    expect(await source.refresh()).toEqual({ type: 'metadata_expired', removed: [e('a')] });
    expect(await store.findProviderByEntityId(e('a'))).toBeUndefined();
  });

  it('uses Last-Modified for If-Modified-Since when there is no ETag', async () => {
    const { server, source, publish } = await setup();
    publish(signedAggregate([sp('a')], { validUntil }), undefined, 'Mon, 20 Apr 2026 08:00:00 GMT');
    await source.refresh();
    expect(await source.refresh()).toMatchObject({ type: 'metadata_not_modified' });
    expect(server.requests[1]!.headers['if-modified-since']).toBe('Mon, 20 Apr 2026 08:00:00 GMT');
  });

  it('stops a download larger than maxBytes before parsing it', async () => {
    const { store, source, publish } = await setup({ maxBytes: 2_000 });
    publish(signedAggregate([sp('a'), sp('b')], { validUntil }));
    const event = await source.refresh();
    failedWith(event, 'fetch', 'SAML_METADATA_UNAVAILABLE');
    if (event.type === 'metadata_failed')
      expect((event.error.cause as { details?: { reason?: string } }).details?.reason).toBe(
        'response too large',
      );
    expect(await store.findProviderByEntityId(e('a'))).toBeUndefined();
  });

  it('joins a refresh in progress instead of fetching twice', async () => {
    const { server, source, publish } = await setup();
    publish(signedAggregate([sp('a')], { validUntil }));
    const [one, two] = await Promise.all([source.refresh(), source.refresh()]);
    expect(one).toBe(two);
    expect(server.requests).toHaveLength(1);
  });

  it('a store failure applies nothing and is an event', async () => {
    const inner = createMemoryStore();
    let fail = false;
    const store: OwnedProviderStore = {
      ...inner,
      replaceOwnedProviders: (owner, providers) =>
        fail ? Promise.reject(new Error('database away')) : inner.replaceOwnedProviders(owner, providers),
    };
    const { source, publish } = await setup({ store });
    publish(signedAggregate([sp('a')], { validUntil }), '"1"');
    await source.refresh();
    fail = true;
    publish(signedAggregate([sp('b')], { validUntil }), '"2"');
    failedWith(await source.refresh(), 'store', 'SAML_METADATA_UNAVAILABLE');
    expect(await entityIds(inner, [e('a'), e('b')])).toEqual({
      [e('a')]: `${e('a')}/acs`,
      [e('b')]: undefined,
    });
  });

  it('keeps a last good copy and starts from it when the federation is unreachable', async () => {
    const cacheFile = join(dir, 'aggregate-1.xml');
    const first = await setup({ cacheFile });
    first.publish(signedAggregate([sp('a'), sp('b')], { validUntil }), '"1"');
    await first.source.refresh();
    expect(readFileSync(cacheFile, 'utf8')).toBe(first.server.documents.get('/aggregate.xml')!.body);
    // A failed download never replaces the copy.
    first.publish('garbage', '"2"');
    await first.source.refresh();
    expect(readFileSync(cacheFile, 'utf8')).toContain('a.example.org');

    // A new node, the federation down: it starts from the copy, verified again.
    const second = await setup({ cacheFile });
    second.server.override = (_request, response) => void response.writeHead(503).end();
    const result = await second.source.start();
    second.source.stop();
    expect(second.events[0]).toMatchObject({
      type: 'metadata_updated',
      origin: 'cache_file',
      stored: [e('a'), e('b')],
    });
    failedWith(result, 'fetch', 'SAML_METADATA_UNAVAILABLE');
    expect(result.type === 'metadata_failed' && typeof result.nextRefreshAt).toBe('number');
    expect(await entityIds(second.store, [e('a'), e('b')])).toEqual({
      [e('a')]: `${e('a')}/acs`,
      [e('b')]: `${e('b')}/acs`,
    });
  });

  it('refuses a tampered or expired last good copy', async () => {
    const cacheFile = join(dir, 'aggregate-2.xml');
    writeFileSync(
      cacheFile,
      signedAggregate([sp('a')], { validUntil }).replace(`${e('a')}/acs`, 'https://attacker.example.net/acs'),
    );
    const tampered = await setup({ cacheFile });
    tampered.server.override = (_request, response) => void response.writeHead(503).end();
    await tampered.source.start();
    tampered.source.stop();
    failedWith(tampered.events[0]!, 'cache_file', 'SAML_SIGNATURE_INVALID');
    expect(await tampered.store.findProviderByEntityId(e('a'))).toBeUndefined();

    writeFileSync(cacheFile, signedAggregate([sp('a')], { validUntil: new Date(Date.UTC(2026, 3, 20, 9)) }));
    const expired = await setup({ cacheFile });
    expired.server.override = (_request, response) => void response.writeHead(503).end();
    await expired.source.start();
    expired.source.stop();
    failedWith(expired.events[0]!, 'cache_file', 'SAML_METADATA_EXPIRED');
    expect(await expired.store.findProviderByEntityId(e('a'))).toBeUndefined();
  });

  it('schedules the next fetch from cacheDuration within [minRefreshMs, maxRefreshMs] and before validUntil', async () => {
    const { source, publish, now } = await setup({ minRefreshMs: 60_000, maxRefreshMs: 1_800_000 });
    const at = (event: MetadataSourceEvent) =>
      'nextRefreshAt' in event ? event.nextRefreshAt! - now() : undefined;
    publish(signedAggregate([sp('a')], { validUntil, cacheDuration: 'PT6H' }), '"1"');
    expect(at(await source.start())).toBe(1_800_000);
    publish(signedAggregate([sp('a')], { validUntil, cacheDuration: 'PT10S' }), '"2"');
    expect(at(await source.refresh())).toBe(60_000);
    publish(signedAggregate([sp('a')], { validUntil, cacheDuration: 'PT10M' }), '"3"');
    expect(at(await source.refresh())).toBe(600_000);
    // Half the time left before validUntil, when that comes first.
    publish(
      signedAggregate([sp('a')], { validUntil: new Date(now() + 1_000_000), cacheDuration: 'PT6H' }),
      '"4"',
    );
    expect(at(await source.refresh())).toBe(500_000);
    source.stop();
    // Without start(), refresh() schedules nothing.
    expect(at(await source.refresh())).toBeUndefined();
  });

  it('fetches again on its own schedule until stopped', async () => {
    const { server, source, publish } = await setup({ minRefreshMs: 100, maxRefreshMs: 150 });
    publish(signedAggregate([sp('a')], { validUntil, cacheDuration: 'PT0S' }), '"1"');
    await source.start();
    for (let i = 0; i < 100 && server.requests.length < 3; i++) await sleep(50);
    source.stop();
    const seen = server.requests.length;
    expect(seen).toBeGreaterThanOrEqual(3);
    await sleep(400);
    expect(server.requests.length).toBeLessThanOrEqual(seen + 1);
  });

  it('refuses unusable options, listing each', () => {
    let error: unknown;
    try {
      createMetadataSource({
        url: 'file:///etc/passwd',
        certificates: [],
        store: createMemoryStore(),
        minRefreshMs: 10,
        maxRefreshMs: 5,
        cachefile: '/tmp/x',
      } as never);
    } catch (e) {
      error = e;
    }
    expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
    expect(
      (error as { details: { issues: { path: string[] }[] } }).details.issues.map((i) => i.path[0]),
    ).toEqual(['cachefile', 'url', 'certificates', 'minRefreshMs']);
  });

  it('refuses a loopback federation URL unless allowed', async () => {
    const { server } = await setup();
    const source = createMetadataSource({
      url: `${server.url}/aggregate.xml`,
      certificates: [certificatePem('idp')],
      store: createMemoryStore(),
    });
    const event = await source.refresh();
    failedWith(event, 'fetch', 'SAML_METADATA_UNAVAILABLE');
    if (event.type === 'metadata_failed')
      expect(isSamlError(event.error.cause, 'SAML_TRANSPORT_TARGET_FORBIDDEN')).toBe(true);
    expect(server.requests).toHaveLength(0);
  });
});
