/**
 * Shared inputs for the hostile-input suites: a facade with SSO and SLO, signed messages
 * from sp-a through every binding, SP metadata, and the CLI run in this process.
 */
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import {
  buildLogoutResponse,
  encodePost,
  encodeRedirect,
  encodeSoap,
  type HttpInput,
  keyTransportAlgorithms,
  namespaces,
  type ReceiveOptions,
} from '../../src/index.js';
import {
  authnRequestXml,
  fixedClock,
  fixedNow,
  idpSloUrl,
  idpSsoPost,
  idpSsoRedirect,
  spEntityId,
  ssoIdp,
} from '../sso/support.js';
import { keyPair } from '../support/keys.js';

export { fixedClock, fixedNow, idpSloUrl, idpSsoPost, idpSsoRedirect, spEntityId, ssoIdp };

export const spCertificateFile = fileURLToPath(new URL('../../fixtures/keys/sp-a.crt', import.meta.url));
const sign = { key: keyPair('sp-a') };

/** What receive* is given for sp-a's messages (trust, clock, Issuer and Destination checks). */
export function receiveOptionsFor(destination: string): ReceiveOptions {
  return { trust: [keyPair('sp-a')], clock: fixedClock, expect: { issuer: spEntityId, destination } };
}

/** A LogoutRequest from sp-a; `extensions` goes into samlp:Extensions after the Issuer. */
export function logoutRequestXml(
  options: { extensions?: string; id?: string; rootAttributes?: string; nameIdFormat?: string } = {},
): string {
  const extensions =
    options.extensions === undefined ? '' : `<samlp:Extensions>${options.extensions}</samlp:Extensions>`;
  const format = options.nameIdFormat === undefined ? '' : ` Format="${options.nameIdFormat}"`;
  return (
    `<samlp:LogoutRequest xmlns:samlp="${namespaces.samlp}" xmlns:saml="${namespaces.saml}" ID="${options.id ?? '_hostile'}" Version="2.0" IssueInstant="${fixedNow.toISOString()}" Destination="${idpSloUrl}"${options.rootAttributes ?? ''}>` +
    `<saml:Issuer>${spEntityId}</saml:Issuer>${extensions}` +
    `<saml:NameID${format}>alice@example.com</saml:NameID><samlp:SessionIndex>_s1</samlp:SessionIndex></samlp:LogoutRequest>`
  );
}

/** A LogoutResponse from sp-a answering `_pending`. */
export function logoutResponseXml(extensions = ''): string {
  const xml = buildLogoutResponse({
    issuer: spEntityId,
    inResponseTo: '_pending',
    destination: idpSloUrl,
    issueInstant: fixedNow,
    id: '_hostile-response',
  }).xml;
  return extensions === ''
    ? xml
    : xml.replace('</saml:Issuer>', `</saml:Issuer><samlp:Extensions>${extensions}</samlp:Extensions>`);
}

/** An AuthnRequest from sp-a with `extensions` in samlp:Extensions. */
export function authnRequestWith(extensions = '', spec: Parameters<typeof authnRequestXml>[0] = {}): string {
  const xml = authnRequestXml(spec);
  return extensions === ''
    ? xml
    : xml.replace('</saml:Issuer>', `</saml:Issuer><samlp:Extensions>${extensions}</samlp:Extensions>`);
}

export type Binding = 'redirect' | 'post' | 'soap';

/** The query string (without `?`) of a signed HTTP-Redirect message. */
export function signedQuery(
  xml: string,
  destination: string,
  type: 'SAMLRequest' | 'SAMLResponse' = 'SAMLRequest',
): string {
  const url = encodeRedirect({ type, xml, destination, sign });
  return url.slice(url.indexOf('?') + 1);
}

/** The form fields of a signed HTTP-POST message. */
export function signedForm(
  xml: string,
  destination: string,
  type: 'SAMLRequest' | 'SAMLResponse' = 'SAMLRequest',
): Record<string, string> {
  return encodePost({ type, xml, destination, sign }).fields;
}

/** The envelope of a signed SOAP message. */
export function signedSoap(xml: string): string {
  return encodeSoap(xml, { sign });
}

/** The facade's HTTP input for a message as sent over `binding` (signed by sp-a). */
export function httpInput(
  binding: Binding,
  xml: string,
  destination: string,
  type: 'SAMLRequest' | 'SAMLResponse' = 'SAMLRequest',
): HttpInput {
  if (binding === 'redirect')
    return { method: 'GET', query: `${destination}?${signedQuery(xml, destination, type)}` };
  if (binding === 'post')
    return {
      method: 'POST',
      body: signedForm(xml, destination, type),
      contentType: 'application/x-www-form-urlencoded',
    };
  return { method: 'POST', body: signedSoap(xml), contentType: 'text/xml; charset=utf-8' };
}

/** SP metadata for sp-a, unsigned; `acs` and `extra` are added inside the SPSSODescriptor. */
export function spMetadataXml(
  options: {
    acs?: string;
    extra?: string;
    entityAttributes?: string;
    descriptorExtra?: string;
    /** The EntityDescriptor's own md:Extensions content. */
    entityExtensions?: string;
  } = {},
): string {
  const certificate = keyPair('sp-a').certificateBase64;
  return (
    `<md:EntityDescriptor xmlns:md="${namespaces.md}" xmlns:ds="${namespaces.ds}" entityID="${spEntityId}"${options.entityAttributes ?? ''}>` +
    (options.entityExtensions === undefined
      ? ''
      : `<md:Extensions>${options.entityExtensions}</md:Extensions>`) +
    `<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${options.descriptorExtra ?? ''}` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
    `<md:EncryptionMethod Algorithm="${keyTransportAlgorithms.rsaOaepMgf1p}"/></md:KeyDescriptor>` +
    `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://sp-a.example.com/slo"/>` +
    (options.extra ?? '') +
    `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp-a.example.com/acs" index="0"/>` +
    (options.acs ?? '') +
    `</md:SPSSODescriptor></md:EntityDescriptor>`
  );
}

/** Runs the CLI in this process; returns its exit status and everything it wrote. */
export async function runMain(args: string[], stdin = ''): Promise<{ code: number; output: string }> {
  let output = '';
  const code = await main(args, {
    out: (text) => {
      output += text;
    },
    err: (text) => {
      output += text;
    },
    readStdin: async () => Buffer.from(stdin),
  });
  return { code, output };
}

/** A CLI run ends in a verdict or a SAML_* / usage report, never an unexpected error. */
export function cliFailedUnexpectedly(output: string): boolean {
  return /samlkit: (ERROR|[A-Z]*Error):/.test(output);
}
