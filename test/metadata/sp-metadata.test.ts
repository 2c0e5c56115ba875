/**
 * parseSpMetadata: what it reads, how it maps to parseProvider input, the
 * trust rules (fail closed, never the document's own certificate, read only
 * verified bytes), EntitiesDescriptor selection, expiry and malformed input.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signTree } from '../../src/crypto/index.js';
import {
  bindingUris,
  isSamlError,
  keyTransportAlgorithms,
  nameIdFormats,
  namespaces,
  type ParseSpMetadataOptions,
  parseProvider,
  parseSpMetadata,
  resolveNameIdPolicy,
  type SamlErrorCode,
  signatureAlgorithms,
} from '../../src/index.js';
import { elementFromDom, parseXml, serialize } from '../../src/xml/index.js';
import { certificate, certificatePem, keyPair } from '../support/keys.js';
import { externalTool, runTool, withTempDir } from '../support/xmlsec.js';

const spEntityId = 'https://sp-a.example.com/metadata';
const now = new Date('2026-04-20T10:00:00Z');
const clock = () => now;
const unsigned: ParseSpMetadataOptions = { requireSignature: false, clock };

function base64Of(name: string): string {
  return keyPair(name).certificateBase64;
}

function keyDescriptor(name: string, use?: 'signing' | 'encryption', extra = ''): string {
  const useAttribute = use ? ` use="${use}"` : '';
  return `<md:KeyDescriptor${useAttribute}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Of(name)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>${extra}</md:KeyDescriptor>`;
}

interface SpOptions {
  entityId?: string;
  id?: string;
  attributes?: string;
  descriptorAttributes?: string;
  keys?: string;
  slo?: string;
  formats?: string;
  acs?: string;
}

/** An SP EntityDescriptor as SP software writes it; every part can be replaced. */
function spMetadata(options: SpOptions = {}): string {
  const id = options.id === undefined ? '' : ` ID="${options.id}"`;
  return (
    `<md:EntityDescriptor xmlns:md="${namespaces.md}" xmlns:ds="${namespaces.ds}"${id} entityID="${options.entityId ?? spEntityId}"${options.attributes ?? ''}>` +
    `<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol urn:oasis:names:tc:SAML:2.0:protocol"${options.descriptorAttributes ?? ' AuthnRequestsSigned="true" WantAssertionsSigned="1"'}>` +
    (options.keys ??
      keyDescriptor('sp-a', 'signing') +
        keyDescriptor(
          'sp-b',
          'encryption',
          `<md:EncryptionMethod Algorithm="${keyTransportAlgorithms.rsaOaepMgf1p}"/>`,
        )) +
    (options.slo ??
      `<md:SingleLogoutService Binding="${bindingUris.soap}" Location="https://sp-a.example.com/slo/soap"/>` +
        `<md:SingleLogoutService Binding="${bindingUris.redirect}" Location="https://sp-a.example.com/slo" ResponseLocation="https://sp-a.example.com/slo/response"/>`) +
    (options.formats ??
      '<md:NameIDFormat>urn:example:custom</md:NameIDFormat>' +
        `<md:NameIDFormat> ${nameIdFormats.persistent} </md:NameIDFormat>`) +
    (options.acs ??
      `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="https://sp-a.example.com/acs/artifact" index="0"/>` +
        `<md:AssertionConsumerService Binding="${bindingUris.post}" Location="https://sp-a.example.com/acs/post" index="1"/>` +
        `<md:AssertionConsumerService Binding="${bindingUris.redirect}" Location="https://sp-a.example.com/acs/redirect" index="2" isDefault="true"/>`) +
    '</md:SPSSODescriptor></md:EntityDescriptor>'
  );
}

/** Signs the root of `xml` (it needs an ID) with a fixture key, the way a metadata signer does. */
function signed(xml: string, key: string): string {
  const tree = elementFromDom(parseXml(xml).root);
  return serialize(signTree(tree, { key: keyPair(key), algorithm: signatureAlgorithms.rsaSha256 }));
}

function codeOf(fn: () => unknown): SamlErrorCode | 'no error' | 'not a SamlError' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return isSamlError(error) ? error.code : 'not a SamlError';
  }
}

const shibboleth = 'https://sp.shib.example.org';

