/**
 * parseSpMetadata on metadata that real SP libraries generate: node-saml 5.1.0
 * (`generateServiceProviderMetadata`, unsigned and signed) and samlify 2.13.1
 * (`ServiceProvider(...).getMetadata()`), carried all the way into
 * `parseProvider`. The IdP direction (samlify reading our IdP metadata) is in
 * idp-metadata.test.ts.
 */
import { generateServiceProviderMetadata } from '@node-saml/node-saml';
import * as samlify from 'samlify';
import { describe, expect, it } from 'vitest';
import {
  bindingUris,
  dataEncryptionAlgorithms,
  nameIdFormats,
  parseProvider,
  parseSpMetadata,
} from '../../src/index.js';
import { certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import { hasXmlsec1 } from '../support/xmlsec.js';
import { xmlsecVerifyMetadata } from './support.js';

const spEntityId = 'https://sp-a.example.com/metadata';
const idpSide = { issuer: 'https://idp.example.com/metadata', signingKeyPair: keyPair('idp') };

describe('node-saml 5.1.0 generateServiceProviderMetadata', () => {
  const params = {
    issuer: spEntityId,
    callbackUrl: 'https://sp-a.example.com/login/callback',
    logoutCallbackUrl: 'https://sp-a.example.com/logout/callback',
    publicCerts: certificatePem('sp-a'),
    // node-saml lists a signing KeyDescriptor only when it has a signing key.
    privateKey: privateKeyPem('sp-a'),
    decryptionPvk: privateKeyPem('sp-b'),
    decryptionCert: certificatePem('sp-b'),
    identifierFormat: nameIdFormats.persistent,
    wantAssertionsSigned: true,
  };

  it('unsigned: ACS, SLS, signing and encryption certificates, format and flags', () => {
    const xml = generateServiceProviderMetadata(params);
    const metadata = parseSpMetadata(xml, { requireSignature: false });
    expect(metadata.entityId).toBe(spEntityId);
    expect(metadata.signature).toBe('absent');
    expect(metadata.assertionConsumerServices).toEqual([
      { binding: bindingUris.post, location: params.callbackUrl, index: 1, isDefault: true },
    ]);
    expect(metadata.singleLogoutServices).toEqual([
      { binding: bindingUris.post, location: params.logoutCallbackUrl },
    ]);
    expect(metadata.signingCertificates.map((c) => c.fingerprintSha256)).toEqual([
      keyPair('sp-a').fingerprintSha256,
    ]);
    expect(metadata.encryptionCertificates.map((c) => c.fingerprintSha256)).toEqual([
      keyPair('sp-b').fingerprintSha256,
    ]);
    expect(metadata.encryptionMethods).toContain(dataEncryptionAlgorithms.aes256Gcm);
    expect(metadata.nameIdFormats).toEqual([nameIdFormats.persistent]);
    expect(metadata.wantAssertionsSigned).toBe(true);
    expect(metadata.warnings).toEqual([]);

    const provider = parseProvider({ ...metadata.provider, ...idpSide });
    expect(provider).toMatchObject({
      entityId: spEntityId,
      audience: spEntityId,
      acsUrl: params.callbackUrl,
      spBinding: 'post',
      slsUrl: params.logoutCallbackUrl,
      slsBinding: 'post',
      defaultNameIdPolicy: nameIdFormats.persistent,
      signAssertion: true,
    });
    expect(provider.encryptionCertificate!.fingerprintSha256).toBe(keyPair('sp-b').fingerprintSha256);
    expect(provider.assertionConsumerServices).toEqual([
      { url: params.callbackUrl, binding: 'post', index: 1, isDefault: true },
    ]);
  });

  it('signed with SHA-256 digests: verified against the SP certificate given as trust', () => {
    const xml = generateServiceProviderMetadata({
      ...params,
      signMetadata: true,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
    });
    const metadata = parseSpMetadata(xml, { trust: [certificatePem('sp-a')] });
    expect(metadata.signature).toBe('verified');
    expect(metadata.signedBy!.fingerprintSha256).toBe(keyPair('sp-a').fingerprintSha256);
    expect(() => parseSpMetadata(xml, { trust: [certificatePem('sp-b')] })).toThrow(/does not verify/);
  });

  it('signed with node-saml’s default SHA-1 digest: refused unless SHA-1 is opted into', () => {
    const xml = generateServiceProviderMetadata({
      ...params,
      signMetadata: true,
      signatureAlgorithm: 'sha256',
    });
    expect(() => parseSpMetadata(xml, { trust: [certificatePem('sp-a')] })).toThrow(/SHA-1/);
    expect(parseSpMetadata(xml, { trust: [certificatePem('sp-a')], unsafeAllowSha1: true }).signature).toBe(
      'verified',
    );
  });

  it.skipIf(!hasXmlsec1())('xmlsec1 agrees on the same signed document', () => {
    const xml = generateServiceProviderMetadata({
      ...params,
      signMetadata: true,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
    });
    expect(xmlsecVerifyMetadata(xml, certificatePem('sp-a')).ok).toBe(true);
    expect(xmlsecVerifyMetadata(xml, certificatePem('sp-b')).ok).toBe(false);
  });
});

describe('samlify 2.13.1 ServiceProvider.getMetadata', () => {
  const sp = samlify.ServiceProvider({
    entityID: spEntityId,
    signingCert: certificatePem('sp-a'),
    encryptCert: certificatePem('sp-b'),
    authnRequestsSigned: true,
    wantAssertionsSigned: true,
    nameIDFormat: [nameIdFormats.emailAddress, nameIdFormats.persistent],
    assertionConsumerService: [
      { Binding: bindingUris.post, Location: 'https://sp-a.example.com/acs' },
      { Binding: bindingUris.redirect, Location: 'https://sp-a.example.com/acs/redirect' },
    ],
    singleLogoutService: [
      { Binding: bindingUris.redirect, Location: 'https://sp-a.example.com/slo' },
      { Binding: bindingUris.post, Location: 'https://sp-a.example.com/slo/post' },
    ],
  });

  it('every ACS with its index, both SLS, both certificates, formats and flags', () => {
    const metadata = parseSpMetadata(sp.getMetadata(), { requireSignature: false });
    expect(metadata.assertionConsumerServices).toEqual([
      { binding: bindingUris.post, location: 'https://sp-a.example.com/acs', index: 0 },
      { binding: bindingUris.redirect, location: 'https://sp-a.example.com/acs/redirect', index: 1 },
    ]);
    expect(metadata.singleLogoutServices.map((e) => e.location)).toEqual([
      'https://sp-a.example.com/slo',
      'https://sp-a.example.com/slo/post',
    ]);
    expect(metadata.signingCertificates.map((c) => c.subject)).toEqual(['CN=sp-a.samlkit.test']);
    expect(metadata.encryptionCertificates.map((c) => c.subject)).toEqual(['CN=sp-b.samlkit.test']);
    expect(metadata.nameIdFormats).toEqual([nameIdFormats.emailAddress, nameIdFormats.persistent]);
    expect(metadata.authnRequestsSigned).toBe(true);
    expect(metadata.wantAssertionsSigned).toBe(true);

    const provider = parseProvider({ ...metadata.provider, ...idpSide });
    expect(provider).toMatchObject({
      acsUrl: 'https://sp-a.example.com/acs',
      spBinding: 'post',
      slsUrl: 'https://sp-a.example.com/slo',
      slsBinding: 'redirect',
      defaultNameIdPolicy: nameIdFormats.emailAddress,
      // The other listed format may be asked for; nothing else (no NameID format downgrade).
      allowedNameIdFormats: [nameIdFormats.persistent],
    });
    expect(provider.assertionConsumerServices.map((e) => [e.index, e.binding, e.isDefault])).toEqual([
      [0, 'post', true],
      [1, 'redirect', false],
    ]);
  });

  it('an SP with only its signing key gives a provider without encryption', () => {
    const plain = samlify.ServiceProvider({
      entityID: spEntityId,
      signingCert: certificatePem('sp-a'),
      assertionConsumerService: [{ Binding: bindingUris.post, Location: 'https://sp-a.example.com/acs' }],
    });
    const metadata = parseSpMetadata(plain.getMetadata(), { requireSignature: false });
    expect(metadata.encryptionCertificates).toEqual([]);
    expect(metadata.provider.encryptionCertificate).toBeUndefined();
    expect(parseProvider({ ...metadata.provider, ...idpSide }).encryptionCertificate).toBeNull();
  });
});
