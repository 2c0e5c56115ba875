/**
 * buildIdpMetadata: structure and schema order, XSD validity, signatures that
 * xmlsec1 and samlkit's own verifier accept, input checks, and samlify reading
 * the result as its IdP (node-saml has no metadata reader: its SPs are
 * configured with entryPoint and idpCert directly).
 */
import * as samlify from 'samlify';
import { describe, expect, it } from 'vitest';
import { findEnvelopedSignature, verifyEnvelopedSignature } from '../../src/crypto/index.js';
import {
  type BuildIdpMetadataInput,
  bindingUris,
  buildIdpMetadata,
  buildLogoutRequest,
  dataEncryptionAlgorithms,
  encodePost,
  idpEndpoints,
  isSamlError,
  keyTransportAlgorithms,
  nameIdFormats,
  namespaces,
  type SamlErrorCode,
  signatureAlgorithms,
} from '../../src/index.js';
import { childElements, parseXml } from '../../src/xml/index.js';
import { certificate, certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import { hasXmlsec1 } from '../support/xmlsec.js';
import { hasXmllint, schemaErrors } from '../support/xsd.js';
import { metadataSchema, xmlsecVerifyMetadata } from './support.js';

const entityId = 'https://idp.example.com/metadata';
const endpoints = {
  ...idpEndpoints('https://idp.example.com', 'wiki'),
  ssoSoap: 'https://idp.example.com/sso/soap',
  sloSoap: 'https://idp.example.com/slo/soap',
};
const base: BuildIdpMetadataInput = {
  entityId,
  endpoints,
  signingCertificates: [keyPair('idp'), certificatePem('idp-rollover')],
  encryptionCertificates: [certificate('idp')],
};

function codeOf(fn: () => unknown): SamlErrorCode | 'no error' | 'not a SamlError' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return isSamlError(error) ? error.code : 'not a SamlError';
  }
}

function issuesOf(input: BuildIdpMetadataInput): (string | number)[][] {
  try {
    buildIdpMetadata(input);
  } catch (error) {
    if (!isSamlError(error, 'SAML_INPUT_INVALID')) throw error;
    return (error.details as { issues: { path: (string | number)[] }[] }).issues.map((issue) => issue.path);
  }
  throw new Error('expected SAML_INPUT_INVALID');
}

describe('structure', () => {
  it('an EntityDescriptor with one IDPSSODescriptor, children in schema order', () => {
    const { id, xml } = buildIdpMetadata(base);
    expect(id).toBeUndefined();
    const { root } = parseXml(xml);
    expect(root.namespaceURI).toBe(namespaces.md);
    expect(root.localName).toBe('EntityDescriptor');
    expect(root.getAttribute('entityID')).toBe(entityId);
    expect(root.hasAttribute('ID')).toBe(false);
    const [extensions, descriptor, ...rest] = childElements(root);
    expect(rest).toHaveLength(0);
    // The algorithm hints (test/metadata/idp-metadata-extensions.test.ts) come first.
    expect(extensions!.localName).toBe('Extensions');
    expect(descriptor!.localName).toBe('IDPSSODescriptor');
    expect(descriptor!.getAttribute('protocolSupportEnumeration')).toBe(
      'urn:oasis:names:tc:SAML:2.0:protocol',
    );
    expect(descriptor!.hasAttribute('WantAuthnRequestsSigned')).toBe(false);
    const children = childElements(descriptor!).map((c) => {
      const detail = c.getAttribute('use') || c.getAttribute('Binding') || c.textContent;
      return `${c.localName} ${detail}`;
    });
    expect(children).toEqual([
      'KeyDescriptor signing',
      'KeyDescriptor signing',
      'KeyDescriptor encryption',
      `SingleLogoutService ${bindingUris.redirect}`,
      `SingleLogoutService ${bindingUris.post}`,
      `SingleLogoutService ${bindingUris.soap}`,
      `NameIDFormat ${nameIdFormats.emailAddress}`,
      `NameIDFormat ${nameIdFormats.persistent}`,
      `NameIDFormat ${nameIdFormats.x509SubjectName}`,
      `NameIDFormat ${nameIdFormats.windowsDomainQualifiedName}`,
      `NameIDFormat ${nameIdFormats.transient}`,
      `NameIDFormat ${nameIdFormats.unspecified}`,
      `SingleSignOnService ${bindingUris.redirect}`,
      `SingleSignOnService ${bindingUris.post}`,
      `SingleSignOnService ${bindingUris.soap}`,
    ]);
  });

  it('puts each certificate in its own KeyDescriptor, and the accepted algorithms with encryption keys', () => {
    const { xml } = buildIdpMetadata(base);
    const certificates = [...xml.matchAll(/<ds:X509Certificate>([^<]+)</g)].map((m) => m[1]);
    expect(certificates).toEqual([
      keyPair('idp').certificateBase64,
      keyPair('idp-rollover').certificateBase64,
      keyPair('idp').certificateBase64,
    ]);
    const methods = [...xml.matchAll(/<md:EncryptionMethod Algorithm="([^"]+)"\/>/g)].map((m) => m[1]);
    expect(methods).toEqual([
      dataEncryptionAlgorithms.aes128Gcm,
      dataEncryptionAlgorithms.aes256Gcm,
      keyTransportAlgorithms.rsaOaepMgf1p,
      keyTransportAlgorithms.rsaOaep,
    ]);
  });

  it('takes the locations from the endpoints, leaving out metadata and ssoInit', () => {
    const { xml } = buildIdpMetadata({ ...base, endpoints: idpEndpoints('https://auth.example.org', 'app') });
    expect(xml).toContain(
      '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://auth.example.org/application/saml/app/sso/binding/post/"/>',
    );
    expect(xml).not.toContain('/metadata/');
    expect(xml).not.toContain('/sso/binding/init/');
    expect(xml).not.toContain('bindings:SOAP');
  });

  it('writes WantAuthnRequestsSigned, validUntil and cacheDuration when given', () => {
    const { xml } = buildIdpMetadata({
      ...base,
      wantAuthnRequestsSigned: false,
      validUntil: new Date('2030-01-02T03:04:05.678Z'),
      cacheDurationMs: 3_600_000,
      nameIdFormats: [nameIdFormats.persistent],
    });
    expect(xml).toContain('validUntil="2030-01-02T03:04:05Z" cacheDuration="PT3600S"');
    expect(xml).toContain('WantAuthnRequestsSigned="false"');
    expect(xml.match(/<md:NameIDFormat>/g)).toHaveLength(1);
  });

  it('escapes values by construction', () => {
    const { xml } = buildIdpMetadata({ ...base, entityId: 'urn:x:a&b<"c>' });
    expect(parseXml(xml).root.getAttribute('entityID')).toBe('urn:x:a&b<"c>');
  });
});

