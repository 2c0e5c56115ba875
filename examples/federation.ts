/**
 * A federation IdP's metadata, on 127.0.0.1.
 *
 *   1. The federation publishes a signed aggregate of its SPs; the IdP keeps them in its store
 *      with `createMetadataSource`: fetched with a conditional GET, verified against the
 *      federation's certificate, replaced atomically on change, and saved as a last good copy.
 *   2. A provider registered by hand sits next to them and is never touched.
 *   3. An SP that is in no aggregate yet is found on demand through the federation's Metadata
 *      Query (MDQ) service, with `createMdqClient` and `withMetadataQuery`.
 *   4. Each SP gets a `pairwise-id` attribute scoped to the IdP's domain: made by hand here with
 *      `createSubjectIdentifiers`; a facade with `sso.subjectIdentifiers: { scope }` releases
 *      the one each SP's metadata asks for (its `subject-id:req`) by itself.
 *
 * The federation server is plain http on loopback, so the transport is told to allow it
 * (`allowTargets`, `unsafeAllowHttp`); a real federation URL is https and needs neither.
 *
 * Run it: `npx vitest run test/examples.test.ts` (the test imports `main`).
 * In your own code, import from 'samlkit' instead of '../src/index.js'.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAggregate } from '../scripts/federation-aggregate.mjs';
import {
  createMdqClient,
  createMemoryStore,
  createMetadataSource,
  createSubjectIdentifiers,
  type MetadataSourceEvent,
  parseProvider,
  withMetadataQuery,
} from '../src/index.js';

const keys = new URL('../fixtures/keys/', import.meta.url);
const pem = (name: string) => readFileSync(new URL(name, keys), 'utf8');

/** What the example did, for its test. */
export interface FederationSummary {
  events: MetadataSourceEvent['type'][];
  registered: number;
  handProviderKept: boolean;
  conditionalGet: string | undefined;
  foundThroughMdq: string | undefined;
  mdqOwner: string | undefined;
  pairwiseId: string;
  origin: string;
}

export async function main(log: (line: string) => void = console.log): Promise<FederationSummary> {
  const federationKey = { privateKeyPem: pem('idp.key'), certificatePem: pem('idp.crt') };
  // The federation's aggregate: 5 entities, one of them an IdP.
  const aggregate = generateAggregate({
    entities: 5,
    identityProviderEvery: 5,
    spCertificates: [pem('sp-a.crt')],
    ...federationKey,
  });
  // MDQ answers with the federation's signature too; the seventh SP is in no aggregate above.
  const later = generateAggregate({
    entities: 7,
    id: '_mdq',
    spCertificates: [pem('sp-b.crt')],
    ...federationKey,
  });
  const newcomer = later.entityIds[6]!;
  let conditionalGet: string | undefined;
  const server = createServer((request, response) => {
    if (request.url === '/aggregate.xml') {
      conditionalGet ??= request.headers['if-none-match'];
      if (request.headers['if-none-match'] === '"v1"') return void response.writeHead(304).end();
      return void response
        .writeHead(200, { etag: '"v1"', 'content-type': 'application/samlmetadata+xml' })
        .end(aggregate.xml);
    }
    const entityId = decodeURIComponent((request.url ?? '').replace(/^\/entities\//, ''));
    if (entityId === newcomer) {
      return void response.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(later.xml);
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const http = { allowTargets: ['127.0.0.1'], unsafeAllowHttp: true };
  const dir = mkdtempSync(join(tmpdir(), 'samlkit-federation-'));
  const events: MetadataSourceEvent['type'][] = [];

  try {
    const store = createMemoryStore();
    await store.putProvider(
      'intranet',
      parseProvider({
        entityId: 'https://intranet.example.org/sp',
        acsUrl: 'https://intranet.example.org/acs',
      }),
    );

    // 1. The aggregate, kept fresh.
    const source = createMetadataSource({
      url: `${origin}/aggregate.xml`,
      certificates: [federationKey.certificatePem],
      store,
      http,
      cacheFile: join(dir, 'federation.xml'),
      minRefreshMs: 60_000,
      onEvent: (event) => {
        events.push(event.type);
        if (event.type === 'metadata_updated')
          log(
            `aggregate: ${event.stored.length} SPs registered from ${event.origin}, ${event.removed.length} removed`,
          );
        if (event.type === 'metadata_not_modified') log('aggregate: not modified (304)');
        if (event.type === 'metadata_failed')
          log(`aggregate: ${event.stage} failed with ${event.error.code}`);
      },
    });
    const first = await source.start();
    const registered = first.type === 'metadata_updated' ? first.stored.length : 0;
    await source.refresh();
    source.stop();

    // 2. The provider registered by hand is still there.
    const hand = await store.findProviderByEntityId('https://intranet.example.org/sp');
    log(`by hand: ${hand?.id} (owner: ${hand?.owner ?? 'none'})`);

    // 3. An SP known only to the MDQ service.
    const mdq = createMdqClient({ baseUrl: origin, certificates: [federationKey.certificatePem], http });
    const federated = withMetadataQuery(store, mdq);
    const found = await federated.findProviderByEntityId(newcomer);
    log(`mdq: ${found?.provider.entityId} -> ${found?.provider.acsUrl}`);

    // 4. What the IdP releases to that SP (its metadata asks for nothing, so chosen here).
    const [pairwise] = createSubjectIdentifiers({
      scope: 'example.org',
      userId: 'alice',
      spEntityId: found!.provider.entityId,
      secret: 'a pairwise secret of at least thirty-two bytes',
    });
    const pairwiseId = (pairwise!.values as string[])[0]!;
    log(`pairwise-id for that SP: ${pairwiseId}`);

    return {
      events,
      registered,
      handProviderKept: hand?.id === 'intranet' && hand.owner === undefined,
      conditionalGet,
      foundThroughMdq: found?.provider.entityId,
      mdqOwner: found?.owner,
      pairwiseId,
      origin,
    };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}