/** The shape Shibboleth SP 3 publishes at /Shibboleth.sso/Metadata (trimmed to what matters here). */
const shibbolethMetadata =
  `<md:EntityDescriptor xmlns:md="${namespaces.md}" xmlns:ds="${namespaces.ds}" ID="_shib" entityID="${shibboleth}/shibboleth">` +
  '<md:Extensions xmlns:alg="urn:oasis:names:tc:SAML:metadata:algsupport">' +
  '<alg:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha512"/>' +
  '<alg:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>' +
  '<alg:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>' +
  '<alg:SigningMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>' +
  '<alg:SigningMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"/>' +
  '<alg:SigningMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>' +
  '<alg:SigningMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>' +
  '</md:Extensions>' +
  '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
  keyDescriptor(
    'sp-a',
    undefined,
    [
      'http://www.w3.org/2009/xmlenc11#aes128-gcm',
      'http://www.w3.org/2009/xmlenc11#aes256-gcm',
      'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
      'http://www.w3.org/2009/xmlenc11#rsa-oaep',
      'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
    ]
      .map((uri) => `<md:EncryptionMethod Algorithm="${uri}"/>`)
      .join(''),
  ) +
  `<md:ArtifactResolutionService Binding="${bindingUris.soap}" Location="${shibboleth}/Shibboleth.sso/Artifact/SOAP" index="1"/>` +
  `<md:SingleLogoutService Binding="${bindingUris.soap}" Location="${shibboleth}/Shibboleth.sso/SLO/SOAP"/>` +
  `<md:SingleLogoutService Binding="${bindingUris.redirect}" Location="${shibboleth}/Shibboleth.sso/SLO/Redirect"/>` +
  `<md:SingleLogoutService Binding="${bindingUris.post}" Location="${shibboleth}/Shibboleth.sso/SLO/POST"/>` +
  `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact" Location="${shibboleth}/Shibboleth.sso/SLO/Artifact"/>` +
  `<md:AssertionConsumerService Binding="${bindingUris.post}" Location="${shibboleth}/Shibboleth.sso/SAML2/POST" index="1"/>` +
  `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST-SimpleSign" Location="${shibboleth}/Shibboleth.sso/SAML2/POST-SimpleSign" index="2"/>` +
  '</md:SPSSODescriptor></md:EntityDescriptor>';