describe('signature', () => {
  const signedCases = [
    { name: 'RSA-SHA256', key: 'idp', algorithm: undefined },
    { name: 'RSA-SHA512', key: 'idp', algorithm: signatureAlgorithms.rsaSha512 },
    { name: 'ECDSA P-256', key: 'idp-ec-p-256', algorithm: undefined },
  ] as const;

  for (const { name, key, algorithm } of signedCases) {
    it(`${name}: an enveloped signature over the ID that samlkit verifies`, () => {
      const { id, xml } = buildIdpMetadata({
        ...base,
        sign: { key: keyPair(key), ...(algorithm ? { algorithm } : {}) },
        id: '_metadata-1',
      });
      expect(id).toBe('_metadata-1');
      const parsed = parseXml(xml);
      expect(childElements(parsed.root)[0]!.localName).toBe('Signature');
      const signature = findEnvelopedSignature(parsed)!;
      const verified = verifyEnvelopedSignature(parsed, signature, [certificate(key)]);
      expect(verified.canonicalXml).toContain('IDPSSODescriptor');
    });
  }

  it('generates an ID when signing', () => {
    const { id, xml } = buildIdpMetadata({ ...base, sign: { key: keyPair('idp') } });
    expect(id).toMatch(/^_[0-9a-f]{32}$/);
    expect(xml).toContain(`Reference URI="#${id}"`);
  });

  it('refuses SHA-1 and a key without private key', () => {
    expect(
      codeOf(() =>
        buildIdpMetadata({ ...base, sign: { key: keyPair('idp'), algorithm: signatureAlgorithms.rsaSha1 } }),
      ),
    ).toBe('SAML_ALGORITHM_FORBIDDEN');
    expect(codeOf(() => buildIdpMetadata({ ...base, sign: { key: certificate('idp') } }))).toBe(
      'SAML_KEY_INVALID',
    );
  });

  describe.skipIf(!hasXmlsec1())('xmlsec1', () => {
    it('verifies the RSA and ECDSA signatures with the IdP certificate only', () => {
      for (const key of ['idp', 'idp-ec-p-384']) {
        const { xml } = buildIdpMetadata({ ...base, sign: { key: keyPair(key) } });
        const result = xmlsecVerifyMetadata(xml, certificatePem(key));
        expect([key, result.ok, result.output]).toEqual([key, true, expect.any(String)]);
      }
    });

    it('rejects a tampered or wrongly trusted document (the check can fail)', () => {
      const { xml } = buildIdpMetadata({ ...base, sign: { key: keyPair('idp') } });
      expect(xmlsecVerifyMetadata(xml.replace('/slo/soap', '/evil'), certificatePem('idp')).ok).toBe(false);
      expect(xmlsecVerifyMetadata(xml, certificatePem('evil')).ok).toBe(false);
    });
  });
});

