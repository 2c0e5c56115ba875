/**
 * Every message samlkit emits validates against the OASIS SAML 2.0 protocol
 * schema (SOAP 1.1 envelopes against the SOAP envelope schema, IdP metadata
 * against the metadata schema with its extension schemas), checked with
 * xmllint (libxml2), an implementation independent of samlkit.
 */
import { inflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type BuildIdpMetadataInput,
  buildIdpMetadata,
  encodePost,
  encodeRedirect,
  encodeSoap,
  encodeSoapFault,
  idpEndpoints,
  nameIdFormats,
  signatureAlgorithms,
} from '../../src/index.js';
import { keyPair } from '../support/keys.js';
import { idpEntityId, sampleLogoutRequest, sampleLogoutResponse, spSloUrl } from '../support/messages.js';
import { findExternalTool } from '../support/xmlsec.js';
import { allValid, hasXmllint, schemaErrors, schemas } from '../support/xsd.js';

const requests: Record<string, () => string> = {
  'request-minimal': () => sampleLogoutRequest({ nameId: { value: 'alice' }, sessionIndex: undefined }).xml,
  'request-qualified-nameid': () =>
    sampleLogoutRequest({
      nameId: {
        value: 'a1b2c3',
        format: nameIdFormats.persistent,
        nameQualifier: idpEntityId,
        spNameQualifier: 'https://sp-a.example.com/metadata',
        spProvidedId: 'sp-side-alias',
      },
    }).xml,
  'request-several-session-indexes': () =>
    sampleLogoutRequest({ sessionIndex: ['_session-1', '_session-2', '_session-3'] }).xml,
  'request-not-on-or-after-and-reason': () =>
    sampleLogoutRequest({
      notOnOrAfter: new Date('2026-04-20T10:05:00Z'),
      reason: 'urn:oasis:names:tc:SAML:2.0:logout:admin',
    }).xml,
};

const responses: Record<string, () => string> = {
  'response-success': () => sampleLogoutResponse().xml,
  'response-partial-logout': () =>
    sampleLogoutResponse({
      status: { code: 'Responder', subCode: 'PartialLogout', message: 'sp-b did not answer' },
    }).xml,
  'response-unknown-principal': () =>
    sampleLogoutResponse({ status: { code: 'Requester', subCode: 'UnknownPrincipal' } }).xml,
  'response-version-mismatch': () => sampleLogoutResponse({ status: { code: 'VersionMismatch' } }).xml,
  'response-unsolicited-no-destination': () =>
    sampleLogoutResponse({ destination: undefined, inResponseTo: undefined }).xml,
};

const messages: Record<string, () => string> = { ...requests, ...responses };

const signers = [
  { name: 'rsa', sign: () => ({ key: keyPair('idp') }) },
  {
    name: 'rsa-sha512',
    sign: () => ({ key: keyPair('idp'), algorithm: signatureAlgorithms.rsaSha512 }),
  },
  { name: 'ecdsa-p256', sign: () => ({ key: keyPair('idp-ec-p-256') }) },
  { name: 'ecdsa-p521', sign: () => ({ key: keyPair('idp-ec-p-521') }) },
];

function typeOf(name: string): 'SAMLRequest' | 'SAMLResponse' {
  return name.startsWith('request') ? 'SAMLRequest' : 'SAMLResponse';
}

/** The element inside `soapenv:Body`, cut from the serialized envelope (its namespaces are declared on it). */
function bodyContent(envelope: string): string {
  const start = envelope.indexOf('<soapenv:Body>') + '<soapenv:Body>'.length;
  const end = envelope.lastIndexOf('</soapenv:Body>');
  expect(start).toBeGreaterThan('<soapenv:Body>'.length - 1);
  expect(end).toBeGreaterThan(start);
  return envelope.slice(start, end);
}

