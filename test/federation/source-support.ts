/**
 * Signed federation metadata and a real HTTP server on 127.0.0.1 that serves it, changes it,
 * breaks it and stalls, for the metadata source and MDQ client tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import { signTree } from '../../src/crypto/index.js';
import { bindingUris, namespaces, signatureAlgorithms } from '../../src/index.js';
import { elementFromDom, parseXml, serialize } from '../../src/xml/index.js';
import { certificatePem, keyPair } from '../support/keys.js';

const base64Of = (name: string) => certificatePem(name).replace(/-----[^-]+-----|\s/g, '');

/** What varies between test SPs. */
export interface SpEntityOptions {
  /** ACS URL; default `{entityId}/acs`. */
  acs?: string;
  /** Entity attributes (mdattr), name to values. */
  entityAttributes?: Record<string, string[]>;
  /** Signing certificate fixture in the SP's KeyDescriptor. Default `sp-a`. */
  key?: string;
  validUntil?: string;
  cacheDuration?: string;
  id?: string;
}

/** One SP's `md:EntityDescriptor`, unsigned. */
export function spEntity(entityId: string, options: SpEntityOptions = {}): string {
  const attributes = Object.entries(options.entityAttributes ?? {});
  const extensions =
    attributes.length === 0
      ? ''
      : `<md:Extensions><mdattr:EntityAttributes xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute">${attributes
          .map(
            ([name, values]) =>
              `<saml:Attribute xmlns:saml="${namespaces.saml}" Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${values
                .map((value) => `<saml:AttributeValue>${value}</saml:AttributeValue>`)
                .join('')}</saml:Attribute>`,
          )
          .join('')}</mdattr:EntityAttributes></md:Extensions>`;
  const at = (name: string, value: string | undefined) => (value === undefined ? '' : ` ${name}="${value}"`);
  return (
    `<md:EntityDescriptor xmlns:md="${namespaces.md}" xmlns:ds="${namespaces.ds}" entityID="${entityId}"` +
    `${at('ID', options.id)}${at('validUntil', options.validUntil)}${at('cacheDuration', options.cacheDuration)}>` +
    extensions +
    `<md:SPSSODescriptor protocolSupportEnumeration="${'urn:oasis:names:tc:SAML:2.0:protocol'}" AuthnRequestsSigned="false">` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Of(options.key ?? 'sp-a')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:AssertionConsumerService Binding="${bindingUris.post}" Location="${options.acs ?? `${entityId}/acs`}" index="0" isDefault="true"/>` +
    '</md:SPSSODescriptor></md:EntityDescriptor>'
  );
}

/** Signs the root of `xml` (it needs an ID) with a fixture key, as a federation operator does. */
export function signMetadata(xml: string, key = 'idp'): string {
  const tree = elementFromDom(parseXml(xml, { maxBytes: 64 * 1024 * 1024, maxElements: 10_000_000 }).root);
  return serialize(signTree(tree, { key: keyPair(key), algorithm: signatureAlgorithms.rsaSha256 }));
}

/** A signed `md:EntitiesDescriptor` holding `entities` (EntityDescriptor strings). */
export function signedAggregate(
  entities: readonly string[],
  options: { key?: string; validUntil?: Date; cacheDuration?: string; name?: string } = {},
): string {
  const validUntil =
    options.validUntil === undefined ? '' : ` validUntil="${options.validUntil.toISOString()}"`;
  const cacheDuration =
    options.cacheDuration === undefined ? '' : ` cacheDuration="${options.cacheDuration}"`;
  const xml =
    `<md:EntitiesDescriptor xmlns:md="${namespaces.md}" xmlns:ds="${namespaces.ds}" ID="_agg" Name="${options.name ?? 'https://federation.example.org'}"${validUntil}${cacheDuration}>` +
    entities.join('') +
    '</md:EntitiesDescriptor>';
  return signMetadata(xml, options.key);
}

/** Answers one request itself, or returns `'default'` to let the served documents answer. */
export type Route = (request: IncomingMessage, response: ServerResponse) => undefined | 'default';

/** A resource the server serves with an ETag and Last-Modified, answering conditional GETs with 304. */
export interface ServedDocument {
  body: string;
  etag?: string;
  lastModified?: string;
  contentType?: string;
}

export interface MetadataServer {
  url: string;
  /** Every request seen, in order. */
  requests: { url: string; headers: IncomingMessage['headers'] }[];
  /** Documents by path (`/aggregate.xml`, `/entities/…`). */
  documents: Map<string, ServedDocument>;
  /** Answers every request instead of the documents while set. */
  override: Route | undefined;
}

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    ),
  );
});

/** Starts a metadata server on 127.0.0.1 (closed after the file). */
export async function startMetadataServer(): Promise<MetadataServer> {
  const state: MetadataServer = { url: '', requests: [], documents: new Map(), override: undefined };
  const server = createServer((request, response) => {
    state.requests.push({ url: request.url ?? '', headers: request.headers });
    if (state.override && state.override(request, response) !== 'default') return;
    const document = state.documents.get(request.url ?? '');
    if (!document) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const headers: Record<string, string> = {
      'content-type': document.contentType ?? 'application/samlmetadata+xml',
    };
    if (document.etag) headers.etag = document.etag;
    if (document.lastModified) headers['last-modified'] = document.lastModified;
    const notModified =
      (document.etag !== undefined && request.headers['if-none-match'] === document.etag) ||
      (document.etag === undefined &&
        document.lastModified !== undefined &&
        request.headers['if-modified-since'] === document.lastModified);
    if (notModified) {
      response.writeHead(304, headers).end();
      return;
    }
    response.writeHead(200, headers).end(document.body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** The transport options that let a test reach the loopback server over plain http. */
export const loopbackHttp = { allowTargets: ['127.0.0.1'], unsafeAllowHttp: true } as const;