describe.skipIf(!hasXmllint())('schema (saml-schema-metadata-2.0.xsd)', () => {
  it('unsigned, signed, minimal and complete variants validate', () => {
    const documents = {
      complete: buildIdpMetadata({
        ...base,
        wantAuthnRequestsSigned: true,
        validUntil: new Date('2030-01-01T00:00:00Z'),
        cacheDurationMs: 86_400_000,
      }).xml,
      signedRsa: buildIdpMetadata({ ...base, sign: { key: keyPair('idp') } }).xml,
      signedEc: buildIdpMetadata({ ...base, sign: { key: keyPair('idp-ec-p-521') } }).xml,
      minimal: buildIdpMetadata({
        entityId,
        endpoints: { ssoPost: endpoints.ssoPost },
        signingCertificates: [certificatePem('idp')],
        nameIdFormats: [],
      }).xml,
    };
    expect(schemaErrors(metadataSchema, documents)).toEqual({
      complete: [],
      signedRsa: [],
      signedEc: [],
      minimal: [],
    });
  });

  it('the schema check can fail: an IDPSSODescriptor without SingleSignOnService is reported', () => {
    const { xml } = buildIdpMetadata(base);
    const broken = xml.replace(/<md:SingleSignOnService[^>]*\/>/g, '');
    expect(schemaErrors(metadataSchema, { broken }).broken!.length).toBeGreaterThan(0);
  });
});

describe('input checks', () => {
  it('reports every bad field at once', () => {
    expect(
      issuesOf({
        entityId: '',
        endpoints: { sloPost: 'not a url', sso: 'https://x' } as never,
        signingCertificates: [],
        encryptionCertificates: [certificatePem('sp-ec'), 'not a certificate'],
        nameIdFormats: ['no uri'],
        validUntil: new Date(Number.NaN),
        cacheDurationMs: 10,
      }),
    ).toEqual([
      ['entityId'],
      ['endpoints', 'sloPost'],
      ['endpoints', 'sso'],
      ['endpoints'],
      ['signingCertificates'],
      ['encryptionCertificates', 1],
      ['encryptionCertificates', 0],
      ['nameIdFormats', 0],
      ['validUntil'],
      ['cacheDurationMs'],
    ]);
  });
});

describe('samlify 2.13.1 reads it as its IdP', () => {
  samlify.setSchemaValidator({ validate: async () => 'skipped: this suite checks metadata import only' });

  it('takes the entity ID, SSO and SLO endpoints, both signing certificates and the NameID formats', () => {
    const idp = samlify.IdentityProvider({
      metadata: buildIdpMetadata({ ...base, sign: { key: keyPair('idp') } }).xml,
    });
    const meta = idp.entityMeta;
    expect(meta.getEntityID()).toBe(entityId);
    expect(meta.getSingleSignOnService('post')).toBe(endpoints.ssoPost);
    expect(meta.getSingleSignOnService('redirect')).toBe(endpoints.ssoRedirect);
    expect(meta.getSingleLogoutService('post')).toBe(endpoints.sloPost);
    expect(meta.getX509Certificate('signing')).toEqual([
      keyPair('idp').certificateBase64,
      keyPair('idp-rollover').certificateBase64,
    ]);
    expect(meta.getX509Certificate('encryption')).toBe(keyPair('idp').certificateBase64);
    expect(meta.getNameIDFormat()).toContain(nameIdFormats.persistent);
  });

  it('verifies a LogoutRequest signed with the rollover key listed in our metadata', async () => {
    const spEntityId = 'https://sp-a.example.com/metadata';
    const spSloUrl = 'https://sp-a.example.com/slo';
    const idp = samlify.IdentityProvider({ metadata: buildIdpMetadata(base).xml });
    const sp = samlify.ServiceProvider({
      entityID: spEntityId,
      privateKey: privateKeyPem('sp-a'),
      signingCert: certificatePem('sp-a'),
      singleLogoutService: [{ Binding: bindingUris.post, Location: spSloUrl }],
      wantLogoutRequestSigned: true,
    });
    const request = buildLogoutRequest({
      issuer: entityId,
      destination: spSloUrl,
      nameId: { value: 'alice@example.com', format: nameIdFormats.emailAddress },
      sessionIndex: '_s1',
    });
    for (const [key, accepted] of [
      ['idp-rollover', true],
      ['evil', false],
    ] as const) {
      const form = encodePost({
        type: 'SAMLRequest',
        xml: request.xml,
        destination: spSloUrl,
        sign: { key: keyPair(key) },
      });
      const parsing = sp.parseLogoutRequest(idp, 'post', { body: form.fields });
      if (accepted) expect((await parsing).extract.nameID).toBe('alice@example.com');
      else await expect(parsing).rejects.toThrow();
    }
  });
});
