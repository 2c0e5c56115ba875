/**
 * Certificates of an imported aggregate are read from their DER and their public key imported on
 * first use (loadCertificateDeferred): every field must equal what loadKeyPair reads, and the
 * deferred key must verify signatures like the loaded one.
 */
import { sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCertificateDeferred } from '../../src/crypto/deferred-certificate.js';
import { keyObjectsOf } from '../../src/crypto/keys.js';
import { verifyBytes } from '../../src/crypto/primitives.js';
import { isSamlError, loadKeyPair, signatureAlgorithms } from '../../src/index.js';
import { readKeyDescriptors } from '../../src/metadata/sp-metadata.js';
import { parseXml } from '../../src/xml/parse.js';
import { expectCode } from '../support/errors.js';
import { certificatePem, keyPair, privateKeyPem } from '../support/keys.js';

const names = [
  'idp',
  'sp-a',
  'sp-b',
  'evil',
  'sp-rsa-1024',
  'idp-ec-p-256',
  'idp-ec-p-384',
  'idp-ec-p-521',
  'sp-ec',
];

describe('loadCertificateDeferred', () => {
  it.each(names)('reads %s as loadKeyPair does', (name) => {
    const loaded = loadKeyPair({ certificate: certificatePem(name) });
    const deferred = loadCertificateDeferred(certificatePem(name));
    expect({ ...deferred }).toEqual({ ...loaded });
  });

  it('verifies with a key imported on first use', () => {
    const data = Buffer.from('signed bytes');
    const signature = sign('sha256', data, privateKeyPem('sp-a'));
    const deferred = loadCertificateDeferred(certificatePem('sp-a'));
    expect(verifyBytes(deferred, signatureAlgorithms.rsaSha256, data, signature)).toBe(true);
    expect(keyObjectsOf(deferred).publicKey.asymmetricKeyType).toBe('rsa');
    const other = loadCertificateDeferred(certificatePem('sp-b'));
    expect(verifyBytes(other, signatureAlgorithms.rsaSha256, data, signature)).toBe(false);
  });

  it('loads other key types at once, and refuses what is no certificate', () => {
    expectCode(() => loadCertificateDeferred(certificatePem('ed25519')), 'SAML_KEY_INVALID');
    const der = Buffer.from(certificatePem('sp-a').replace(/-----[^-]+-----|\s+/g, ''), 'base64');
    expectCode(
      () => loadCertificateDeferred(der.subarray(0, der.length - 10).toString('base64')),
      'SAML_KEY_INVALID',
    );
    expectCode(
      () => loadCertificateDeferred(Buffer.from('not a certificate').toString('base64')),
      'SAML_KEY_INVALID',
    );
  });
});

describe('a damaged certificate', () => {
  it('is read as loadKeyPair reads it, or refused with SAML_KEY_INVALID, wherever it is damaged', () => {
    const der = Buffer.from(certificatePem('sp-a').replace(/-----[^-]+-----|\s+/g, ''), 'base64');
    fc.assert(
      fc.property(
        fc.nat(der.length - 1),
        fc.integer({ min: 0, max: 255 }),
        // Whole, most of the time: a changed byte inside a complete certificate.
        fc.oneof(fc.constant(der.length), fc.constant(der.length), fc.nat(der.length)),
        (at, byte, cut) => {
          const damaged = Buffer.from(der);
          damaged[at] = byte;
          const text = damaged.subarray(0, Math.max(cut, 4)).toString('base64');
          let deferred: ReturnType<typeof loadCertificateDeferred>;
          try {
            deferred = loadCertificateDeferred(text);
          } catch (error) {
            expect(isSamlError(error) && error.code).toBe('SAML_KEY_INVALID');
            return;
          }
          // The key is imported on first use: it is there, or refused as SAML_KEY_INVALID.
          try {
            keyObjectsOf(deferred);
          } catch (error) {
            expect(isSamlError(error) && error.code).toBe('SAML_KEY_INVALID');
          }
          // What the DER reader let through, OpenSSL reads the same way.
          let loaded: ReturnType<typeof loadKeyPair>;
          try {
            loaded = loadKeyPair({ certificate: text });
          } catch {
            return;
          }
          expect([deferred.keyType, deferred.keySize]).toEqual([loaded.keyType, loaded.keySize]);
        },
      ),
      { numRuns: 600 },
    );
  });
});

describe('a deferred certificate as data', () => {
  it('shows the same keys and values as a loaded one to keys, JSON and structuredClone', () => {
    for (const name of ['sp-a', 'idp-ec-p-256']) {
      const loaded = loadKeyPair({ certificate: certificatePem(name) });
      // Bare base64 across lines, as ds:X509Certificate carries it.
      const body = certificatePem(name)
        .replace(/-----[^-]+-----/g, '')
        .trim();
      const deferred = loadCertificateDeferred(`\n  ${body.replace(/\n/g, '\n  ')}\n`);
      expect(Object.keys(deferred)).toEqual(Object.keys(loaded));
      expect(JSON.parse(JSON.stringify(deferred))).toEqual(JSON.parse(JSON.stringify(loaded)));
      expect(structuredClone(deferred)).toEqual(structuredClone(loaded));
      expect(Object.isFrozen(deferred)).toBe(true);
      expect(deferred.certificatePem).toBe(loaded.certificatePem);
      expect(deferred.certificatePem).toBe(deferred.certificatePem);
      expect(deferred.certificateBase64).toBe(loaded.certificateBase64);
      expect(deferred.fingerprintSha256).toBe(loaded.fingerprintSha256);
      expect(deferred.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    }
  });
});

describe('readKeyDescriptors with deferred certificates', () => {
  it('merges the same certificate written twice, however its base64 is wrapped', () => {
    const body = (name: string) => certificatePem(name).replace(/-----[^-]+-----|\s+/g, '');
    const wrapped = body('sp-a').replace(/(.{76})/g, '$1\n');
    const keyDescriptor = (use: string, text: string) =>
      `<md:KeyDescriptor${use}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${text}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
    const xml = `<md:SPSSODescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${keyDescriptor(' use="signing"', body('sp-a'))}${keyDescriptor('', wrapped)}${keyDescriptor(' use="encryption"', body('sp-b'))}</md:SPSSODescriptor>`;
    const keys = readKeyDescriptors(parseXml(xml).root, { loadCertificate: loadCertificateDeferred });
    expect(keys.signing.map((k) => k.fingerprintSha256)).toEqual([keyPair('sp-a').fingerprintSha256]);
    expect(keys.encryption.map((k) => k.fingerprintSha256)).toEqual([
      keyPair('sp-a').fingerprintSha256,
      keyPair('sp-b').fingerprintSha256,
    ]);
  });
});
