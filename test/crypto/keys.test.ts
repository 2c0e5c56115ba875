import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKeyPair, readCertificateDer } from '../../src/crypto/keys.js';
import { isSamlError, type KeyPairInput, loadKeyPair } from '../../src/index.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url), 'utf8');
}

function pemBody(pem: string): string {
  return pem
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(/\s+/g, '')
    .trim();
}

/** Runs `fn`, expecting SAML_KEY_INVALID, and returns the message. */
function keyError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isSamlError(error, 'SAML_KEY_INVALID')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected SAML_KEY_INVALID');
}

describe('loadKeyPair', () => {
  it('loads an RSA-2048 certificate with its private key', () => {
    const pair = loadKeyPair({ certificate: fixture('idp.crt'), privateKey: fixture('idp.key') });
    expect(pair.keyType).toBe('rsa');
    expect(pair.keySize).toBe(2048);
    expect(pair.curve).toBeUndefined();
    expect(pair.hasPrivateKey).toBe(true);
    expect(pair.subject).toContain('CN=idp.samlkit.test');
    expect(isKeyPair(pair)).toBe(true);
    expect(Object.isFrozen(pair)).toBe(true);
  });

  it.each([
    ['idp-ec-p-256', 'P-256', 256],
    ['idp-ec-p-384', 'P-384', 384],
    ['idp-ec-p-521', 'P-521', 521],
    ['sp-ec', 'P-256', 256],
  ] as const)('loads the EC pair %s', (name, curve, size) => {
    const pair = loadKeyPair({ certificate: fixture(`${name}.crt`), privateKey: fixture(`${name}.key`) });
    expect(pair.keyType).toBe('ec');
    expect(pair.curve).toBe(curve);
    expect(pair.keySize).toBe(size);
    expect(pair.hasPrivateKey).toBe(true);
  });

  it('loads a certificate alone as a verification-only pair', () => {
    const pair = loadKeyPair({ certificate: fixture('sp-a.crt') });
    expect(pair.hasPrivateKey).toBe(false);
    expect(pair.keyType).toBe('rsa');
  });

  it('loads a bare base64 DER certificate, with or without line breaks', () => {
    const body = pemBody(fixture('sp-a.crt'));
    const fromPem = loadKeyPair({ certificate: fixture('sp-a.crt') });
    const fromBase64 = loadKeyPair({ certificate: body });
    const wrapped = loadKeyPair({ certificate: body.replace(/.{1,64}/g, '$&\n') });
    expect(fromBase64.fingerprintSha256).toBe(fromPem.fingerprintSha256);
    expect(wrapped.fingerprintSha256).toBe(fromPem.fingerprintSha256);
    expect(fromBase64.certificateBase64).toBe(body);
  });

  it('normalizes the certificate to 64-column PEM and base64 DER', () => {
    const pair = loadKeyPair({ certificate: pemBody(fixture('idp.crt')) });
    expect(pair.certificatePem.startsWith('-----BEGIN CERTIFICATE-----\n')).toBe(true);
    expect(pair.certificatePem.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
    for (const line of pair.certificatePem.trim().split('\n').slice(1, -1)) {
      expect(line.length).toBeLessThanOrEqual(64);
    }
    expect(pair.certificateBase64).toBe(pemBody(fixture('idp.crt')));
  });

  it('decrypts an encrypted PKCS#8 key with the right passphrase', () => {
    const pair = loadKeyPair({
      certificate: fixture('sp-a.crt'),
      privateKey: fixture('sp-a-encrypted.key'),
      passphrase: 'correct-horse',
    });
    expect(pair.hasPrivateKey).toBe(true);
  });

  it('refuses an encrypted key without a passphrase', () => {
    const message = keyError(() =>
      loadKeyPair({ certificate: fixture('sp-a.crt'), privateKey: fixture('sp-a-encrypted.key') }),
    );
    expect(message).toMatch(/passphrase/);
  });

  it('refuses an encrypted key with a wrong passphrase', () => {
    const message = keyError(() =>
      loadKeyPair({
        certificate: fixture('sp-a.crt'),
        privateKey: fixture('sp-a-encrypted.key'),
        passphrase: 'battery-staple',
      }),
    );
    expect(message).toMatch(/decrypted/);
  });

  it('refuses a private key that does not match the certificate', () => {
    const message = keyError(() =>
      loadKeyPair({ certificate: fixture('sp-b.crt'), privateKey: fixture('sp-a.key') }),
    );
    expect(message).toMatch(/does not match/);
  });

  it('refuses an EC key paired with an RSA certificate', () => {
    keyError(() => loadKeyPair({ certificate: fixture('sp-a.crt'), privateKey: fixture('sp-ec.key') }));
  });

  it.each([
    ['empty', ''],
    ['not base64', 'this is not a certificate'],
    ['truncated PEM', fixture('idp.crt').slice(0, 200)],
    ['base64 that is not DER', Buffer.from('hello world, not a certificate').toString('base64')],
    ['a private key', fixture('idp.key')],
  ])('refuses garbage certificate input: %s', (_label, certificate) => {
    keyError(() => loadKeyPair({ certificate }));
  });

  it('refuses a private key that is not PEM', () => {
    keyError(() => loadKeyPair({ certificate: fixture('idp.crt'), privateKey: 'not a key' }));
  });

  it('refuses a PEM private key with a corrupted body', () => {
    const broken = fixture('idp.key').replace(/[A-Za-z]{10}/, 'AAAAAAAAAA');
    keyError(() => loadKeyPair({ certificate: fixture('idp.crt'), privateKey: broken }));
  });

  it('refuses input that is not an object with a certificate string', () => {
    keyError(() => loadKeyPair(null as unknown as KeyPairInput));
    keyError(() => loadKeyPair({ certificate: 42 } as unknown as KeyPairInput));
  });

  it('refuses Ed25519 as unsupported for SAML signatures', () => {
    const message = keyError(() => loadKeyPair({ certificate: fixture('ed25519.crt') }));
    expect(message).toMatch(/not supported/);
    keyError(() => loadKeyPair({ certificate: fixture('ed25519.crt'), privateKey: fixture('ed25519.key') }));
  });

  it('formats the SHA-256 fingerprint like `openssl x509 -fingerprint -sha256`', () => {
    const pair = loadKeyPair({ certificate: fixture('idp.crt') });
    // Output of: openssl x509 -in fixtures/keys/idp.crt -noout -fingerprint -sha256
    expect(pair.fingerprintSha256).toBe(
      '50:DF:FA:04:03:AD:CE:93:6F:83:14:AC:9E:2B:ED:BA:DB:CF:57:84:C7:31:61:6A:E9:A1:F6:D7:09:C5:4A:6E',
    );
    expect(pair.fingerprintSha256).toMatch(/^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const digest = createHash('sha256').update(Buffer.from(pair.certificateBase64, 'base64')).digest('hex');
    expect(pair.fingerprintSha256.replaceAll(':', '').toLowerCase()).toBe(digest);
  });

  it('exposes notBefore and notAfter as valid Dates', () => {
    const pair = loadKeyPair({ certificate: fixture('idp.crt') });
    expect(pair.notBefore).toBeInstanceOf(Date);
    expect(pair.notAfter).toBeInstanceOf(Date);
    expect(Number.isNaN(pair.notBefore.getTime())).toBe(false);
    expect(pair.notAfter.getTime()).toBeGreaterThan(pair.notBefore.getTime());
    // openssl: notBefore=Nov 22 23:46:14 2026 GMT, notAfter=Oct 29 23:46:14 2126 GMT
    expect(pair.notBefore.toISOString()).toBe('2026-11-22T23:46:14.000Z');
    expect(pair.notAfter.toISOString()).toBe('2126-10-29T23:46:14.000Z');
  });

  it('gives distinct pairs distinct fingerprints', () => {
    const a = loadKeyPair({ certificate: fixture('sp-a.crt') });
    const b = loadKeyPair({ certificate: fixture('sp-b.crt') });
    expect(a.fingerprintSha256).not.toBe(b.fingerprintSha256);
  });
});

describe('loadKeyPair from file bytes', () => {
  it('takes the Buffers readFileSync returns without an encoding, PEM or DER', () => {
    const certificatePath = new URL('../../fixtures/keys/idp.crt', import.meta.url);
    const keyPath = new URL('../../fixtures/keys/idp.key', import.meta.url);
    const fromText = loadKeyPair({
      certificate: readFileSync(certificatePath, 'utf8'),
      privateKey: readFileSync(keyPath, 'utf8'),
    });
    const fromBytes = loadKeyPair({
      certificate: readFileSync(certificatePath),
      privateKey: readFileSync(keyPath),
    });
    expect(fromBytes.fingerprintSha256).toBe(fromText.fingerprintSha256);
    expect(fromBytes.hasPrivateKey).toBe(true);
    const der = new X509Certificate(readFileSync(certificatePath)).raw;
    expect(loadKeyPair({ certificate: new Uint8Array(der) }).fingerprintSha256).toBe(
      fromText.fingerprintSha256,
    );
  });
});

describe('readCertificateDer', () => {
  // The rule as first written (strip all white space, then one strict pattern): the one-pass
  // check for wrapped base64 must accept and decode exactly what it does.
  function reference(text: string): string {
    const trimmed = text.trim();
    const pem = /^-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----\s*$/.exec(
      trimmed,
    );
    const compact = (pem ? pem[1]! : trimmed).replace(/\s+/g, '');
    if (compact.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) {
      return 'refused';
    }
    return Buffer.from(compact, 'base64').toString('hex');
  }
  function ours(text: string): string {
    try {
      return readCertificateDer(text).toString('hex');
    } catch (error) {
      if (isSamlError(error) && error.code === 'SAML_KEY_INVALID') return 'refused';
      throw error;
    }
  }
  const pieces = [
    'QUJD',
    'A',
    'b',
    '0',
    '+',
    '/',
    '=',
    '==',
    ' ',
    '\n',
    '\r\n',
    '\t',
    '\v',
    '\f',
    '\u00a0',
    '\u2028',
    '-',
    '*',
  ];

  it('accepts and decodes what the general rule does, white space anywhere', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 24 }), (parts) => {
        const text = parts.join('');
        expect(ours(text)).toBe(reference(text));
        const pem = `-----BEGIN CERTIFICATE-----\n${text}\n-----END CERTIFICATE-----\n`;
        expect(ours(pem)).toBe(reference(pem));
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes a certificate wrapped as metadata wraps it', () => {
    const pem = readFileSync(new URL('../../fixtures/keys/sp-a.crt', import.meta.url), 'utf8');
    const body = pem.replace(/-----[^-]+-----|\s+/g, '');
    const der = new X509Certificate(pem).raw.toString('hex');
    for (const text of [
      body,
      body.replace(/(.{64})/g, '$1\n      '),
      `\n\t${body.replace(/(.{76})/g, '$1\r\n')}\n`,
    ]) {
      expect(readCertificateDer(text).toString('hex')).toBe(der);
    }
    expect(ours(`${body.slice(0, -4)}=${body.slice(-3)}`)).toBe('refused');
  });
});
