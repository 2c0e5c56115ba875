/**
 * A LogoutRequest whose NameID the SP encrypted (SAMLCore §2.2.4, §3.7.1):
 * encrypted here by samlify's own library (@authenio/xml-encryption) to the
 * IdP's certificate, signed by the SP, and decrypted by the facade only after
 * the signature verified.
 */
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  createIdentityProvider,
  createMemoryStore,
  dataEncryptionAlgorithms,
  encodeRedirect,
  keyTransportAlgorithms,
  nameIdFormats,
  parseLogoutRequest,
  parseProvider,
} from '../../src/index.js';
import { expectCode } from '../support/errors.js';
import { certificatePem, keyPair } from '../support/keys.js';

const require = createRequire(import.meta.url);
const samlifyEncryption = require('@authenio/xml-encryption') as {
  encrypt(content: string, options: Record<string, unknown>, cb: (e: Error | null, r?: string) => void): void;
};

const idpEntityId = 'https://idp.encid.test/metadata';
const spEntityId = 'https://sp.encid.test/metadata';
const sloRedirect = 'https://idp.encid.test/slo';
const idpEncryption = keyPair('idp-rollover');

async function encryptedIdRequest(certificate = idpEncryption.certificatePem, tamper = false) {
  const nameId = `<saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Format="${nameIdFormats.persistent}">alice-pairwise</saml:NameID>`;
  const encrypted = await promisify(samlifyEncryption.encrypt)(nameId, {
    rsa_pub: certificate,
    pem: certificate,
    encryptionAlgorithm: dataEncryptionAlgorithms.aes256Gcm,
    keyEncryptionAlgorithm: keyTransportAlgorithms.rsaOaepMgf1p,
    disallowEncryptionWithInsecureAlgorithm: true,
    warnInsecureAlgorithm: false,
  });
  const plain = buildLogoutRequest({
    issuer: spEntityId,
    destination: sloRedirect,
    nameId: { value: 'placeholder' },
    sessionIndex: '_s1',
  }).xml;
  const xml = plain.replace(
    /<saml:NameID>placeholder<\/saml:NameID>/,
    `<saml:EncryptedID>${encrypted!.trim()}</saml:EncryptedID>`,
  );
  expect(xml).toContain('<saml:EncryptedID>');
  const url = encodeRedirect({
    type: 'SAMLRequest',
    xml,
    destination: sloRedirect,
    sign: { key: keyPair(tamper ? 'sp-b' : 'sp-a') },
  });
  return { xml, input: { method: 'GET' as const, query: url } };
}

async function setup(decryptionKeys = [idpEncryption]) {
  const store = createMemoryStore();
  await store.putProvider(
    'sp',
    parseProvider({
      entityId: spEntityId,
      acsUrl: 'https://sp.encid.test/acs',
      verificationCertificates: [certificatePem('sp-a')],
      slsUrl: 'https://sp.encid.test/slo',
      logoutMethod: 'frontchannel_native',
    }),
  );
  const idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints: { sloRedirect, sloPost: sloRedirect },
    decryptionKeys,
  });
  await idp.recordSession({
    providerId: 'sp',
    userId: 'alice',
    nameId: { value: 'alice-pairwise', format: nameIdFormats.persistent },
    sessionIndex: '_s1',
  });
  return { idp, store };
}

describe('EncryptedID in a LogoutRequest', () => {
  it('parseLogoutRequest decrypts it with our key, and leaves it alone without one', async () => {
    const { xml } = await encryptedIdRequest();
    expect(parseLogoutRequest(xml)).toMatchObject({ encryptedId: true });
    expect(parseLogoutRequest(xml).nameId).toBeUndefined();
    expect(parseLogoutRequest(xml, { decryption: { key: idpEncryption } })).toMatchObject({
      encryptedId: true,
      nameId: { value: 'alice-pairwise', format: nameIdFormats.persistent },
    });
    expectCode(
      () => parseLogoutRequest(xml, { decryption: { key: keyPair('sp-b') } }),
      'SAML_DECRYPTION_FAILED',
    );
  });

  it('the facade decrypts it after verifying the signature and ends the matching session', async () => {
    const { idp, store } = await setup();
    const { input } = await encryptedIdRequest();
    const result = await idp.handleLogoutRequest(input);
    expect(result.status).toBe('Success');
    expect(result.userId).toBe('alice');
    expect(await store.listParticipantsByUser('alice', Date.now())).toEqual([]);
  });

  it('a foreign signature is refused before anything is decrypted', async () => {
    const { idp } = await setup();
    const { input } = await encryptedIdRequest(undefined, true);
    await expect(idp.handleLogoutRequest(input)).rejects.toMatchObject({ code: 'SAML_SIGNATURE_INVALID' });
  });

  it('without decryptionKeys, nobody matches (UnknownPrincipal), and the option is checked', async () => {
    const { idp } = await setup([]);
    const { input } = await encryptedIdRequest();
    expect((await idp.handleLogoutRequest(input)).status).toBe('UnknownPrincipal');
    await expect(setup([keyPair('sp-a').certificatePem as never])).rejects.toMatchObject({
      code: 'SAML_CONFIG_INVALID',
    });
  });
});