function mapEntries(
  source: Record<string, () => string>,
  fn: (name: string, xml: string) => [string, string],
) {
  return Object.fromEntries(Object.entries(source).map(([name, build]) => fn(name, build())));
}

describe.skipIf(!hasXmllint())('XSD validation with xmllint', () => {
  it('the validator is not vacuous: schema violations are reported', () => {
    const valid = sampleLogoutRequest().xml;
    const signed = encodePost({
      type: 'SAMLRequest',
      xml: valid,
      destination: spSloUrl,
      sign: { key: keyPair('idp') },
    }).xml;
    const documents = {
      'missing-nameid': valid.replace(/<saml:NameID[^>]*>[^<]*<\/saml:NameID>/, ''),
      'session-index-before-nameid': valid.replace(
        /(<saml:NameID[^>]*>[^<]*<\/saml:NameID>)(<samlp:SessionIndex>[^<]*<\/samlp:SessionIndex>)/,
        '$2$1',
      ),
      'issue-instant-not-a-datetime': sampleLogoutResponse().xml.replace(
        'IssueInstant="2026-04-20T10:00:00Z"',
        'IssueInstant="yesterday"',
      ),
      'unknown-attribute': valid.replace('Version="2.0"', 'Version="2.0" Bogus="1"'),
      'signature-before-issuer': signed.replace(
        /(<saml:Issuer>[^<]*<\/saml:Issuer>)(<ds:Signature[\s\S]*<\/ds:Signature>)/,
        '$2$1',
      ),
    };
    for (const [name, xml] of Object.entries(documents)) {
      expect(xml, name).not.toBe(valid);
      expect(xml, name).not.toBe(signed);
    }
    // The valid originals pass, so the failures above come from the mutations alone.
    expect(schemaErrors(schemas.protocol, { valid, signed })).toEqual({ valid: [], signed: [] });
    const report = schemaErrors(schemas.protocol, documents);
    for (const [name, problems] of Object.entries(report)) {
      expect(problems.length, name).toBeGreaterThan(0);
      expect(problems.join('\n'), name).toContain('fails to validate');
    }
  });

  it('unsigned LogoutRequest and LogoutResponse variants', () => {
    const documents = mapEntries(messages, (name, xml) => [name, xml]);
    expect(schemaErrors(schemas.protocol, documents)).toEqual(allValid(documents));
  });

  it.each(signers)('signed ($name) through encodePost', ({ name: signer, sign }) => {
    const documents = mapEntries(messages, (name, xml) => [
      `${name}-${signer}`,
      encodePost({ type: typeOf(name), xml, destination: spSloUrl, sign: sign() }).xml,
    ]);
    for (const xml of Object.values(documents)) expect(xml).toContain('<ds:SignatureValue>');
    expect(schemaErrors(schemas.protocol, documents)).toEqual(allValid(documents));
  });

  it('the inflated XML of encodeRedirect (with its XML declaration), unsigned and signed', () => {
    const documents: Record<string, string> = {};
    for (const [name, build] of Object.entries(messages)) {
      for (const [variant, sign] of [
        ['unsigned', undefined],
        ['rsa', { key: keyPair('idp') }],
        ['ecdsa', { key: keyPair('idp-ec-p-384') }],
      ] as const) {
        const url = encodeRedirect({
          type: typeOf(name),
          xml: build(),
          destination: spSloUrl,
          relayState: 'rs',
          ...(sign ? { sign } : {}),
        });
        const raw = new URL(url).searchParams.get(typeOf(name))!;
        const xml = inflateRawSync(Buffer.from(raw, 'base64')).toString('utf8');
        expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
        documents[`redirect-${name}-${variant}`] = xml;
      }
    }
    expect(schemaErrors(schemas.protocol, documents)).toEqual(allValid(documents));
  });

  it('SOAP envelopes from encodeSoap and encodeSoapFault against the SOAP 1.1 schema', () => {
    const envelopes: Record<string, string> = {
      'fault-client': encodeSoapFault('Client', 'the request could not be processed'),
      'fault-server': encodeSoapFault('Server', 'internal error <&> "quoted"'),
    };
    for (const [name, build] of Object.entries(messages)) {
      envelopes[`soap-${name}-unsigned`] = encodeSoap(build());
      envelopes[`soap-${name}-rsa`] = encodeSoap(build(), { sign: { key: keyPair('idp') } });
      envelopes[`soap-${name}-ecdsa`] = encodeSoap(build(), { sign: { key: keyPair('idp-ec-p-256') } });
    }
    expect(schemaErrors(schemas.soapEnvelope, envelopes)).toEqual(allValid(envelopes));

    // The Body content is `lax` in envelope.xsd, so the SAML message inside is validated on its own.
    const inner = Object.fromEntries(
      Object.entries(envelopes)
        .filter(([name]) => name.startsWith('soap-'))
        .map(([name, envelope]) => [`${name}-body`, bodyContent(envelope)]),
    );
    expect(schemaErrors(schemas.protocol, inner)).toEqual(allValid(inner));
  });

  it('IdP metadata, default and with every extension, unsigned and signed, against the extension schemas', () => {
    const extensions: Partial<BuildIdpMetadataInput> = {
      scopes: ['example.com', { value: '^.+\\.example\\.com$', regexp: true }],
      uiInfo: {
        displayName: { en: 'Example IdP' },
        keywords: { en: ['login'] },
        logos: [{ url: 'https://idp.example.com/logo.png', width: 16, height: 16, lang: 'en' }],
        informationUrl: { en: 'https://idp.example.com/about' },
      },
      entityAttributes: [
        { name: 'http://macedir.org/entity-category', values: ['https://refeds.org/category/personalized'] },
      ],
      organization: {
        name: { en: 'Example' },
        displayName: { en: 'Example' },
        url: { en: 'https://example.com/' },
      },
      contacts: [{ contactType: 'support', surName: 'Desk', telephoneNumbers: ['+1 555 0100'] }],
    };
    const input: BuildIdpMetadataInput = {
      entityId: idpEntityId,
      endpoints: idpEndpoints('https://idp.example.com', 'app'),
      signingCertificates: [keyPair('idp')],
      encryptionCertificates: [keyPair('idp')],
    };
    const documents = {
      'metadata-default': buildIdpMetadata(input).xml,
      'metadata-extensions': buildIdpMetadata({ ...input, ...extensions }).xml,
      'metadata-extensions-rsa': buildIdpMetadata({ ...input, ...extensions, sign: { key: keyPair('idp') } })
        .xml,
      'metadata-extensions-ecdsa': buildIdpMetadata({
        ...input,
        ...extensions,
        sign: { key: keyPair('idp-ec-p-521') },
      }).xml,
    };
    expect(schemaErrors(schemas.metadataWithExtensions, documents)).toEqual(allValid(documents));
  });

  it('a SOAP Fault has faultcode and faultstring with the soapenv-qualified code', () => {
    const fault = encodeSoapFault('Client', 'bad');
    expect(fault).toContain('<faultcode>soapenv:Client</faultcode>');
    expect(fault).toContain('<faultstring>bad</faultstring>');
  });
});

describe('external tool lookup (test/support)', () => {
  const ci = process.env.CI;
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    vi.restoreAllMocks();
  });

  it('finds an installed binary by PATH', () => {
    expect(findExternalTool('sh', 'dash')).toMatch(/\/sh$/);
  });

  it('a missing binary is skipped with a warning naming the Debian package', () => {
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(findExternalTool('samlkit-no-such-tool', 'libxml2-utils')).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('libxml2-utils');
  });

  it('a missing binary fails loudly on CI', () => {
    process.env.CI = 'true';
    expect(() => findExternalTool('samlkit-no-such-tool', 'xmlsec1')).toThrow(/xmlsec1.*CI/);
  });
});