describe('what it reads', () => {
  it('every endpoint, certificate, format and flag, from unsigned metadata the caller vouches for', () => {
    const metadata = parseSpMetadata(spMetadata(), unsigned);
    expect(metadata.entityId).toBe(spEntityId);
    expect(metadata.signature).toBe('absent');
    expect(metadata.assertionConsumerServices).toEqual([
      {
        binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact',
        location: 'https://sp-a.example.com/acs/artifact',
        index: 0,
      },
      { binding: bindingUris.post, location: 'https://sp-a.example.com/acs/post', index: 1 },
      {
        binding: bindingUris.redirect,
        location: 'https://sp-a.example.com/acs/redirect',
        index: 2,
        isDefault: true,
      },
    ]);
    expect(metadata.singleLogoutServices).toEqual([
      { binding: bindingUris.soap, location: 'https://sp-a.example.com/slo/soap' },
      {
        binding: bindingUris.redirect,
        location: 'https://sp-a.example.com/slo',
        responseLocation: 'https://sp-a.example.com/slo/response',
      },
    ]);
    expect(metadata.signingCertificates.map((c) => c.subject)).toEqual(['CN=sp-a.samlkit.test']);
    expect(metadata.encryptionCertificates.map((c) => c.subject)).toEqual(['CN=sp-b.samlkit.test']);
    expect(metadata.encryptionMethods).toEqual([keyTransportAlgorithms.rsaOaepMgf1p]);
    expect(metadata.nameIdFormats).toEqual(['urn:example:custom', nameIdFormats.persistent]);
    expect(metadata.authnRequestsSigned).toBe(true);
    expect(metadata.wantAssertionsSigned).toBe(true);
  });

  it('maps to parseProvider input: default ACS, usable ACS list, front-channel SLS, keys, format', () => {
    const metadata = parseSpMetadata(spMetadata(), unsigned);
    expect(metadata.provider).toEqual({
      entityId: spEntityId,
      audience: spEntityId,
      // Responses go out by HTTP-POST only, so the POST endpoint is the default even though the
      // metadata marks the Redirect one; the Redirect endpoint stays registered.
      acsUrl: 'https://sp-a.example.com/acs/post',
      spBinding: 'post',
      assertionConsumerServices: [
        { url: 'https://sp-a.example.com/acs/artifact', binding: 'artifact', index: 0, isDefault: false },
        { url: 'https://sp-a.example.com/acs/post', binding: 'post', index: 1, isDefault: true },
        { url: 'https://sp-a.example.com/acs/redirect', binding: 'redirect', index: 2, isDefault: false },
      ],
      verificationCertificates: [expect.objectContaining({ subject: 'CN=sp-a.samlkit.test' })],
      // Every SingleLogoutService by binding; SOAP is there, so logout goes by the back channel.
      singleLogoutServices: [
        { binding: 'soap', url: 'https://sp-a.example.com/slo/soap' },
        {
          binding: 'redirect',
          url: 'https://sp-a.example.com/slo',
          responseUrl: 'https://sp-a.example.com/slo/response',
        },
      ],
      slsUrl: 'https://sp-a.example.com/slo/soap',
      slsBinding: 'soap',
      logoutMethod: 'backchannel',
      authnRequestsSigned: true,
      encryptionMethods: [keyTransportAlgorithms.rsaOaepMgf1p],
      encryptionCertificate: expect.objectContaining({ subject: 'CN=sp-b.samlkit.test' }),
      defaultNameIdPolicy: nameIdFormats.persistent,
      signAssertion: true,
    });
    expect(metadata.warnings).toEqual([
      'the default AssertionConsumerService does not use HTTP-POST; the default HTTP-POST one is used instead',
    ]);
    const provider = parseProvider({
      ...metadata.provider,
      issuer: 'https://idp.example.com',
      signingKeyPair: keyPair('idp'),
    });
    expect(provider.assertionConsumerServices).toHaveLength(3);
    expect(provider.verificationCertificates[0]!.fingerprintSha256).toBe(keyPair('sp-a').fingerprintSha256);
  });

  it('the default ACS follows SAMLMeta §2.2.3: isDefault, else the first not marked false, else the first', () => {
    const acs = (attributes: string[]) =>
      attributes
        .map(
          (a, i) =>
            `<md:AssertionConsumerService Binding="${bindingUris.post}" Location="https://sp-a.example.com/acs/${i}" index="${i}"${a}/>`,
        )
        .join('');
    const pick = (attributes: string[]) =>
      parseSpMetadata(spMetadata({ acs: acs(attributes) }), unsigned).provider.acsUrl;
    expect(pick(['', ' isDefault="true"'])).toBe('https://sp-a.example.com/acs/1');
    expect(pick([' isDefault="false"', ''])).toBe('https://sp-a.example.com/acs/1');
    expect(pick([' isDefault="false"', ' isDefault="0"'])).toBe('https://sp-a.example.com/acs/0');
    expect(pick(['', ''])).toBe('https://sp-a.example.com/acs/0');
  });

  it('a KeyDescriptor without use counts for signing and encryption; duplicates are merged', () => {
    const metadata = parseSpMetadata(
      spMetadata({
        keys: keyDescriptor('sp-a') + keyDescriptor('sp-a', 'signing') + keyDescriptor('sp-b', 'signing'),
      }),
      unsigned,
    );
    expect(metadata.signingCertificates.map((c) => c.subject)).toEqual([
      'CN=sp-a.samlkit.test',
      'CN=sp-b.samlkit.test',
    ]);
    expect(metadata.encryptionCertificates.map((c) => c.subject)).toEqual(['CN=sp-a.samlkit.test']);
  });

  it('leaves an EC encryption key out of the provider, and says so', () => {
    const metadata = parseSpMetadata(spMetadata({ keys: keyDescriptor('sp-ec') }), unsigned);
    expect(metadata.encryptionCertificates).toHaveLength(1);
    expect(metadata.provider.encryptionCertificate).toBeUndefined();
    expect(metadata.provider.verificationCertificates).toHaveLength(1);
    expect(metadata.warnings).toContain(
      'non-RSA encryption certificates were left out (RSA-OAEP key transport only)',
    );
  });

  it('a SOAP-only SingleLogoutService becomes back-channel logout', () => {
    const metadata = parseSpMetadata(
      spMetadata({
        slo: `<md:SingleLogoutService Binding="${bindingUris.soap}" Location="https://sp-a.example.com/slo/soap"/>`,
      }),
      unsigned,
    );
    expect(metadata.provider).toMatchObject({
      slsUrl: 'https://sp-a.example.com/slo/soap',
      slsBinding: 'soap',
      logoutMethod: 'backchannel',
    });
    expect(() => parseProvider({ ...metadata.provider, signAssertion: false })).not.toThrow();
  });

  it('keeps Shibboleth SP’s four SingleLogoutService endpoints by binding, and logs out by SOAP', () => {
    const metadata = parseSpMetadata(shibbolethMetadata, unsigned);
    expect(metadata.provider.singleLogoutServices).toEqual([
      { binding: 'soap', url: `${shibboleth}/Shibboleth.sso/SLO/SOAP` },
      { binding: 'redirect', url: `${shibboleth}/Shibboleth.sso/SLO/Redirect` },
      { binding: 'post', url: `${shibboleth}/Shibboleth.sso/SLO/POST` },
    ]);
    expect(metadata.warnings).toContain(
      'SingleLogoutService endpoints with an unsupported binding were left out',
    );
    const provider = parseProvider(metadata.provider);
    expect(provider).toMatchObject({
      logoutMethod: 'backchannel',
      slsUrl: `${shibboleth}/Shibboleth.sso/SLO/SOAP`,
      slsBinding: 'soap',
      // Shibboleth signs nothing by default and says so: unsigned AuthnRequests are its normal.
      authnRequestsSigned: false,
    });
    expect(provider.singleLogoutServices).toHaveLength(3);
  });

  it('reads the algorithm hints: alg:SigningMethod and alg:DigestMethod, and md:EncryptionMethod', () => {
    const metadata = parseSpMetadata(shibbolethMetadata, unsigned);
    expect(metadata.signingMethods).toEqual([
      'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
      'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
      'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    ]);
    expect(metadata.digestMethods).toEqual([
      'http://www.w3.org/2001/04/xmlenc#sha512',
      'http://www.w3.org/2001/04/xmlenc#sha256',
      'http://www.w3.org/2000/09/xmldsig#sha1',
    ]);
    expect(metadata.encryptionMethods).toEqual([
      'http://www.w3.org/2009/xmlenc11#aes128-gcm',
      'http://www.w3.org/2009/xmlenc11#aes256-gcm',
      'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
      'http://www.w3.org/2009/xmlenc11#rsa-oaep',
      'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
    ]);
    const provider = parseProvider(metadata.provider);
    expect(provider.signingMethods).toEqual(metadata.signingMethods);
    expect(provider.digestMethods).toEqual(metadata.digestMethods);
    expect(provider.encryptionMethods).toEqual(metadata.encryptionMethods);
  });

  it('prefers the role’s algorithm hints to the entity’s', () => {
    const xml = shibbolethMetadata.replace(
      '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
      '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
        `<md:Extensions><alg:SigningMethod xmlns:alg="urn:oasis:names:tc:SAML:metadata:algsupport" Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"/></md:Extensions>`,
    );
    const metadata = parseSpMetadata(xml, unsigned);
    expect(metadata.signingMethods).toEqual(['http://www.w3.org/2001/04/xmldsig-more#rsa-sha384']);
    expect(metadata.digestMethods).toHaveLength(3);
  });

  it('without SOAP, logs out by a native front-channel chain (observable), not iframes', () => {
    const metadata = parseSpMetadata(
      spMetadata({
        slo:
          `<md:SingleLogoutService Binding="${bindingUris.post}" Location="https://sp-a.example.com/slo/post"/>` +
          `<md:SingleLogoutService Binding="${bindingUris.redirect}" Location="https://sp-a.example.com/slo" ResponseLocation="https://sp-a.example.com/slo/response"/>`,
      }),
      unsigned,
    );
    const provider = parseProvider(metadata.provider);
    expect(provider.logoutMethod).toBe('frontchannel_native');
    expect(provider.slsUrl).toBe('https://sp-a.example.com/slo/post');
    expect(provider.singleLogoutServices[1]).toEqual({
      binding: 'redirect',
      url: 'https://sp-a.example.com/slo',
      responseUrl: 'https://sp-a.example.com/slo/response',
    });
  });

  it('a caller’s logoutMethod wins over the derived one', () => {
    const metadata = parseSpMetadata(shibbolethMetadata, unsigned);
    const provider = parseProvider({ ...metadata.provider, logoutMethod: 'frontchannel_native' });
    expect(provider.logoutMethod).toBe('frontchannel_native');
  });

  it('without WantAssertionsSigned or known formats the provider keeps its defaults', () => {
    const metadata = parseSpMetadata(
      spMetadata({
        descriptorAttributes: ' WantAssertionsSigned="false"',
        formats: '<md:NameIDFormat>urn:x</md:NameIDFormat>',
      }),
      unsigned,
    );
    expect(metadata.wantAssertionsSigned).toBe(false);
    expect(metadata.authnRequestsSigned).toBeUndefined();
    expect(metadata.provider.signAssertion).toBeUndefined();
    expect(metadata.provider.defaultNameIdPolicy).toBeUndefined();
    expect(metadata.warnings).toContain('none of the NameIDFormats is one samlkit issues');
    expect(metadata.provider.allowedNameIdFormats).toBeUndefined();
  });

  it('regression: without any NameIDFormat the SP may ask for transient (SimpleSAMLphp at its defaults)', () => {
    const metadata = parseSpMetadata(spMetadata({ formats: '' }), unsigned);
    expect(metadata.provider.defaultNameIdPolicy).toBeUndefined();
    expect(metadata.provider.allowedNameIdFormats).toEqual([nameIdFormats.transient]);
    const provider = parseProvider({
      ...metadata.provider,
      issuer: 'https://idp.example.com',
      signingKeyPair: keyPair('idp'),
    });
    expect(provider.defaultNameIdPolicy).toBe(nameIdFormats.unspecified);
    expect(resolveNameIdPolicy(provider, { format: nameIdFormats.transient }).format).toBe(
      nameIdFormats.transient,
    );
    // Only transient: the formats that link a user across SPs stay refused.
    for (const format of [nameIdFormats.emailAddress, nameIdFormats.persistent]) {
      expect(() => resolveNameIdPolicy(provider, { format })).toThrow(/not registered/);
    }
  });
});

describe('trust', () => {
  const signedBySpA = () => signed(spMetadata({ id: '_m1' }), 'sp-a');

  it('fails closed: no trust and no requireSignature: false is an input error, before anything is read', () => {
    expect(codeOf(() => parseSpMetadata(spMetadata()))).toBe('SAML_INPUT_INVALID');
    expect(codeOf(() => parseSpMetadata(signedBySpA()))).toBe('SAML_INPUT_INVALID');
    expect(codeOf(() => parseSpMetadata(signedBySpA(), { trust: [] }))).toBe('SAML_INPUT_INVALID');
  });

  it('with trust, a signature is required and verified against the given certificate', () => {
    const metadata = parseSpMetadata(signedBySpA(), { trust: [certificatePem('sp-a')], clock });
    expect(metadata.signature).toBe('verified');
    expect(metadata.signedBy!.fingerprintSha256).toBe(keyPair('sp-a').fingerprintSha256);
    expect(codeOf(() => parseSpMetadata(spMetadata(), { trust: [certificatePem('sp-a')], clock }))).toBe(
      'SAML_SIGNATURE_MISSING',
    );
  });

  it('never trusts the certificate inside the document', () => {
    // Signed by EVIL, whose certificate sits in KeyInfo and in a signing KeyDescriptor.
    const evil = signed(spMetadata({ id: '_m1', keys: keyDescriptor('evil', 'signing') }), 'evil');
    expect(codeOf(() => parseSpMetadata(evil, { trust: [certificatePem('sp-a')], clock }))).toBe(
      'SAML_SIGNATURE_INVALID',
    );
  });

  it('rejects any change after signing (an added ACS, a swapped certificate)', () => {
    const original = signedBySpA();
    const addedAcs = original.replace(
      '</md:SPSSODescriptor>',
      `<md:AssertionConsumerService Binding="${bindingUris.post}" Location="https://evil.example/acs" index="9"/></md:SPSSODescriptor>`,
    );
    const swapped = original.replace(base64Of('sp-b'), base64Of('evil'));
    for (const xml of [addedAcs, swapped]) {
      expect(codeOf(() => parseSpMetadata(xml, { trust: [certificatePem('sp-a')], clock }))).toBe(
        'SAML_SIGNATURE_INVALID',
      );
    }
  });

  it('reads only the verified bytes: content smuggled into the Signature is not seen', () => {
    const original = signedBySpA();
    const smuggled = original.replace(
      '</ds:SignatureValue>',
      `</ds:SignatureValue><ds:Object><md:AssertionConsumerService Binding="${bindingUris.post}" Location="https://evil.example/acs" index="9"/></ds:Object>`,
    );
    // The strict Signature shape refuses it outright.
    expect(codeOf(() => parseSpMetadata(smuggled, { trust: [certificatePem('sp-a')], clock }))).toBe(
      'SAML_SIGNATURE_PROFILE_VIOLATION',
    );
  });

  it('refuses a signed original wrapped inside an unsigned entity (signature wrapping)', () => {
    const original = signedBySpA();
    const wrapper = spMetadata({ keys: keyDescriptor('evil', 'signing') }).replace(
      '<md:SPSSODescriptor',
      `<md:Extensions>${original.replace(/ xmlns:(md|ds)="[^"]+"/g, '')}</md:Extensions><md:SPSSODescriptor`,
    );
    for (const options of [{ trust: [certificatePem('sp-a')], clock }, unsigned]) {
      expect(codeOf(() => parseSpMetadata(wrapper, options))).toBe('SAML_SIGNATURE_PROFILE_VIOLATION');
    }
  });

  it('requireSignature: false still verifies a signature when trust is given, and leaves it unchecked without', () => {
    const wrongTrust = { requireSignature: false, trust: [certificatePem('sp-b')], clock };
    expect(codeOf(() => parseSpMetadata(signedBySpA(), wrongTrust))).toBe('SAML_SIGNATURE_INVALID');
    expect(parseSpMetadata(signedBySpA(), unsigned).signature).toBe('unchecked');
    expect(parseSpMetadata(spMetadata(), { ...wrongTrust }).signature).toBe('absent');
  });

  it('refuses SHA-1 signed metadata unless opted in', () => {
    const tree = elementFromDom(parseXml(spMetadata({ id: '_m1' })).root);
    const sha1 = serialize(
      signTree(tree, {
        key: keyPair('sp-a'),
        algorithm: signatureAlgorithms.rsaSha256,
        digestAlgorithm: 'http://www.w3.org/2000/09/xmldsig#sha1',
      }),
    );
    const options = { trust: [certificatePem('sp-a')], clock };
    expect(codeOf(() => parseSpMetadata(sha1, options))).toBe('SAML_ALGORITHM_FORBIDDEN');
    expect(parseSpMetadata(sha1, { ...options, unsafeAllowSha1: true }).signature).toBe('verified');
  });
});

describe('EntitiesDescriptor', () => {
  const other = 'https://sp-b.example.com/metadata';
  const aggregate = (inner: string, attributes = '') =>
    `<md:EntitiesDescriptor xmlns:md="${namespaces.md}" xmlns:ds="${namespaces.ds}" ID="_agg"${attributes}>${inner}</md:EntitiesDescriptor>`;

  it('selects the SP by entityId, through nested groups', () => {
    const xml = aggregate(
      spMetadata({ entityId: other }) + `<md:EntitiesDescriptor>${spMetadata()}</md:EntitiesDescriptor>`,
    );
    expect(parseSpMetadata(xml, { ...unsigned, entityId: spEntityId }).entityId).toBe(spEntityId);
    expect(parseSpMetadata(xml, { ...unsigned, entityId: other }).entityId).toBe(other);
    expect(codeOf(() => parseSpMetadata(xml, unsigned))).toBe('SAML_INPUT_INVALID');
    expect(codeOf(() => parseSpMetadata(xml, { ...unsigned, entityId: 'https://unknown' }))).toBe(
      'SAML_METADATA_INVALID',
    );
    // A lone entity still has to be the one asked for.
    expect(codeOf(() => parseSpMetadata(spMetadata(), { ...unsigned, entityId: other }))).toBe(
      'SAML_METADATA_INVALID',
    );
  });

  it('refuses two entities with the same entityID (a copy next to a signed original)', () => {
    const xml = aggregate(spMetadata() + spMetadata());
    expect(codeOf(() => parseSpMetadata(xml, { ...unsigned, entityId: spEntityId }))).toBe(
      'SAML_METADATA_INVALID',
    );
  });

  it('verifies a signed aggregate (federation operator key) and reads the SP from the verified bytes', () => {
    const xml = signed(aggregate(spMetadata({ entityId: other }) + spMetadata()), 'idp');
    const metadata = parseSpMetadata(xml, { trust: [certificatePem('idp')], entityId: spEntityId, clock });
    expect(metadata.signature).toBe('verified');
    expect(metadata.provider.acsUrl).toBe('https://sp-a.example.com/acs/post');
    const tampered = xml.replace('https://sp-a.example.com/acs/post', 'https://evil.example/acs');
    expect(
      codeOf(() =>
        parseSpMetadata(tampered, { trust: [certificatePem('idp')], entityId: spEntityId, clock }),
      ),
    ).toBe('SAML_SIGNATURE_INVALID');
  });

  it('verifies a signed entity inside an unsigned aggregate, with namespaces declared on the group', () => {
    const entity = signed(spMetadata({ id: '_sp' }), 'sp-a');
    // Move the namespace declarations from the entity to the enclosing group.
    const inner = entity.replace(` xmlns:md="${namespaces.md}" xmlns:ds="${namespaces.ds}"`, '');
    const xml = aggregate(spMetadata({ entityId: other }) + inner);
    const metadata = parseSpMetadata(xml, { trust: [certificatePem('sp-a')], entityId: spEntityId, clock });
    expect(metadata.signature).toBe('verified');
    expect(metadata.signingCertificates).toHaveLength(1);
    const tampered = aggregate(
      spMetadata({ entityId: other }) +
        inner.replace('https://sp-a.example.com/acs/post', 'https://evil.example/acs'),
    );
    expect(
      codeOf(() =>
        parseSpMetadata(tampered, { trust: [certificatePem('sp-a')], entityId: spEntityId, clock }),
      ),
    ).toBe('SAML_SIGNATURE_INVALID');
    // The other, unsigned entity of the same aggregate is refused when a signature is required.
    expect(
      codeOf(() => parseSpMetadata(xml, { trust: [certificatePem('sp-a')], entityId: other, clock })),
    ).toBe('SAML_SIGNATURE_MISSING');
  });
  it('refuses an aggregate signed as a whole whose entities carry their own signatures too', () => {
    const inner = signed(spMetadata({ id: '_sp' }), 'sp-a').replace(
      ` xmlns:md="${namespaces.md}" xmlns:ds="${namespaces.ds}"`,
      '',
    );
    const xml = signed(aggregate(inner), 'idp');
    expect(
      codeOf(() => parseSpMetadata(xml, { trust: [certificatePem('idp')], entityId: spEntityId, clock })),
    ).toBe('SAML_SIGNATURE_PROFILE_VIOLATION');
  });
});

describe('validUntil', () => {
  it('refuses metadata past its validUntil on the entity, the role or an enclosing group', () => {
    const expired = ' validUntil="2026-04-20T10:00:00Z"';
    expect(codeOf(() => parseSpMetadata(spMetadata({ attributes: expired }), unsigned))).toBe(
      'SAML_METADATA_EXPIRED',
    );
    expect(
      codeOf(() =>
        parseSpMetadata(
          spMetadata({ descriptorAttributes: ' validUntil="2026-04-20T11:00:00+02:00"' }),
          unsigned,
        ),
      ),
    ).toBe('SAML_METADATA_EXPIRED');
    const group = `<md:EntitiesDescriptor xmlns:md="${namespaces.md}" validUntil="2026-04-19T00:00:00.5Z">${spMetadata()}</md:EntitiesDescriptor>`;
    expect(codeOf(() => parseSpMetadata(group, unsigned))).toBe('SAML_METADATA_EXPIRED');
  });

  it('reports the earliest validUntil and the cacheDuration of fresh metadata', () => {
    const metadata = parseSpMetadata(
      spMetadata({
        attributes: ' validUntil="2026-05-01T00:00:00.123456Z" cacheDuration="PT6H"',
        descriptorAttributes: ' validUntil="2026-04-30T00:00:00-01:00"',
      }),
      unsigned,
    );
    expect(metadata.validUntil).toEqual(new Date('2026-04-30T01:00:00Z'));
    expect(metadata.cacheDuration).toBe('PT6H');
  });

  it('refuses a validUntil without time zone', () => {
    expect(
      codeOf(() =>
        parseSpMetadata(spMetadata({ attributes: ' validUntil="2030-01-01T00:00:00"' }), unsigned),
      ),
    ).toBe('SAML_METADATA_INVALID');
  });
});

describe('malformed metadata', () => {
  const cases: [string, string, SamlErrorCode][] = [
    [
      'IdP metadata (no SPSSODescriptor)',
      spMetadata().replace(/SPSSODescriptor/g, 'IDPSSODescriptor'),
      'SAML_METADATA_INVALID',
    ],
    [
      'SAML 1.1 only',
      spMetadata().replace(
        'urn:oasis:names:tc:SAML:1.1:protocol urn:oasis:names:tc:SAML:2.0:protocol',
        'urn:oasis:names:tc:SAML:1.1:protocol',
      ),
      'SAML_METADATA_INVALID',
    ],
    ['no ACS', spMetadata({ acs: '' }), 'SAML_METADATA_INVALID'],
    [
      'only unsupported ACS bindings',
      spMetadata({
        acs: `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:PAOS" Location="https://sp-a.example.com/ecp" index="0"/>`,
      }),
      'SAML_METADATA_INVALID',
    ],
    ['ACS without index', spMetadata().replace(' index="1"', ''), 'SAML_METADATA_INVALID'],
    ['ACS index out of range', spMetadata().replace('index="1"', 'index="70000"'), 'SAML_METADATA_INVALID'],
    ['ACS index repeated', spMetadata().replace('index="2"', 'index="1"'), 'SAML_METADATA_INVALID'],
    [
      'ACS Location not http(s)',
      spMetadata().replace('https://sp-a.example.com/acs/post', 'javascript:alert(1)'),
      'SAML_METADATA_INVALID',
    ],
    [
      'bad xs:boolean',
      spMetadata({ descriptorAttributes: ' WantAssertionsSigned="yes"' }),
      'SAML_METADATA_INVALID',
    ],
    [
      'bad KeyDescriptor use',
      spMetadata({
        keys: keyDescriptor('sp-a').replace('<md:KeyDescriptor', '<md:KeyDescriptor use="both"'),
      }),
      'SAML_METADATA_INVALID',
    ],
    [
      'a certificate chain in one KeyDescriptor',
      spMetadata({
        keys: keyDescriptor('sp-a').replace(
          '</ds:X509Certificate>',
          `</ds:X509Certificate><ds:X509Certificate>${base64Of('idp')}</ds:X509Certificate>`,
        ),
      }),
      'SAML_METADATA_INVALID',
    ],
    [
      'a broken certificate',
      spMetadata({
        keys: keyDescriptor('sp-a').replace(/<ds:X509Certificate>[^<]+/, '<ds:X509Certificate>AAAA'),
      }),
      'SAML_KEY_INVALID',
    ],
    [
      'AuthnRequestsSigned="true" without a signing certificate',
      spMetadata({ keys: keyDescriptor('sp-b', 'encryption') }),
      'SAML_METADATA_INVALID',
    ],
    ['no entityID', spMetadata().replace(` entityID="${spEntityId}"`, ''), 'SAML_METADATA_INVALID'],
    ['not metadata', `<samlp:LogoutRequest xmlns:samlp="${namespaces.samlp}"/>`, 'SAML_METADATA_INVALID'],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY e "e">]>${spMetadata()}`, 'SAML_XML_DTD_FORBIDDEN'],
  ];
  for (const [name, xml, code] of cases) {
    it(`refuses ${name}`, () => {
      expect(codeOf(() => parseSpMetadata(xml, unsigned))).toBe(code);
    });
  }
});

const openssl = externalTool('openssl', 'openssl');

describe.skipIf(openssl === undefined)('key strength', () => {
  it('refuses an RSA key under 2048 bits unless opted in', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = withTempDir((dir) => {
      const keyFile = `${dir}/weak.key`;
      writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const result = runTool(
        openssl!,
        ['req', '-x509', '-new', '-key', keyFile, '-days', '1', '-subj', '/CN=weak.samlkit.test', '-sha256'],
        dir,
      );
      if (!result.ok) throw new Error(result.output);
      return result.output.slice(result.output.indexOf('-----BEGIN CERTIFICATE-----'));
    });
    const base64 = certificate('sp-a').certificateBase64;
    const weak = pem.replace(/-----[A-Z ]+-----|\s/g, '');
    const xml = spMetadata().replace(base64, weak);
    expect(codeOf(() => parseSpMetadata(xml, unsigned))).toBe('SAML_KEY_INVALID');
    expect(
      parseSpMetadata(xml, { ...unsigned, unsafeAllowShortRsaKeys: true }).signingCertificates[0]!.keySize,
    ).toBe(1024);
  });
});
