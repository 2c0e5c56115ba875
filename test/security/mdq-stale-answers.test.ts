/**
 * Stale MDQ answers (ADR 0018) stand in only while the service cannot be reached: no
 * connection, a timeout, an HTTP 5xx. A service that answers (a redirect, a 4xx other than
 * 404, an answer over the size limit) is not down, so the expired copy never stands in for it,
 * then or at a later outage.
 */
import { describe, expect, it } from 'vitest';
import { createMdqClient, isSamlError, type MdqClientOptions, type MdqEvent } from '../../src/index.js';
import { loopbackHttp, signMetadata, spEntity, startMetadataServer } from '../federation/source-support.js';
import { certificatePem } from '../support/keys.js';

const entityId = 'https://stale.example.org/sp';
const start = Date.UTC(2026, 3, 20);
const minute = 60_000;

async function setup(options: Partial<MdqClientOptions> = {}) {
  const server = await startMetadataServer();
  server.documents.set(`/mdq/entities/${encodeURIComponent(entityId)}`, {
    body: signMetadata(spEntity(entityId, { id: '_e', cacheDuration: 'PT10M' }), 'idp'),
  });
  const clock = { now: start };
  const events: MdqEvent[] = [];
  const mdq = createMdqClient({
    baseUrl: `${server.url}/mdq/`,
    certificates: [certificatePem('idp')],
    http: { ...loopbackHttp, attempts: 1 },
    clock: () => new Date(clock.now),
    negativeCacheMs: 0,
    timeoutMs: 2_000,
    onEvent: (event) => events.push(event),
    ...options,
  });
  const first = await mdq.lookup(entityId);
  expect(first?.signature).toBe('verified');
  clock.now += 11 * minute; // expired, well within the default hour of grace
  return { server, mdq, events, first: first! };
}

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => value,
    (error: unknown) => error,
  );
}

describe('a service that answers is not down: the expired copy does not stand in', () => {
  it('an HTTP 503 is an outage: the expired copy stands in (the control case)', async () => {
    const { server, mdq, events, first } = await setup();
    server.override = (_request, response) => void response.writeHead(503).end('down');
    expect(await mdq.lookup(entityId)).toBe(first);
    expect(events.map((e) => e.type)).toEqual(['mdq_stale_served']);
  });

  it.each([
    ['403', 403],
    ['410 Gone', 410],
    ['429', 429],
  ])('an HTTP %s fails the lookup', async (_name, status) => {
    const { server, mdq, events } = await setup();
    server.override = (_request, response) => void response.writeHead(status).end('no');
    const error = await outcome(mdq.lookup(entityId));
    expect(isSamlError(error, 'SAML_METADATA_UNAVAILABLE'), String(error)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['mdq_failed']);
  });

  it('a redirect (not followed) fails the lookup', async () => {
    const { server, mdq, events } = await setup();
    server.override = (_request, response) =>
      void response.writeHead(302, { location: 'https://elsewhere.example.org/' }).end();
    const error = await outcome(mdq.lookup(entityId));
    expect(isSamlError(error, 'SAML_METADATA_UNAVAILABLE'), String(error)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['mdq_failed']);
  });

  it('an answer over the size limit fails the lookup (ADR 0018: too large is refused)', async () => {
    const { server, mdq, events } = await setup({ maxBytes: 64 * 1024 });
    server.override = (_request, response) =>
      void response
        .writeHead(200, { 'content-type': 'application/samlmetadata+xml' })
        .end(`<x>${'a'.repeat(200 * 1024)}</x>`);
    const error = await outcome(mdq.lookup(entityId));
    expect(isSamlError(error, 'SAML_METADATA_UNAVAILABLE'), String(error)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['mdq_failed']);
  });

  it.each([
    ['an HTTP 410 Gone', 'gone'],
    ['a redirect', 'redirect'],
    ['an answer signed by another key', 'evil'],
  ] as const)('after %s, a later outage does not bring the old copy back', async (_name, answer) => {
    const { server, mdq, events } = await setup();
    if (answer === 'evil')
      server.documents.set(`/mdq/entities/${encodeURIComponent(entityId)}`, {
        body: signMetadata(spEntity(entityId, { id: '_e', cacheDuration: 'PT10M' }), 'evil'),
      });
    else
      server.override = (_request, response) =>
        void (answer === 'gone'
          ? response.writeHead(410).end('gone')
          : response.writeHead(302, { location: 'https://elsewhere.example.org/' }).end());
    expect(isSamlError(await outcome(mdq.lookup(entityId)), 'SAML_METADATA_UNAVAILABLE')).toBe(true);
    server.override = (request) => void request.socket.destroy();
    const error = await outcome(mdq.lookup(entityId));
    expect(isSamlError(error, 'SAML_METADATA_UNAVAILABLE'), String(error)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['mdq_failed', 'mdq_failed']);
  });
});
