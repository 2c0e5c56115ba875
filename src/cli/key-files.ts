import { readFileSync } from 'node:fs';
import { type KeyPair, loadKeyPair } from '../crypto/index.js';
import { SamlError } from '../errors/index.js';

/** Reads the PEM file an option names. Keys never travel on the command line, where `ps` shows them. */
export function readPemOption(option: string, value: string): string {
  try {
    return readFileSync(value, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'EIO';
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'cannot be read';
    throw Object.assign(new Error(`--${option} ${value}: ${reason}`, { cause }), { code });
  }
}

const certificateBlock = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Loads every certificate of the `--cert` options: each names a PEM file
 * holding one or more certificates. A file with none is an error.
 */
export function loadTrustedCertificates(values: readonly string[]): KeyPair[] {
  const pairs: KeyPair[] = [];
  for (const value of values) {
    const text = readPemOption('cert', value);
    const blocks = text.match(certificateBlock) ?? [];
    if (blocks.length === 0) {
      throw new SamlError('SAML_KEY_INVALID', `--cert ${value}: no PEM certificate found`);
    }
    for (const block of blocks) pairs.push(loadKeyPair({ certificate: block }));
  }
  return pairs;
}

/** Loads the signing pair of `--key` and `--cert`; loadKeyPair checks that they match. */
export function loadSigningKey(keyValue: string, certificateValue: string): KeyPair {
  return loadKeyPair({
    certificate: readPemOption('cert', certificateValue),
    privateKey: readPemOption('key', keyValue),
  });
}
