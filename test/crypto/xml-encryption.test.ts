/**
 * XML Encryption 1.1 of elements: round trips of every algorithm combination,
 * the emitted structure (schema-valid inside saml:EncryptedAssertion), the
 * refusals, and the uniform failure of every cryptographic error. Independent
 * decryptors (xmlsec1, OpenSSL, node-saml, samlify) are in
 * xml-encryption-interop.test.ts.
 */

import { execFileSync } from 'node:child_process';
import { createCipheriv, privateDecrypt, publicEncrypt, randomBytes, constants as rsa } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type DecryptOptions,
  decryptElement,
  type EncryptOptions,
  encryptElement,
} from '../../src/crypto/index.js';
import {
  type DataEncryptionAlgorithm,
  dataEncryptionAlgorithms,
  digestAlgorithms,
  isSamlError,
  keyTransportAlgorithms,
  maskGenerationFunctions,
  namespaces,
  type SamlErrorCode,
} from '../../src/index.js';
import { childElements, type Element, parseXml, serialize, type XmlElement } from '../../src/xml/index.js';
import {
  certificate,
  certificatePem,
  fixturesDir,
  keyPair,
  privateKeyPem,
  readFixture,
} from '../support/keys.js';
import { hasXmllint, schemaErrors } from '../support/xsd.js';

const assertionSchema = join(fixturesDir, 'schemas/saml-schema-assertion-2.0.xsd');

/** A signed-looking assertion with non-ASCII text and its own namespace declarations. */
const plaintext =
  '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0" IssueInstant="2026-04-20T10:00:00Z">' +
  '<saml:Issuer>https://idp.example.com/metadata</saml:Issuer>' +
  '<saml:Subject><saml:NameID>zoë@example.com &amp; 日本</saml:NameID></saml:Subject></saml:Assertion>';

const spA = keyPair('sp-a');

/** Wraps the EncryptedData as SAML carries it (SAMLCore §2.3.4) and parses it back. */
function wrap(tree: XmlElement): string {
  return `<saml:EncryptedAssertion xmlns:saml="${namespaces.saml}">${serialize(tree)}</saml:EncryptedAssertion>`;
}

function encryptedDataOf(xml: string): Element {
  const { root } = parseXml(xml);
  return root.localName === 'EncryptedData' ? root : childElements(root)[0]!;
}

function roundTrip(encrypt: Partial<EncryptOptions>, decrypt: Partial<DecryptOptions> = {}): string {
  const tree = encryptElement(plaintext, { certificate: certificatePem('sp-a'), ...encrypt });
  return decryptElement(encryptedDataOf(wrap(tree)), { key: spA, ...decrypt });
}

function codeOf(fn: () => unknown): SamlErrorCode | 'no error' | 'not a SamlError' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return isSamlError(error) ? error.code : 'not a SamlError';
  }
}

function failure(fn: () => unknown): { code: string; message: string; cause: unknown } {
  try {
    fn();
  } catch (error) {
    if (!isSamlError(error)) throw error;
    return { code: error.code, message: error.message, cause: error.cause };
  }
  throw new Error('expected a failure');
}

const uniformFailure = {
  code: 'SAML_DECRYPTION_FAILED',
  message: 'encrypted data could not be decrypted',
  cause: undefined,
};

// ---------------------------------------------------------------------------------------------

const dataCases: { name: string; algorithm: DataEncryptionAlgorithm; cbc: boolean }[] = [
  { name: 'AES-256-GCM', algorithm: dataEncryptionAlgorithms.aes256Gcm, cbc: false },
  { name: 'AES-128-GCM', algorithm: dataEncryptionAlgorithms.aes128Gcm, cbc: false },
  { name: 'AES-128-CBC', algorithm: dataEncryptionAlgorithms.aes128Cbc, cbc: true },
  { name: 'AES-256-CBC', algorithm: dataEncryptionAlgorithms.aes256Cbc, cbc: true },
];

