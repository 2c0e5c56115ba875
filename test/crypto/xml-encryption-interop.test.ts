/**
 * XML Encryption against independent implementations, both directions:
 * - xmlsec1 (libxmlsec1 1.2 on OpenSSL) decrypts our EncryptedAssertion with
 *   the SP private key, and we decrypt what xmlsec1 encrypts. xmlsec1 1.2 knows
 *   neither `xmlenc11#rsa-oaep` nor an OAEP digest other than SHA-1, so those
 *   key transports are checked with OpenSSL's own RSA-OAEP (`openssl pkeyutl`,
 *   which takes the OAEP digest and the MGF1 hash separately).
 * - node-saml 5.1.0 consumes a signed Response carrying our EncryptedAssertion
 *   (it decrypts through the `xml-encryption` package); samlify 2.13.1 likewise
 *   (through `@authenio/xml-encryption`). Both packages are also called
 *   directly, and we decrypt what they encrypt.
 */
import { createDecipheriv } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import * as samlify from 'samlify';
import { describe, expect, it } from 'vitest';
import {
  canonicalizeElement,
  decryptElement,
  type EncryptOptions,
  encryptElement,
  signTree,
} from '../../src/crypto/index.js';
import {
  type DataEncryptionAlgorithm,
  dataEncryptionAlgorithms,
  digestAlgorithms,
  keyTransportAlgorithms,
  maskGenerationFunctions,
  nameIdFormats,
  namespaces,
  signatureAlgorithms,
  statusCodes,
} from '../../src/index.js';
import { childElements, element, parseXml, serialize, type XmlElement } from '../../src/xml/index.js';
import { certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import { externalTool, hasXmlsec1, runTool, withTempDir } from '../support/xmlsec.js';
import { hasXmllint, schemaErrors, schemas } from '../support/xsd.js';

const require = createRequire(import.meta.url);
/** node-saml's decryptor (a dependency of @node-saml/node-saml, not of samlkit). */
const xmlEncryption = require('xml-encryption') as {
  decrypt(xml: string, options: { key: string }, cb: (e: Error | null, r?: string) => void): void;
  encrypt(content: string, options: Record<string, unknown>, cb: (e: Error | null, r?: string) => void): void;
};
/** samlify's decryptor. */
const authenioXmlEncryption = require('@authenio/xml-encryption') as typeof xmlEncryption;

const plaintext =
  '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0" IssueInstant="2026-04-20T10:00:00Z">' +
  '<saml:Issuer>https://idp.example.com/metadata</saml:Issuer>' +
  '<saml:Subject><saml:NameID>zoë@example.com</saml:NameID></saml:Subject></saml:Assertion>';

const spA = keyPair('sp-a');

function encryptedAssertion(tree: XmlElement): string {
  return `<saml:EncryptedAssertion xmlns:saml="${namespaces.saml}">${serialize(tree)}</saml:EncryptedAssertion>`;
}

function encrypt(options: Partial<EncryptOptions> = {}): XmlElement {
  return encryptElement(plaintext, { certificate: certificatePem('sp-a'), ...options });
}

const gcmAndCbc: { name: string; algorithm: DataEncryptionAlgorithm }[] = [
  { name: 'AES-256-GCM', algorithm: dataEncryptionAlgorithms.aes256Gcm },
  { name: 'AES-128-GCM', algorithm: dataEncryptionAlgorithms.aes128Gcm },
  { name: 'AES-128-CBC', algorithm: dataEncryptionAlgorithms.aes128Cbc },
  { name: 'AES-256-CBC', algorithm: dataEncryptionAlgorithms.aes256Cbc },
];

// ---------------------------------------------------------------------------------------------

describe.skipIf(!hasXmlsec1())('xmlsec1', () => {
  const xmlsec1 = () => externalTool('xmlsec1', 'xmlsec1')!;

  function xmlsecDecrypt(document: string): { ok: boolean; output: string } {
    return withTempDir((dir) => {
      writeFileSync(join(dir, 'key.pem'), privateKeyPem('sp-a'));
      writeFileSync(join(dir, 'in.xml'), document);
      return runTool(
        xmlsec1(),
        [
          '--decrypt',
          '--privkey-pem',
          join(dir, 'key.pem'),
          '--output',
          join(dir, 'out.xml'),
          join(dir, 'in.xml'),
        ],
        dir,
      ).ok
        ? { ok: true, output: readFileSync(join(dir, 'out.xml'), 'utf8') }
        : { ok: false, output: '' };
    });
  }

  /** The Assertion xmlsec1 put in place of the EncryptedData, canonicalized (libxml2 may re-escape text). */
  function decryptedAssertion(output: string): string {
    const { root } = parseXml(output);
    expect(root.localName).toBe('EncryptedAssertion');
    const children = childElements(root);
    expect(children).toHaveLength(1);
    return canonicalizeElement(children[0]!);
  }

  const expected = canonicalizeElement(parseXml(plaintext).root);

  for (const data of gcmAndCbc) {
    it(`decrypts our ${data.name} + rsa-oaep-mgf1p EncryptedAssertion with the SP key`, () => {
      const result = xmlsecDecrypt(
        encryptedAssertion(encrypt({ dataAlgorithm: data.algorithm, unsafeAllowCbc: true })),
      );
      expect(result.ok).toBe(true);
      expect(decryptedAssertion(result.output)).toBe(expected);
    });
  }

  it('decrypts our rsa-1_5 key transport (opted in)', () => {
    const tree = encrypt({ keyTransport: keyTransportAlgorithms.rsa15, unsafeAllowRsa15: true });
    expect(decryptedAssertion(xmlsecDecrypt(encryptedAssertion(tree)).output)).toBe(expected);
  });

  it('does not decrypt it with another SP key (the test can fail)', () => {
    const tree = encryptElement(plaintext, { certificate: certificatePem('sp-b') });
    expect(xmlsecDecrypt(encryptedAssertion(tree)).ok).toBe(false);
  });

  function xmlsecEncrypt(dataAlgorithm: string, keyTransport: string, sessionKey: string): string {
    const template =
      `<xenc:EncryptedData xmlns:xenc="${namespaces.xenc}" xmlns:ds="${namespaces.ds}" Type="http://www.w3.org/2001/04/xmlenc#Element">` +
      `<xenc:EncryptionMethod Algorithm="${dataAlgorithm}"/><ds:KeyInfo><xenc:EncryptedKey>` +
      `<xenc:EncryptionMethod Algorithm="${keyTransport}"/><xenc:CipherData><xenc:CipherValue/></xenc:CipherData>` +
      '</xenc:EncryptedKey></ds:KeyInfo><xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>';
    const document = `<saml:EncryptedID xmlns:saml="${namespaces.saml}">${plaintext}</saml:EncryptedID>`;
    return withTempDir((dir) => {
      writeFileSync(join(dir, 'tpl.xml'), template);
      writeFileSync(join(dir, 'data.xml'), document);
      writeFileSync(join(dir, 'cert.pem'), certificatePem('sp-a'));
      const result = runTool(
        xmlsec1(),
        [
          '--encrypt',
          '--pubkey-cert-pem',
          join(dir, 'cert.pem'),
          '--session-key',
          sessionKey,
          '--xml-data',
          join(dir, 'data.xml'),
          '--node-xpath',
          '/*/*',
          '--output',
          join(dir, 'out.xml'),
          join(dir, 'tpl.xml'),
        ],
        dir,
      );
      if (!result.ok) throw new Error(`xmlsec1 --encrypt failed:\n${result.output}`);
      return readFileSync(join(dir, 'out.xml'), 'utf8');
    });
  }

  for (const [name, algorithm, sessionKey] of [
    ['AES-256-GCM', dataEncryptionAlgorithms.aes256Gcm, 'aes-256'],
    ['AES-128-GCM', dataEncryptionAlgorithms.aes128Gcm, 'aes-128'],
    ['AES-128-CBC', dataEncryptionAlgorithms.aes128Cbc, 'aes-128'],
    ['AES-256-CBC', dataEncryptionAlgorithms.aes256Cbc, 'aes-256'],
  ] as const) {
    it(`we decrypt what xmlsec1 encrypts: ${name} + rsa-oaep-mgf1p`, () => {
      const { root } = parseXml(xmlsecEncrypt(algorithm, keyTransportAlgorithms.rsaOaepMgf1p, sessionKey));
      const encryptedData = root.getElementsByTagNameNS(namespaces.xenc, 'EncryptedData')[0]!;
      expect(decryptElement(encryptedData, { key: spA, unsafeAllowCbc: true })).toBe(plaintext);
    });
  }

  it('we decrypt what xmlsec1 encrypts with rsa-1_5 only when opted in', () => {
    const { root } = parseXml(
      xmlsecEncrypt(dataEncryptionAlgorithms.aes256Gcm, keyTransportAlgorithms.rsa15, 'aes-256'),
    );
    const encryptedData = root.getElementsByTagNameNS(namespaces.xenc, 'EncryptedData')[0]!;
    expect(() => decryptElement(encryptedData, { key: spA })).toThrow(/PKCS#1 v1.5/);
    expect(decryptElement(encryptedData, { key: spA, unsafeAllowRsa15: true })).toBe(plaintext);
  });
});

// ---------------------------------------------------------------------------------------------

const openssl = externalTool('openssl', 'openssl');

describe.skipIf(openssl === undefined)('OpenSSL RSA-OAEP (key transports xmlsec1 1.2 lacks)', () => {
  const variants: { name: string; options: Partial<EncryptOptions>; md: string; mgf1: string }[] = [
    { name: 'rsa-oaep-mgf1p, SHA-1', options: {}, md: 'sha1', mgf1: 'sha1' },
    {
      name: 'rsa-oaep-mgf1p, DigestMethod SHA-256',
      options: { oaepDigest: digestAlgorithms.sha256 },
      md: 'sha256',
      mgf1: 'sha1',
    },
    {
      name: 'xmlenc11 rsa-oaep, SHA-256, MGF1-SHA1',
      options: { keyTransport: keyTransportAlgorithms.rsaOaep },
      md: 'sha256',
      mgf1: 'sha1',
    },
    {
      name: 'xmlenc11 rsa-oaep, SHA-256, MGF1-SHA256',
      options: { keyTransport: keyTransportAlgorithms.rsaOaep, mgf: maskGenerationFunctions.mgf1Sha256 },
      md: 'sha256',
      mgf1: 'sha256',
    },
    {
      name: 'xmlenc11 rsa-oaep, SHA-512, MGF1-SHA384',
      options: {
        keyTransport: keyTransportAlgorithms.rsaOaep,
        oaepDigest: digestAlgorithms.sha512,
        mgf: maskGenerationFunctions.mgf1Sha384,
      },
      md: 'sha512',
      mgf1: 'sha384',
    },
  ];

  function pkeyutl(mode: '-encrypt' | '-decrypt', input: Buffer, md: string, mgf1: string): Buffer {
    return withTempDir((dir) => {
      writeFileSync(
        join(dir, 'key.pem'),
        mode === '-decrypt' ? privateKeyPem('sp-a') : certificatePem('sp-a'),
      );
      writeFileSync(join(dir, 'in.bin'), input);
      const keyArgs =
        mode === '-decrypt' ? ['-inkey', join(dir, 'key.pem')] : ['-certin', '-inkey', join(dir, 'key.pem')];
      const result = runTool(
        openssl!,
        [
          'pkeyutl',
          mode,
          ...keyArgs,
          '-pkeyopt',
          'rsa_padding_mode:oaep',
          '-pkeyopt',
          `rsa_oaep_md:${md}`,
          '-pkeyopt',
          `rsa_mgf1_md:${mgf1}`,
          '-in',
          join(dir, 'in.bin'),
          '-out',
          join(dir, 'out.bin'),
        ],
        dir,
      );
      if (!result.ok) throw new Error(`openssl pkeyutl failed:\n${result.output}`);
      return readFileSync(join(dir, 'out.bin'));
    });
  }

  function values(tree: XmlElement): [Buffer, Buffer] {
    const found = [...serialize(tree).matchAll(/<xenc:CipherValue>([^<]+)</g)].map((m) =>
      Buffer.from(m[1]!, 'base64'),
    );
    return [found[0]!, found[1]!];
  }

  for (const variant of variants) {
    it(`OpenSSL unwraps our ${variant.name}; the key decrypts the AES-256-GCM data`, () => {
      const [wrapped, data] = values(encrypt(variant.options));
      const key = pkeyutl('-decrypt', wrapped, variant.md, variant.mgf1);
      expect(key).toHaveLength(32);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const text = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      expect(text.toString('utf8')).toBe(plaintext);
    });

    it(`we unwrap a key OpenSSL wrapped with ${variant.name}`, () => {
      const tree = encrypt(variant.options);
      const [wrapped] = values(tree);
      const contentKey = pkeyutl('-decrypt', wrapped, variant.md, variant.mgf1);
      const rewrapped = pkeyutl('-encrypt', contentKey, variant.md, variant.mgf1);
      const xml = encryptedAssertion(tree).replace(wrapped.toString('base64'), rewrapped.toString('base64'));
      expect(rewrapped.equals(wrapped)).toBe(false);
      const { root } = parseXml(xml);
      expect(
        decryptElement(root.getElementsByTagNameNS(namespaces.xenc, 'EncryptedData')[0]!, { key: spA }),
      ).toBe(plaintext);
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('xml-encryption (node-saml) and @authenio/xml-encryption (samlify), called directly', () => {
  const libraries = [
    ['xml-encryption 3.1.0', xmlEncryption],
    ['@authenio/xml-encryption 2.0.2', authenioXmlEncryption],
  ] as const;

  for (const [library, implementation] of libraries) {
    for (const data of gcmAndCbc) {
      it(`${library} decrypts our ${data.name} + rsa-oaep-mgf1p`, async () => {
        const xml = encryptedAssertion(encrypt({ dataAlgorithm: data.algorithm, unsafeAllowCbc: true }));
        const decrypted = await promisify(implementation.decrypt)(xml, { key: privateKeyPem('sp-a') });
        expect(decrypted).toBe(plaintext);
      });
    }

    it(`we decrypt what ${library} encrypts (AES-256-GCM, rsa-oaep-mgf1p)`, async () => {
      const xml = await promisify(implementation.encrypt)(plaintext, {
        rsa_pub: spA.certificatePem,
        pem: spA.certificatePem,
        encryptionAlgorithm: dataEncryptionAlgorithms.aes256Gcm,
        keyEncryptionAlgorithm: keyTransportAlgorithms.rsaOaepMgf1p,
        disallowEncryptionWithInsecureAlgorithm: true,
        warnInsecureAlgorithm: false,
      });
      const { root } = parseXml(xml!.trim());
      expect(decryptElement(root, { key: spA })).toBe(plaintext);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// A minimal signed Response around our EncryptedAssertion, in the order SAML wants:
// sign the assertion, encrypt it, sign the response (SAMLCore §6, §5.4).

const idpEntityId = 'https://idp.example.com/metadata';
const spEntityId = 'https://sp-a.example.com/metadata';
const spAcsUrl = 'https://sp-a.example.com/acs';
const postBinding = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

function instant(offsetMs: number): string {
  return new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function signedAssertion(nameId: string): string {
  const assertion = element(
    'saml:Assertion',
    { ID: '_assertion-1', Version: '2.0', IssueInstant: instant(0) },
    [
      element('saml:Issuer', {}, [idpEntityId]),
      element('saml:Subject', {}, [
        element('saml:NameID', { Format: nameIdFormats.persistent }, [nameId]),
        element('saml:SubjectConfirmation', { Method: 'urn:oasis:names:tc:SAML:2.0:cm:bearer' }, [
          element('saml:SubjectConfirmationData', { NotOnOrAfter: instant(300_000), Recipient: spAcsUrl }),
        ]),
      ]),
      element('saml:Conditions', { NotBefore: instant(-60_000), NotOnOrAfter: instant(300_000) }, [
        element('saml:AudienceRestriction', {}, [element('saml:Audience', {}, [spEntityId])]),
      ]),
      element('saml:AuthnStatement', { AuthnInstant: instant(0), SessionIndex: '_session-1' }, [
        element('saml:AuthnContext', {}, [
          element('saml:AuthnContextClassRef', {}, [
            'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
          ]),
        ]),
      ]),
    ],
    ['saml'],
  );
  return serialize(signTree(assertion, { key: keyPair('idp'), algorithm: signatureAlgorithms.rsaSha256 }));
}

function signedResponse(nameId: string, options: Partial<EncryptOptions> = {}): string {
  const encrypted = encryptElement(signedAssertion(nameId), {
    certificate: certificatePem('sp-a'),
    ...options,
  });
  const response = element(
    'samlp:Response',
    { ID: '_response-1', Version: '2.0', IssueInstant: instant(0), Destination: spAcsUrl },
    [
      element('saml:Issuer', {}, [idpEntityId]),
      element('samlp:Status', {}, [element('samlp:StatusCode', { Value: statusCodes.Success })]),
      element('saml:EncryptedAssertion', {}, [encrypted]),
    ],
    ['samlp', 'saml'],
  );
  return serialize(signTree(response, { key: keyPair('idp'), algorithm: signatureAlgorithms.rsaSha256 }));
}

describe.skipIf(!hasXmllint())('the test Response is schema-valid', () => {
  it('validates against saml-schema-protocol-2.0.xsd', () => {
    expect(schemaErrors(schemas.protocol, { response: signedResponse('alice') })).toEqual({ response: [] });
  });
});

describe('node-saml 5.1.0 as the SP', () => {
  function nodeSaml(): SAML {
    return new SAML({
      callbackUrl: spAcsUrl,
      issuer: spEntityId,
      audience: spEntityId,
      idpCert: certificatePem('idp'),
      idpIssuer: idpEntityId,
      decryptionPvk: privateKeyPem('sp-a'),
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: true,
      validateInResponseTo: ValidateInResponseTo.never,
      acceptedClockSkewMs: 5_000,
    });
  }

  for (const data of gcmAndCbc) {
    it(`accepts a signed Response with our ${data.name} EncryptedAssertion and reads the NameID`, async () => {
      const xml = signedResponse('alice-node-saml', { dataAlgorithm: data.algorithm, unsafeAllowCbc: true });
      const { profile } = await nodeSaml().validatePostResponseAsync({
        SAMLResponse: Buffer.from(xml).toString('base64'),
      });
      expect(profile?.nameID).toBe('alice-node-saml');
    });
  }

  it('rejects it when encrypted to another SP (the test can fail)', async () => {
    const xml = signedResponse('alice', { certificate: certificatePem('sp-b') });
    await expect(
      nodeSaml().validatePostResponseAsync({ SAMLResponse: Buffer.from(xml).toString('base64') }),
    ).rejects.toThrow();
  });
});

describe('samlify 2.13.1 as the SP', () => {
  samlify.setSchemaValidator({
    validate: async (xml: string) => {
      if (hasXmllint()) {
        const problems = schemaErrors(schemas.protocol, { message: xml }).message ?? [];
        if (problems.length > 0) throw new Error(`XSD validation failed: ${problems.join('; ')}`);
      }
      return 'checked';
    },
  });

  const idp = samlify.IdentityProvider({
    entityID: idpEntityId,
    signingCert: certificatePem('idp'),
    isAssertionEncrypted: true,
    singleSignOnService: [{ Binding: postBinding, Location: 'https://idp.example.com/sso' }],
  });
  const sp = samlify.ServiceProvider({
    entityID: spEntityId,
    encPrivateKey: privateKeyPem('sp-a'),
    assertionConsumerService: [{ Binding: postBinding, Location: spAcsUrl }],
    wantAssertionsSigned: true,
  });

  for (const data of gcmAndCbc) {
    it(`accepts a signed Response with our ${data.name} EncryptedAssertion and reads the NameID`, async () => {
      const xml = signedResponse('alice-samlify', { dataAlgorithm: data.algorithm, unsafeAllowCbc: true });
      const result = await sp.parseLoginResponse(idp, 'post', {
        body: { SAMLResponse: Buffer.from(xml).toString('base64') },
      });
      expect(result.extract.nameID).toBe('alice-samlify');
    });
  }

  it('rejects it when encrypted to another SP (the test can fail)', async () => {
    const xml = signedResponse('alice', { certificate: certificatePem('sp-b') });
    const quiet = console.error;
    console.error = () => {};
    try {
      await expect(
        sp.parseLoginResponse(idp, 'post', { body: { SAMLResponse: Buffer.from(xml).toString('base64') } }),
      ).rejects.toThrow();
    } finally {
      console.error = quiet;
    }
  });
});
