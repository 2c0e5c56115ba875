import { createHash, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSelfSignedCertificate } from '../../src/crypto/index.js';
import { buildLogoutRequest, encodePost, isSamlError, loadKeyPair, receivePost } from '../../src/index.js';
import { externalTool, runTool, withTempDir, xmlsecVerify } from '../support/xmlsec.js';

const now = new Date('2026-04-20T10:00:00.750Z');
const rsa = createSelfSignedCertificate({ keyType: 'rsa', commonName: 'samlkit test RSA', now });
const ec = createSelfSignedCertificate({ keyType: 'ec', commonName: 'samlkit test EC', validDays: 30, now });
const cases = [
  { name: 'RSA-2048', made: rsa, keyType: 'rsa', keySize: 2048, cn: 'samlkit test RSA', days: 365 },
  { name: 'P-256', made: ec, keyType: 'ec', keySize: 256, cn: 'samlkit test EC', days: 30 },
] as const;

/** The subjectPublicKey bits, derived without samlkit's DER reader: PKCS#1 for RSA, the EC point for P-256. */
function publicKeyBits(certificate: X509Certificate): Buffer {
  const key = certificate.publicKey;
  if (key.asymmetricKeyType === 'rsa') return key.export({ type: 'pkcs1', format: 'der' });
  const spki = key.export({ type: 'spki', format: 'der' });
  return spki.subarray(spki.length - 65); // uncompressed P-256 point: 0x04 || X || Y
}

const colonHex = (bytes: Buffer) => (bytes.toString('hex').toUpperCase().match(/../g) ?? []).join(':');

