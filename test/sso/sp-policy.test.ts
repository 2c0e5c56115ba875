/**
 * What samlkit sends an SP by default and as its registration says: one key
 * (the provider's, else the facade's) and one issuer (the provider's, else the
 * facade's entity ID) for SSO and logout alike; Response and assertion both
 * signed; algorithms chosen from the SP's metadata hints. Checked with xmlsec1.
 */
import { describe, expect, it } from 'vitest';
import {
  buildResponse,
  createIdentityProvider,
  createMemoryStore,
  dataEncryptionAlgorithms,
  digestAlgorithms,
  keyTransportAlgorithms,
  parseLogoutRequest,
  parseProvider,
  receiveRedirect,
  signatureAlgorithms,
} from '../../src/index.js';
import { expectCode } from '../support/errors.js';
import { certificate, certificatePem, keyPair } from '../support/keys.js';
import { hasXmlsec1, xmlsecVerify } from '../support/xmlsec.js';
import {
  fixedClock,
  idpEntityId,
  idpSloUrl,
  idpSsoPost,
  idpSsoRedirect,
  postInput,
  responseXmlOf,
  secret,
  spAcsUrl,
  spEntityId,
  spSloUrl,
} from './support.js';

const user = { id: 'user-1', email: 'alice@example.com' };
const responseSignature = "/*[local-name()='Response']/*[local-name()='Signature']";
const assertionSignature =
  "/*[local-name()='Response']/*[local-name()='Assertion']/*[local-name()='Signature']";
const ids = ['Response', 'Assertion'] as const;

/** sp-a registered the way parseSpMetadata leaves it: no key, no issuer, no signing flags of the IdP side. */
const registered = (extra: Record<string, unknown> = {}) =>
  parseProvider({
    entityId: spEntityId,
    acsUrl: spAcsUrl,
    verificationCertificates: [certificate('sp-a')],
    slsUrl: spSloUrl,
    slsBinding: 'redirect',
    logoutMethod: 'frontchannel_native',
    ...extra,
  });

async function facade(provider = registered(), signingKey = 'idp') {
  const store = createMemoryStore();
  await store.putProvider('sp-a', provider);
  const idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair(signingKey) },
    store,
    endpoints: {
      sloRedirect: idpSloUrl,
      sloPost: idpSloUrl,
      ssoRedirect: idpSsoRedirect,
      ssoPost: idpSsoPost,
    },
    sso: { secret },
    clock: fixedClock,
  });
  return idp;
}

const issuerOf = (xml: string) => /<saml:Issuer>([^<]*)<\/saml:Issuer>/.exec(xml)?.[1];
const algorithmsOf = (xml: string) => ({
  signature: [...xml.matchAll(/SignatureMethod Algorithm="([^"]+)"/g)].map((m) => m[1]),
  digest: [...xml.matchAll(/DigestMethod Algorithm="([^"]+)"/g)].map((m) => m[1]),
});

describe('one key, one issuer', () => {
  it.skipIf(!hasXmlsec1())(
    'a provider without a key of its own: the facade’s key signs Response and assertion (xmlsec1)',
    async () => {
      const idp = await facade();
      const reply = await idp.respondToAuthnRequest(postInput({}, { sign: false }), () => ({ user }));
      const xml = responseXmlOf(reply.form.fields);
      for (const path of [responseSignature, assertionSignature]) {
        expect(xmlsecVerify(xml, certificatePem('idp'), ids, path)).toMatchObject({ ok: true });
        expect(xmlsecVerify(xml, certificatePem('sp-b'), ids, path).ok).toBe(false);
      }
      expect(issuerOf(xml)).toBe(idpEntityId);
    },
  );

  it('the provider’s own key and issuer win, in SSO and in logout', async () => {
    const own = registered({
      signingKeyPair: keyPair('idp-rollover'),
      issuer: 'https://idp.example.com/tenant-7',
    });
    const idp = await facade(own);
    const reply = await idp.respondToAuthnRequest(postInput({}, { sign: false }), () => ({ user }));
    const xml = responseXmlOf(reply.form.fields);
    expect(issuerOf(xml)).toBe('https://idp.example.com/tenant-7');
    if (hasXmlsec1()) {
      expect(xmlsecVerify(xml, certificatePem('idp-rollover'), ids, responseSignature).ok).toBe(true);
      expect(xmlsecVerify(xml, certificatePem('idp'), ids, responseSignature).ok).toBe(false);
    }
    const logout = await idp.logout('user-1');
    const url = (logout.reply as { url: string }).url;
    const received = receiveRedirect(url, {
      trust: [certificate('idp-rollover')],
      clock: fixedClock,
      expect: { issuer: 'https://idp.example.com/tenant-7', destination: spSloUrl },
    });
    expect(parseLogoutRequest(received.xml).issuer?.value).toBe('https://idp.example.com/tenant-7');
  });

  it('buildResponse requires an issuer when the provider has none, and a key when it has none', () => {
    const assertion = { nameId: { value: 'alice' }, sessionIndex: '_s1' };
    expectCode(() => buildResponse({ provider: registered(), assertion }), 'SAML_INPUT_INVALID');
    expectCode(
      () => buildResponse({ provider: registered(), issuer: idpEntityId, assertion }),
      'SAML_CONFIG_INVALID',
    );
    const built = buildResponse({
      provider: registered(),
      issuer: idpEntityId,
      signing: { key: keyPair('idp') },
      assertion,
    });
    expect(built).toMatchObject({ signedAssertion: true, signedResponse: true });
  });
});

