/**
 * Certificates of an imported aggregate are read from their DER and their public key imported on
 * first use (loadCertificateDeferred): every field must equal what loadKeyPair reads, and the
 * deferred key must verify signatures like the loaded one.
 */
import { sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadCertificateDeferred } from '../../src/crypto/deferred-certificate.js';
import { keyObjectsOf } from '../../src/crypto/keys.js';
import { verifyBytes } from '../../src/crypto/primitives.js';
import { loadKeyPair, signatureAlgorithms } from '../../src/index.js';
import { expectCode } from '../support/errors.js';
import { certificatePem, privateKeyPem } from '../support/keys.js';

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