const transportCases: { name: string; options: Partial<EncryptOptions>; rsa15?: true }[] = [
  { name: 'rsa-oaep-mgf1p (SHA-1, MGF1-SHA1)', options: {} },
  {
    name: 'rsa-oaep-mgf1p with DigestMethod SHA-256 (MGF1-SHA1)',
    options: { keyTransport: keyTransportAlgorithms.rsaOaepMgf1p, oaepDigest: digestAlgorithms.sha256 },
  },
  {
    name: 'xmlenc11 rsa-oaep (SHA-256, MGF1-SHA1)',
    options: { keyTransport: keyTransportAlgorithms.rsaOaep },
  },
  {
    name: 'xmlenc11 rsa-oaep (SHA-256, MGF1-SHA256)',
    options: { keyTransport: keyTransportAlgorithms.rsaOaep, mgf: maskGenerationFunctions.mgf1Sha256 },
  },
  {
    name: 'xmlenc11 rsa-oaep (SHA-512, MGF1-SHA384)',
    options: {
      keyTransport: keyTransportAlgorithms.rsaOaep,
      oaepDigest: digestAlgorithms.sha512,
      mgf: maskGenerationFunctions.mgf1Sha384,
    },
  },
  {
    name: 'xmlenc11 rsa-oaep (SHA-1, MGF1-SHA1)',
    options: { keyTransport: keyTransportAlgorithms.rsaOaep, oaepDigest: digestAlgorithms.sha1 },
  },
  {
    name: 'rsa-1_5 (opted in)',
    options: { keyTransport: keyTransportAlgorithms.rsa15, unsafeAllowRsa15: true },
    rsa15: true,
  },
];

describe('round trip', () => {
  for (const data of dataCases) {
    for (const transport of transportCases) {
      it(`${data.name} with ${transport.name}`, () => {
        const unsafe = { unsafeAllowCbc: data.cbc, unsafeAllowRsa15: transport.rsa15 === true };
        const result = roundTrip({ dataAlgorithm: data.algorithm, ...transport.options, ...unsafe }, unsafe);
        expect(result).toBe(plaintext);
      });
    }
  }

  it('uses a fresh content key and IV each time', () => {
    const a = serialize(encryptElement(plaintext, { certificate: certificatePem('sp-a') }));
    const b = serialize(encryptElement(plaintext, { certificate: certificatePem('sp-a') }));
    const cipherValues = (xml: string) => xml.match(/<xenc:CipherValue>([^<]+)</g);
    expect(cipherValues(a)).toHaveLength(2);
    expect(cipherValues(a)![0]).not.toBe(cipherValues(b)![0]);
    expect(cipherValues(a)![1]).not.toBe(cipherValues(b)![1]);
  });

  it('accepts a KeyPair certificate, a PEM private key string and an encrypted PEM with passphrase', () => {
    const tree = encryptElement(plaintext, { certificate: certificate('sp-a') });
    const node = encryptedDataOf(wrap(tree));
    expect(decryptElement(node, { key: privateKeyPem('sp-a') })).toBe(plaintext);
    expect(
      decryptElement(node, { key: readFixture('keys/sp-a-encrypted.key'), passphrase: 'correct-horse' }),
    ).toBe(plaintext);
  });

  it('tries every key given (rollover) and every EncryptedKey addressed to us', () => {
    const node = encryptedDataOf(wrap(encryptElement(plaintext, { certificate: certificatePem('sp-a') })));
    expect(decryptElement(node, { key: [keyPair('sp-b'), spA] })).toBe(plaintext);
  });

  it('decrypts a standalone EncryptedData (no SAML wrapper)', () => {
    const xml = serialize(encryptElement(plaintext, { certificate: certificatePem('sp-a') }));
    expect(decryptElement(parseXml(xml).root, { key: spA })).toBe(plaintext);
  });
});

// ---------------------------------------------------------------------------------------------