describe.each(cases)('self-signed certificate, $name', ({ made, keyType, keySize, cn, days }) => {
  const certificate = new X509Certificate(made.certificatePem);

  it('is a PEM certificate that node:crypto parses, self-issued and self-signed', () => {
    expect(made.certificatePem).toMatch(
      /^-----BEGIN CERTIFICATE-----\n(?:[A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/,
    );
    expect(made.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(certificate.subject).toBe(`CN=${cn}`);
    expect(certificate.issuer).toBe(`CN=${cn}`);
    expect(certificate.checkIssued(certificate)).toBe(true);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.ca).toBe(true);
    expect(certificate.publicKey.asymmetricKeyType).toBe(keyType);
  });

  it('has the requested validity, to the second', () => {
    expect(new Date(certificate.validFrom).toISOString()).toBe('2026-04-20T10:00:00.000Z');
    expect(new Date(certificate.validTo).getTime() - new Date(certificate.validFrom).getTime()).toBe(
      days * 86_400_000,
    );
  });

  it('has a positive serial number of at most 20 octets', () => {
    expect(certificate.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
  });

  it('loads with loadKeyPair, private key matching', () => {
    const pair = loadKeyPair({ certificate: made.certificatePem, privateKey: made.privateKeyPem });
    expect(pair).toMatchObject({ keyType, keySize, hasPrivateKey: true, subject: `CN=${cn}` });
    expect(pair.fingerprintSha256).toBe(certificate.fingerprint256);
  });

  it('signs messages that samlkit and xmlsec1 verify with the certificate alone', () => {
    const key = loadKeyPair({ certificate: made.certificatePem, privateKey: made.privateKeyPem });
    const { xml } = buildLogoutRequest({
      issuer: 'https://idp.example.com/metadata',
      destination: 'https://sp.example.com/slo',
      nameId: { value: 'alice@example.com' },
    });
    const form = encodePost({
      type: 'SAMLRequest',
      xml,
      destination: 'https://sp.example.com/slo',
      sign: { key },
    });
    expect(receivePost(form.fields, { trust: [made.certificatePem] }).signed).toBe(true);
    let refused: unknown;
    try {
      receivePost(form.fields, { trust: [(keyType === 'rsa' ? ec : rsa).certificatePem] });
    } catch (error) {
      refused = error;
    }
    expect(isSamlError(refused, 'SAML_SIGNATURE_INVALID')).toBe(true);
    if (externalTool('xmlsec1', 'xmlsec1')) {
      const result = xmlsecVerify(form.xml, made.certificatePem, ['LogoutRequest']);
      expect(result.ok, result.output).toBe(true);
    }
  });

  const openssl = externalTool('openssl', 'openssl');
  it.skipIf(!openssl)('openssl parses it as X.509 v3 with the expected extensions and verifies it', () => {
    withTempDir((dir) => {
      const file = join(dir, 'cert.pem');
      writeFileSync(file, made.certificatePem);
      const text = runTool(openssl!, ['x509', '-in', file, '-noout', '-text'], dir);
      expect(text.ok, text.output).toBe(true);
      expect(text.output).toMatch(/Version: 3 \(0x2\)/);
      expect(text.output).toContain(
        keyType === 'rsa'
          ? 'Signature Algorithm: sha256WithRSAEncryption'
          : 'Signature Algorithm: ecdsa-with-SHA256',
      );
      expect(text.output).toContain(keyType === 'rsa' ? 'Public-Key: (2048 bit)' : 'ASN1 OID: prime256v1');
      expect(text.output).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
      expect(text.output).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign/);
      // RFC 5280 §4.2.1.2 method (1), computed here independently of the encoder's DER reader.
      const keyId = colonHex(createHash('sha1').update(publicKeyBits(certificate)).digest());
      expect(text.output).toMatch(new RegExp(`X509v3 Subject Key Identifier:\\s+${keyId}`));
      expect(text.output).toMatch(new RegExp(`X509v3 Authority Key Identifier:\\s+(keyid:)?${keyId}`));
      const verified = runTool(
        openssl!,
        ['verify', '-attime', String(Math.floor(now.getTime() / 1000) + 60), '-CAfile', file, file],
        dir,
      );
      expect(verified.output).toContain(': OK');
      expect(verified.ok, verified.output).toBe(true);
      // The key openssl reads is the one in the certificate.
      const keyFile = join(dir, 'key.pem');
      writeFileSync(keyFile, made.privateKeyPem);
      const fromKey = runTool(openssl!, ['pkey', '-in', keyFile, '-pubout'], dir);
      const fromCertificate = runTool(openssl!, ['x509', '-in', file, '-noout', '-pubkey'], dir);
      expect(fromKey.output).toBe(fromCertificate.output);
    });
  });
});

describe('self-signed certificate input', () => {
  it('defaults to RSA-2048 valid for 365 days', () => {
    const made = createSelfSignedCertificate();
    const certificate = new X509Certificate(made.certificatePem);
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(certificate.subject).toBe('CN=samlkit self-signed');
  });

  it('gives each certificate its own key and serial number', () => {
    const again = createSelfSignedCertificate({
      keyType: 'ec',
      commonName: 'samlkit test EC',
      validDays: 30,
      now,
    });
    expect(new X509Certificate(again.certificatePem).serialNumber).not.toBe(
      new X509Certificate(ec.certificatePem).serialNumber,
    );
    expect(again.privateKeyPem).not.toBe(ec.privateKeyPem);
  });

  it('writes validity from 2050 as GeneralizedTime', () => {
    const made = createSelfSignedCertificate({ keyType: 'ec', now: new Date('2049-06-01T00:00:00Z') });
    expect(new Date(new X509Certificate(made.certificatePem).validTo).toISOString()).toBe(
      '2050-06-01T00:00:00.000Z',
    );
  });

  it.each([
    [{ commonName: '' }, 'commonName'],
    [{ commonName: 'x'.repeat(65) }, 'commonName'],
    [{ commonName: 'a\nb' }, 'commonName'],
    [{ validDays: 0 }, 'validDays'],
    [{ validDays: 1.5 }, 'validDays'],
    [{ validDays: 40_000 }, 'validDays'],
    [{ keyType: 'dsa' as 'rsa' }, 'keyType'],
    [{ now: new Date(Number.NaN) }, 'now'],
  ])('refuses %o with SAML_INPUT_INVALID naming %s', (input, field) => {
    let thrown: unknown;
    try {
      createSelfSignedCertificate(input);
    } catch (error) {
      thrown = error;
    }
    expect(isSamlError(thrown, 'SAML_INPUT_INVALID')).toBe(true);
    expect(
      (thrown as { details: { issues: { path: string[] }[] } }).details.issues.map((i) => i.path[0]),
    ).toEqual([field]);
  });
});
