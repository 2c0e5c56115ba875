/**
 * Metadata exchange between an IdP and an SP, on 127.0.0.1.
 *
 *   1. The IdP publishes signed metadata (`buildIdpMetadata`) at its metadata URL:
 *      two signing certificates (current and next, for rollover), SSO and SLO
 *      endpoints for Redirect, POST and SOAP, the NameID formats it issues.
 *   2. The IdP imports the SP's metadata from the URL an administrator entered
 *      (`parseSpMetadata`) and turns it into a provider (`parseProvider`).
 *
 * Trust: parseSpMetadata refuses to run unless it is told who may sign the
 * metadata (`trust`) or that its origin was authenticated another way
 * (`requireSignature: false`). This SP does not sign its metadata, so the
 * example takes the second path — acceptable because the administrator pinned
 * the URL (HTTPS in real life; loopback here).
 *
 * Run it: `npx vitest run test/examples.test.ts` (the test imports `main`).
 * In your own code, import from 'samlkit' instead of '../src/index.js'.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  bindingUris,
  buildIdpMetadata,
  idpEndpoints,
  isSamlError,
  type KeyPair,
  loadKeyPair,
  nameIdFormats,
  parseProvider,
  parseSpMetadata,
} from '../src/index.js';

const keys = new URL('../fixtures/keys/', import.meta.url);
const pem = (name: string) => readFileSync(new URL(name, keys), 'utf8');
const pair = (name: string): KeyPair =>
  loadKeyPair({ certificate: pem(`${name}.crt`), privateKey: pem(`${name}.key`) });

/** Serves one document on 127.0.0.1 at any free port. */
async function serveDocument(path: string, body: () => string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(body());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}${path}`, server };
}

/** What an SP stack publishes: one SPSSODescriptor, two ACS, SLO, a signing and an encryption key. */
function spMetadataDocument(spOrigin: string): string {
  const certificate = (name: string) => loadKeyPair({ certificate: pem(`${name}.crt`) }).certificateBase64;
  const key = (use: string, name: string) =>
    `<md:KeyDescriptor use="${use}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificate(name)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
  return [
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${spOrigin}/saml/metadata">`,
    '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="true" WantAssertionsSigned="true">',
    key('signing', 'sp-a'),
    key('encryption', 'sp-b'),
    `<md:SingleLogoutService Binding="${bindingUris.post}" Location="${spOrigin}/saml/slo"/>`,
    `<md:NameIDFormat>${nameIdFormats.persistent}</md:NameIDFormat>`,
    `<md:AssertionConsumerService Binding="${bindingUris.post}" Location="${spOrigin}/saml/acs" index="0" isDefault="true"/>`,
    `<md:AssertionConsumerService Binding="${bindingUris.post}" Location="${spOrigin}/saml/acs/mobile" index="1"/>`,
    '</md:SPSSODescriptor></md:EntityDescriptor>',
  ].join('');
}

export interface MetadataSummary {
  idpMetadataUrl: string;
  idpMetadataId: string | undefined;
  spEntityId: string;
  acs: { url: string; index: number; isDefault: boolean }[];
  encrypts: boolean;
  refusedWithoutTrust: string | undefined;
  origins: string[];
}

export async function main(log: (line: string) => void = console.log): Promise<MetadataSummary> {
  const idpKey = pair('idp');
  const nextIdpKey = pair('idp-rollover');
  const servers: Server[] = [];
  try {
    // 1. The IdP's metadata, signed with its current key, listing the next key too.
    let idpBase = '';
    const idp = await serveDocument('/application/saml/wiki/metadata/', () => {
      const endpoints = idpEndpoints(idpBase, 'wiki');
      return buildIdpMetadata({
        entityId: endpoints.metadata,
        endpoints: { ...endpoints, sloSoap: `${idpBase}/application/saml/wiki/slo/binding/soap/` },
        signingCertificates: [idpKey, nextIdpKey],
        wantAuthnRequestsSigned: true,
        validUntil: new Date(Date.now() + 7 * 24 * 3_600_000),
        sign: { key: idpKey },
      }).xml;
    });
    servers.push(idp.server);
    idpBase = new URL(idp.url).origin;
    const published = await (await fetch(idp.url)).text();
    const idpMetadataId = /<md:EntityDescriptor[^>]* ID="([^"]+)"/.exec(published)?.[1];
    log(`IdP metadata at ${idp.url}: ${published.length} bytes, signed (ID ${idpMetadataId})`);

    // 2. The SP publishes its metadata; the administrator gives the IdP that URL.
    let spOrigin = '';
    const sp = await serveDocument('/saml/metadata', () => spMetadataDocument(spOrigin));
    servers.push(sp.server);
    spOrigin = new URL(sp.url).origin;
    const spXml = await (await fetch(sp.url)).text();

    // Fail closed: without a trust decision nothing is read.
    let refusedWithoutTrust: string | undefined;
    try {
      parseSpMetadata(spXml);
    } catch (error) {
      if (!isSamlError(error)) throw error;
      refusedWithoutTrust = error.code;
      log(`without trust or requireSignature: false -> ${error.code}`);
    }

    const metadata = parseSpMetadata(spXml, { requireSignature: false });
    log(`SP ${metadata.entityId}: signature ${metadata.signature}, ${metadata.warnings.length} warnings`);
    const provider = parseProvider({
      ...metadata.provider,
      issuer: new URL('/application/saml/wiki/metadata/', idpBase).href,
      signingKeyPair: idpKey,
    });
    for (const endpoint of provider.assertionConsumerServices) {
      log(`ACS ${endpoint.index}${endpoint.isDefault ? ' (default)' : ''}: ${endpoint.url}`);
    }
    log(`assertions for this SP are ${provider.encryptionCertificate ? 'encrypted' : 'not encrypted'}`);
    return {
      idpMetadataUrl: idp.url,
      idpMetadataId,
      spEntityId: provider.entityId,
      acs: provider.assertionConsumerServices.map(({ url, index, isDefault }) => ({ url, index, isDefault })),
      encrypts: provider.encryptionCertificate !== null,
      refusedWithoutTrust,
      origins: [idpBase, spOrigin],
    };
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