describe('structure', () => {
  it('is an xenc:EncryptedData of Type #Element with the EncryptedKey inside ds:KeyInfo', () => {
    const xml = serialize(encryptElement(plaintext, { certificate: certificatePem('sp-a') }));
    expect(xml).toMatch(
      /^<xenc:EncryptedData xmlns:xenc="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#" xmlns:ds="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#" Type="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#Element">/,
    );
    expect(xml).toContain('<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#aes256-gcm"/>');
    expect(xml).toContain(
      '<ds:KeyInfo><xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p">' +
        '<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/></xenc:EncryptionMethod>' +
        '<xenc:CipherData><xenc:CipherValue>',
    );
    expect(xml).not.toContain('xenc11');
    expect(xml).not.toContain('Assertion');
  });

  it('GCM CipherValue is 12-byte IV || ciphertext || 16-byte tag; the wrapped key fills the modulus', () => {
    const { root } = parseXml(serialize(encryptElement(plaintext, { certificate: certificatePem('sp-a') })));
    const values = root.getElementsByTagNameNS(namespaces.xenc, 'CipherValue');
    const wrappedKey = Buffer.from(values[0]!.textContent!, 'base64');
    const data = Buffer.from(values[1]!.textContent!, 'base64');
    expect(wrappedKey).toHaveLength(256);
    expect(data).toHaveLength(12 + Buffer.byteLength(plaintext) + 16);
  });

  it('writes xenc11:MGF only for a non-default MGF, and the recipient hints on request', () => {
    const xml = serialize(
      encryptElement(plaintext, {
        certificate: certificatePem('sp-a'),
        keyTransport: keyTransportAlgorithms.rsaOaep,
        mgf: maskGenerationFunctions.mgf1Sha256,
        includeCertificate: true,
        recipient: 'https://sp-a.example.com/metadata',
      }),
    );
    expect(xml).toContain('xmlns:xenc11="http://www.w3.org/2009/xmlenc11#"');
    expect(xml).toContain(
      '<xenc:EncryptedKey Recipient="https://sp-a.example.com/metadata">' +
        '<xenc:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#rsa-oaep">' +
        '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>' +
        '<xenc11:MGF Algorithm="http://www.w3.org/2009/xmlenc11#mgf1sha256"/></xenc:EncryptionMethod>' +
        `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${spA.certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`,
    );
    const plain = serialize(
      encryptElement(plaintext, {
        certificate: certificatePem('sp-a'),
        keyTransport: keyTransportAlgorithms.rsaOaep,
      }),
    );
    expect(plain).not.toContain('xenc11:MGF');
  });

  describe.skipIf(!hasXmllint())('schema (saml-schema-assertion-2.0.xsd with xenc-schema.xsd)', () => {
    it('every variant without xenc11:MGF validates inside saml:EncryptedAssertion', () => {
      const documents: Record<string, string> = {};
      for (const [i, data] of dataCases.entries()) {
        for (const [j, transport] of transportCases.entries()) {
          if (transport.options.mgf !== undefined) continue;
          documents[`variant-${i}-${j}`] = wrap(
            encryptElement(plaintext, {
              certificate: certificatePem('sp-a'),
              dataAlgorithm: data.algorithm,
              ...transport.options,
              unsafeAllowCbc: true,
              unsafeAllowRsa15: true,
              includeCertificate: j === 0,
              recipient: j === 0 ? 'https://sp-a.example.com/metadata' : undefined,
            }),
          );
        }
      }
      const report = schemaErrors(assertionSchema, documents);
      expect(report).toEqual(Object.fromEntries(Object.keys(documents).map((name) => [name, []])));
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('refusals when encrypting', () => {
  const base = { certificate: certificatePem('sp-a') };

  it('refuses AES-CBC without unsafeAllowCbc', () => {
    for (const algorithm of [dataEncryptionAlgorithms.aes128Cbc, dataEncryptionAlgorithms.aes256Cbc]) {
      expect(codeOf(() => encryptElement(plaintext, { ...base, dataAlgorithm: algorithm }))).toBe(
        'SAML_ALGORITHM_FORBIDDEN',
      );
    }
  });

  it('refuses RSA PKCS#1 v1.5 without unsafeAllowRsa15', () => {
    expect(
      codeOf(() => encryptElement(plaintext, { ...base, keyTransport: keyTransportAlgorithms.rsa15 })),
    ).toBe('SAML_ALGORITHM_FORBIDDEN');
  });

  it('refuses unknown algorithm URIs and impossible combinations', () => {
    const cases: Partial<EncryptOptions>[] = [
      { dataAlgorithm: 'http://www.w3.org/2001/04/xmlenc#tripledes-cbc' as DataEncryptionAlgorithm },
      { dataAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes192-gcm' as DataEncryptionAlgorithm },
      { dataAlgorithm: 'http://www.w3.org/2009/xmlenc11#AES256-GCM' as DataEncryptionAlgorithm },
      { keyTransport: 'http://www.w3.org/2001/04/xmlenc#kw-aes256' as never },
      { oaepDigest: 'http://www.w3.org/2001/04/xmldsig-more#md5' as never },
      { mgf: maskGenerationFunctions.mgf1Sha256 },
      {
        keyTransport: keyTransportAlgorithms.rsaOaep,
        mgf: 'http://www.w3.org/2009/xmlenc11#MGF1withSHA1' as never,
      },
      {
        keyTransport: keyTransportAlgorithms.rsa15,
        unsafeAllowRsa15: true,
        oaepDigest: digestAlgorithms.sha256,
      },
    ];
    for (const options of cases) {
      expect(codeOf(() => encryptElement(plaintext, { ...base, ...options }))).toBe(
        'SAML_ALGORITHM_FORBIDDEN',
      );
    }
  });

  it('refuses a non-RSA certificate, a non-certificate and a non-element plaintext', () => {
    expect(codeOf(() => encryptElement(plaintext, { certificate: certificatePem('sp-ec') }))).toBe(
      'SAML_KEY_INVALID',
    );
    expect(codeOf(() => encryptElement(plaintext, { certificate: 'not a certificate' }))).toBe(
      'SAML_KEY_INVALID',
    );
    expect(codeOf(() => encryptElement('alice', base))).toBe('SAML_INPUT_INVALID');
  });
});

// ---------------------------------------------------------------------------------------------

/** Rebuilds the serialized EncryptedData of `tree` with `edit` applied to the XML text. */
function edited(tree: XmlElement, edit: (xml: string) => string): Element {
  return encryptedDataOf(
    wrap(tree).replace(/<xenc:EncryptedData[\s\S]*<\/xenc:EncryptedData>/, (m) => edit(m)),
  );
}

function cipherValues(tree: XmlElement): [Buffer, Buffer] {
  const values = [...serialize(tree).matchAll(/<xenc:CipherValue>([^<]+)</g)].map((m) =>
    Buffer.from(m[1]!, 'base64'),
  );
  return [values[0]!, values[1]!];
}

function replaceCipherValue(tree: XmlElement, which: 0 | 1, value: Buffer): Element {
  let index = 0;
  return edited(tree, (xml) =>
    xml.replace(/<xenc:CipherValue>[^<]+</g, (m) =>
      index++ === which ? `<xenc:CipherValue>${value.toString('base64')}<` : m,
    ),
  );
}

describe('refusals when decrypting', () => {
  const gcm = () => encryptElement(plaintext, { certificate: certificatePem('sp-a') });
  const cbc = () =>
    encryptElement(plaintext, {
      certificate: certificatePem('sp-a'),
      dataAlgorithm: dataEncryptionAlgorithms.aes128Cbc,
      unsafeAllowCbc: true,
    });
  const rsa15 = () =>
    encryptElement(plaintext, {
      certificate: certificatePem('sp-a'),
      keyTransport: keyTransportAlgorithms.rsa15,
      unsafeAllowRsa15: true,
    });

  it('refuses AES-CBC without unsafeAllowCbc, before touching the key', () => {
    const node = encryptedDataOf(wrap(cbc()));
    expect(codeOf(() => decryptElement(node, { key: spA }))).toBe('SAML_ALGORITHM_FORBIDDEN');
    expect(codeOf(() => decryptElement(node, { key: certificate('sp-a') }))).toBe('SAML_ALGORITHM_FORBIDDEN');
    expect(decryptElement(node, { key: spA, unsafeAllowCbc: true })).toBe(plaintext);
  });

  it('refuses RSA PKCS#1 v1.5 without unsafeAllowRsa15', () => {
    const node = encryptedDataOf(wrap(rsa15()));
    expect(codeOf(() => decryptElement(node, { key: spA }))).toBe('SAML_ALGORITHM_FORBIDDEN');
    expect(decryptElement(node, { key: spA, unsafeAllowRsa15: true })).toBe(plaintext);
  });

  it('enforces the caller allowlists', () => {
    const node = encryptedDataOf(wrap(gcm()));
    expect(
      codeOf(() => decryptElement(node, { key: spA, dataAlgorithms: [dataEncryptionAlgorithms.aes128Gcm] })),
    ).toBe('SAML_ALGORITHM_FORBIDDEN');
    expect(
      codeOf(() => decryptElement(node, { key: spA, keyTransports: [keyTransportAlgorithms.rsaOaep] })),
    ).toBe('SAML_ALGORITHM_FORBIDDEN');
    expect(decryptElement(node, { key: spA, dataAlgorithms: [dataEncryptionAlgorithms.aes256Gcm] })).toBe(
      plaintext,
    );
  });

  it('refuses unknown algorithm, digest and MGF URIs', () => {
    const tree = encryptElement(plaintext, {
      certificate: certificatePem('sp-a'),
      keyTransport: keyTransportAlgorithms.rsaOaep,
      mgf: maskGenerationFunctions.mgf1Sha256,
    });
    const edits: [string, string][] = [
      ['xmlenc11#aes256-gcm', 'xmlenc#tripledes-cbc'],
      ['xmlenc11#aes256-gcm', 'xmlenc11#aes192-gcm'],
      ['xmlenc11#aes256-gcm', 'xmlenc11#aes256-gcm#'],
      ['xmlenc11#rsa-oaep"', 'xmlenc#kw-aes256"'],
      ['xmlenc#sha256', 'xmldsig-more#md5'],
      // xml-encryption's non-standard spelling of SHA-256 is not a DigestMethod URI.
      ['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2000/09/xmldsig#sha256'],
      ['xmlenc11#mgf1sha256', 'xmlenc11#MGF1withSHA1'],
    ];
    for (const [from, to] of edits) {
      const node = edited(tree, (xml) => xml.replace(from, to));
      expect([from, codeOf(() => decryptElement(node, { key: spA }))]).toEqual([
        from,
        'SAML_ALGORITHM_FORBIDDEN',
      ]);
    }
  });

  it('every cryptographic failure is the same error: wrong key, tampered tag, ciphertext, IV or key', () => {
    const tree = gcm();
    const [wrapped, data] = cipherValues(tree);
    const flip = (buffer: Buffer, index: number) => {
      const copy = Buffer.from(buffer);
      copy[index < 0 ? copy.length + index : index]! ^= 0x01;
      return copy;
    };
    const attempts: [string, () => unknown][] = [
      ['wrong key', () => decryptElement(encryptedDataOf(wrap(tree)), { key: keyPair('sp-b') })],
      ['tampered tag', () => decryptElement(replaceCipherValue(tree, 1, flip(data, -1)), { key: spA })],
      [
        'tampered ciphertext',
        () => decryptElement(replaceCipherValue(tree, 1, flip(data, 20)), { key: spA }),
      ],
      ['tampered IV', () => decryptElement(replaceCipherValue(tree, 1, flip(data, 0)), { key: spA })],
      [
        'truncated data',
        () => decryptElement(replaceCipherValue(tree, 1, data.subarray(0, 20)), { key: spA }),
      ],
      [
        'tampered EncryptedKey',
        () => decryptElement(replaceCipherValue(tree, 0, flip(wrapped, 100)), { key: spA }),
      ],
      [
        'short EncryptedKey',
        () => decryptElement(replaceCipherValue(tree, 0, wrapped.subarray(0, 128)), { key: spA }),
      ],
    ];
    for (const [name, attempt] of attempts) {
      expect([name, failure(attempt)]).toEqual([name, uniformFailure]);
    }
  });

  it('an OAEP label (OAEPparams) must match on both unwrapping paths', () => {
    const addLabel = (xml: string) =>
      xml.replace(
        /(<xenc:EncryptionMethod Algorithm="[^"]+rsa-oaep[^"]*">)/,
        '$1<xenc:OAEPparams>bGFiZWw=</xenc:OAEPparams>',
      );
    // Equal digest and MGF hashes go through OpenSSL's OAEP, different ones through our decoder.
    for (const options of [
      {},
      { keyTransport: keyTransportAlgorithms.rsaOaep },
      { keyTransport: keyTransportAlgorithms.rsaOaep, mgf: maskGenerationFunctions.mgf1Sha256 },
    ]) {
      const tree = encryptElement(plaintext, { certificate: certificatePem('sp-a'), ...options });
      expect(
        decryptElement(
          edited(tree, (x) => x),
          { key: spA },
        ),
      ).toBe(plaintext);
      expect(failure(() => decryptElement(edited(tree, addLabel), { key: spA }))).toEqual(uniformFailure);
    }
    // A key wrapped with the label decrypts when OAEPparams carries it.
    const tree = encryptElement(plaintext, { certificate: certificatePem('sp-a') });
    const [wrapped] = cipherValues(tree);
    const key = privateDecrypt(
      { key: privateKeyPem('sp-a'), padding: rsa.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      wrapped,
    );
    const labelled = publicEncrypt(
      {
        key: spA.certificatePem,
        padding: rsa.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha1',
        oaepLabel: Buffer.from('label'),
      },
      key,
    );
    const withLabel = replaceCipherValue(tree, 0, labelled);
    expect(failure(() => decryptElement(withLabel, { key: spA }))).toEqual(uniformFailure);
    const node = encryptedDataOf(
      wrap(tree)
        .replace(wrapped.toString('base64'), labelled.toString('base64'))
        .replace(
          /(<xenc:EncryptionMethod Algorithm="[^"]+rsa-oaep[^"]*">)/,
          '$1<xenc:OAEPparams>bGFiZWw=</xenc:OAEPparams>',
        ),
    );
    expect(decryptElement(node, { key: spA })).toBe(plaintext);
  });

  it('a correctly wrapped key of the wrong size fails the same way (no length oracle)', () => {
    const tree = gcm();
    const [, data] = cipherValues(tree);
    const shortKey = publicEncrypt(
      { key: spA.certificatePem, padding: rsa.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      randomBytes(16),
    );
    expect(failure(() => decryptElement(replaceCipherValue(tree, 0, shortKey), { key: spA }))).toEqual(
      uniformFailure,
    );
    expect(data.length).toBeGreaterThan(28);
  });

  it('CBC (opted in): bad padding and good padding over garbage fail alike', () => {
    const tree = cbc();
    const [wrapped] = cipherValues(tree);
    // Reuse the real wrapped key: decrypt it ourselves to craft chosen ciphertexts under it.
    const key = privateDecrypt(
      { key: privateKeyPem('sp-a'), padding: rsa.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      wrapped,
    );
    const encryptRaw = (blocks: Buffer) => {
      const iv = randomBytes(16);
      const cipher = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
      return Buffer.concat([iv, cipher.update(blocks), cipher.final()]);
    };
    const badPadding = Buffer.concat([Buffer.from('<a/>'), Buffer.alloc(12, 0x00)]); // last byte 0
    const notXml = Buffer.concat([Buffer.from('not xml at all'), Buffer.from([2, 2])]);
    const badUtf8 = Buffer.concat([Buffer.from([0xc3, 0x28, 0x3c, 0x61, 0x2f, 0x3e]), Buffer.alloc(10, 10)]);
    const options = { key: spA, unsafeAllowCbc: true };
    for (const [name, blocks] of [
      ['bad padding', badPadding],
      ['good padding, not XML', notXml],
      ['good padding, bad UTF-8', badUtf8],
    ] as const) {
      expect([
        name,
        failure(() => decryptElement(replaceCipherValue(tree, 1, encryptRaw(blocks)), options)),
      ]).toEqual([name, uniformFailure]);
    }
    // Arbitrary (non-PKCS#7) padding bytes are valid XML-Enc padding (xmlenc-core1 §5.2).
    const arbitrary = Buffer.concat([Buffer.from('<a>x</a>'), Buffer.from([9, 8, 7, 6, 5, 4, 3, 8])]);
    expect(decryptElement(replaceCipherValue(tree, 1, encryptRaw(arbitrary)), options)).toBe('<a>x</a>');
  });

  it('RSA PKCS#1 v1.5 (opted in): a broken key block fails like a wrong key (implicit rejection)', () => {
    const tree = rsa15();
    const [wrapped] = cipherValues(tree);
    const options = { key: spA, unsafeAllowRsa15: true };
    const flipped = Buffer.from(wrapped);
    flipped[5]! ^= 0xff;
    expect(failure(() => decryptElement(replaceCipherValue(tree, 0, flipped), options))).toEqual(
      uniformFailure,
    );
    expect(
      failure(() => decryptElement(encryptedDataOf(wrap(tree)), { ...options, key: keyPair('sp-b') })),
    ).toEqual(uniformFailure);
  });

  it('refuses a key without private part, a non-RSA key and no key at all', () => {
    const node = encryptedDataOf(wrap(gcm()));
    expect(codeOf(() => decryptElement(node, { key: certificate('sp-a') }))).toBe('SAML_KEY_INVALID');
    expect(codeOf(() => decryptElement(node, { key: keyPair('sp-ec') }))).toBe('SAML_KEY_INVALID');
    expect(codeOf(() => decryptElement(node, { key: [] }))).toBe('SAML_KEY_INVALID');
    expect(codeOf(() => decryptElement(node, { key: 'secret' }))).toBe('SAML_KEY_INVALID');
  });
});

// ---------------------------------------------------------------------------------------------

describe('structure checks when decrypting', () => {
  const tree = () => encryptElement(plaintext, { certificate: certificatePem('sp-a') });

  it('refuses malformed EncryptedData', () => {
    const edits: [string, (xml: string) => string][] = [
      ['Type #Content', (x) => x.replace('xmlenc#Element', 'xmlenc#Content')],
      ['no EncryptionMethod', (x) => x.replace(/<xenc:EncryptionMethod Algorithm="[^"]+gcm"\/>/, '')],
      [
        'CipherReference',
        (x) =>
          x.replace(
            /<xenc:CipherData><xenc:CipherValue>[^<]+<\/xenc:CipherValue><\/xenc:CipherData><\/xenc:EncryptedData>$/,
            '<xenc:CipherData><xenc:CipherReference URI="https://evil.example/x"/></xenc:CipherData></xenc:EncryptedData>',
          ),
      ],
      ['extra child', (x) => x.replace('</xenc:EncryptedData>', '<ds:Object/></xenc:EncryptedData>')],
      [
        'two CipherData',
        (x) =>
          x.replace(
            /(<xenc:CipherData><xenc:CipherValue>[^<]+<\/xenc:CipherValue><\/xenc:CipherData>)<\/xenc:EncryptedData>$/,
            '$1$1</xenc:EncryptedData>',
          ),
      ],
      ['no EncryptedKey', (x) => x.replace(/<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, '<ds:KeyInfo/>')],
      [
        'bad base64',
        (x) =>
          x.replace(
            /(<xenc:CipherValue>)([^<]+)(<\/xenc:CipherValue><\/xenc:CipherData><\/xenc:EncryptedData>)$/,
            '$1$2!$3',
          ),
      ],
      ['comment in CipherValue', (x) => x.replace('<xenc:CipherValue>', '<xenc:CipherValue><!--x-->')],
      [
        'wrong KeySize',
        (x) =>
          x.replace(
            /(Algorithm="[^"]+aes256-gcm")\/>/,
            '$1><xenc:KeySize>128</xenc:KeySize></xenc:EncryptionMethod>',
          ),
      ],
      [
        'RetrievalMethod to nowhere',
        (x) =>
          x.replace(
            /<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/,
            '<ds:KeyInfo><ds:RetrievalMethod URI="#missing" Type="http://www.w3.org/2001/04/xmlenc#EncryptedKey"/></ds:KeyInfo>',
          ),
      ],
    ];
    for (const [name, edit] of edits) {
      const node = edited(tree(), edit);
      expect([name, codeOf(() => decryptElement(node, { key: spA }))]).toEqual([
        name,
        'SAML_ENCRYPTED_DATA_INVALID',
      ]);
    }
  });

  it('a matching KeySize is accepted', () => {
    const node = edited(tree(), (x) =>
      x.replace(
        /(Algorithm="[^"]+aes256-gcm")\/>/,
        '$1><xenc:KeySize>256</xenc:KeySize></xenc:EncryptionMethod>',
      ),
    );
    expect(decryptElement(node, { key: spA })).toBe(plaintext);
  });

  it('refuses an element that is not xenc:EncryptedData', () => {
    const { root } = parseXml(wrap(tree()));
    expect(codeOf(() => decryptElement(root, { key: spA }))).toBe('SAML_ENCRYPTED_DATA_INVALID');
  });

  it('finds a sibling EncryptedKey through ds:RetrievalMethod (SAMLCore §2.2.4 layout)', () => {
    const xml = serialize(tree());
    const encryptedKey = /<xenc:EncryptedKey>[\s\S]*<\/xenc:EncryptedKey>/.exec(xml)![0];
    const data = xml.replace(
      /<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/,
      '<ds:KeyInfo><ds:RetrievalMethod URI="#_k1" Type="http://www.w3.org/2001/04/xmlenc#EncryptedKey"/></ds:KeyInfo>',
    );
    const sibling = encryptedKey.replace(
      '<xenc:EncryptedKey>',
      `<xenc:EncryptedKey xmlns:xenc="${namespaces.xenc}" xmlns:ds="${namespaces.ds}" Id="_k1">`,
    );
    const document = `<saml:EncryptedID xmlns:saml="${namespaces.saml}">${data}${sibling}</saml:EncryptedID>`;
    expect(decryptElement(encryptedDataOf(document), { key: spA })).toBe(plaintext);
    // Without KeyInfo the sibling EncryptedKeys are the candidates.
    const bare = document.replace(/<ds:KeyInfo>[\s\S]*?<\/ds:KeyInfo>/, '');
    expect(decryptElement(encryptedDataOf(bare), { key: spA })).toBe(plaintext);
  });

  it('skips EncryptedKeys addressed to another recipient', () => {
    const forA = encryptElement(plaintext, {
      certificate: certificatePem('sp-a'),
      recipient: 'https://sp-a.example',
    });
    const node = encryptedDataOf(wrap(forA));
    expect(decryptElement(node, { key: spA, recipient: 'https://sp-a.example' })).toBe(plaintext);
    expect(codeOf(() => decryptElement(node, { key: spA, recipient: 'https://sp-b.example' }))).toBe(
      'SAML_ENCRYPTED_DATA_INVALID',
    );
  });

  it('a plaintext that is not one well-formed element is a decryption failure', () => {
    for (const bad of ['<a>', '<a/><b/>', '<!DOCTYPE a><a/>']) {
      const node = encryptedDataOf(wrap(encryptElement(bad, { certificate: certificatePem('sp-a') })));
      expect([bad, failure(() => decryptElement(node, { key: spA }))]).toEqual([bad, uniformFailure]);
    }
  });
});

describe('regression: RSA keys too small for the key transport', () => {
  // openssl writes the small test certificates; samlkit's own generator makes only 2048-bit RSA.
  const smallCertificate = (bits: number): string => {
    const dir = mkdtempSync(join(tmpdir(), 'samlkit-small-rsa-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          `rsa:${bits}`,
          '-nodes',
          '-subj',
          '/CN=small',
          '-days',
          '1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      return readFileSync(join(dir, 'cert.pem'), 'utf8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('refuses with SAML_KEY_INVALID instead of wrapping a key the SP can never unwrap (OAEP SHA-512, 1024-bit)', () => {
    const certificate1024 = smallCertificate(1024);
    expect(
      codeOf(() =>
        encryptElement(plaintext, {
          certificate: certificate1024,
          keyTransport: keyTransportAlgorithms.rsaOaep,
          oaepDigest: digestAlgorithms.sha512,
        }),
      ),
    ).toBe('SAML_KEY_INVALID');
    // The same certificate with the default transport still works: the content key fits.
    expect(codeOf(() => encryptElement(plaintext, { certificate: certificate1024 }))).toBe('no error');
  });

  it('turns every key-transport failure into a SamlError (512-bit RSA)', () => {
    const certificate512 = smallCertificate(512);
    expect(codeOf(() => encryptElement(plaintext, { certificate: certificate512 }))).toBe('SAML_KEY_INVALID');
    expect(
      codeOf(() =>
        encryptElement(plaintext, {
          certificate: certificate512,
          keyTransport: keyTransportAlgorithms.rsaOaep,
        }),
      ),
    ).toBe('SAML_KEY_INVALID');
  });
});