describe('algorithm hints from the SP’s metadata', () => {
  it('signs with the first advertised algorithm samlkit allows when the chosen one is not advertised', () => {
    const provider = registered({
      signingKeyPair: keyPair('idp'),
      // Shibboleth lists ECDSA first and RSA-SHA1 last; an RSA key skips ECDSA, and SHA-1 is never taken.
      signingMethods: [
        signatureAlgorithms.ecdsaSha256,
        signatureAlgorithms.rsaSha1,
        signatureAlgorithms.rsaSha512,
      ],
      digestMethods: [digestAlgorithms.sha1, digestAlgorithms.sha384],
    });
    const { xml } = buildResponse({
      provider,
      issuer: idpEntityId,
      assertion: { nameId: { value: 'alice' }, sessionIndex: '_s1' },
    });
    expect(algorithmsOf(xml)).toEqual({
      signature: [signatureAlgorithms.rsaSha512, signatureAlgorithms.rsaSha512],
      digest: [digestAlgorithms.sha384, digestAlgorithms.sha384],
    });
    if (hasXmlsec1()) {
      expect(xmlsecVerify(xml, certificatePem('idp'), ids, responseSignature).ok).toBe(true);
      expect(xmlsecVerify(xml, certificatePem('idp'), ids, assertionSignature).ok).toBe(true);
    }
  });

  it('keeps the chosen algorithm when it is advertised, or when nothing advertised is allowed', () => {
    const sign = (signingMethods: string[]) =>
      algorithmsOf(
        buildResponse({
          provider: registered({ signingKeyPair: keyPair('idp'), signingMethods }),
          issuer: idpEntityId,
          assertion: { nameId: { value: 'alice' }, sessionIndex: '_s1' },
        }).xml,
      ).signature[0];
    expect(sign([signatureAlgorithms.rsaSha512, signatureAlgorithms.rsaSha256])).toBe(
      signatureAlgorithms.rsaSha256,
    );
    expect(sign([signatureAlgorithms.rsaSha1])).toBe(signatureAlgorithms.rsaSha256);
  });

  it('the facade’s key follows the hints for logout messages too', async () => {
    const idp = await facade(registered({ signingMethods: [signatureAlgorithms.rsaSha384] }));
    await idp.recordSession({ providerId: 'sp-a', userId: 'u', nameId: { value: 'u' }, sessionIndex: '_s' });
    const url = (await idp.logout('u')).reply as { url: string };
    expect(new URL(url.url).searchParams.get('SigAlg')).toBe(signatureAlgorithms.rsaSha384);
  });

  it('encrypts with what the SP’s EncryptionMethods list, never CBC without the opt-in', () => {
    const encrypt = (encryptionMethods: string[], unsafeAllowCbc = false) =>
      buildResponse({
        provider: registered({
          signingKeyPair: keyPair('idp'),
          encryptionCertificate: certificate('sp-a'),
          encryptionMethods,
        }),
        issuer: idpEntityId,
        ...(unsafeAllowCbc ? { encryption: { unsafeAllowCbc } } : {}),
        assertion: { nameId: { value: 'alice' }, sessionIndex: '_s1' },
      }).xml;
    const gcm128 = encrypt([dataEncryptionAlgorithms.aes128Gcm, keyTransportAlgorithms.rsaOaep]);
    expect(gcm128).toContain(`EncryptionMethod Algorithm="${dataEncryptionAlgorithms.aes128Gcm}"`);
    expect(gcm128).toContain(`EncryptionMethod Algorithm="${keyTransportAlgorithms.rsaOaep}"`);
    const cbcOnly = [dataEncryptionAlgorithms.aes256Cbc, keyTransportAlgorithms.rsaOaepMgf1p];
    expect(encrypt(cbcOnly)).toContain(`Algorithm="${dataEncryptionAlgorithms.aes256Gcm}"`);
    expect(encrypt(cbcOnly, true)).toContain(`Algorithm="${dataEncryptionAlgorithms.aes256Cbc}"`);
  });
});
