import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type KeyPair, loadKeyPair } from '../../src/index.js';

export const fixturesDir = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export function readFixture(path: string): string {
  return readFileSync(fixturesDir + path, 'utf8');
}

const cache = new Map<string, KeyPair>();

/** A fixture key pair by name (`idp`, `sp-a`, `idp-ec-p-256`, …), with its private key. */
export function keyPair(name: string): KeyPair {
  let pair = cache.get(name);
  if (!pair) {
    pair = loadKeyPair({
      certificate: readFixture(`keys/${name}.crt`),
      privateKey: readFixture(`keys/${name}.key`),
    });
    cache.set(name, pair);
  }
  return pair;
}

/** The certificate-only pair of a fixture. */
export function certificate(name: string): KeyPair {
  return loadKeyPair({ certificate: readFixture(`keys/${name}.crt`) });
}

export function privateKeyPem(name: string): string {
  return readFixture(`keys/${name}.key`);
}

export function certificatePem(name: string): string {
  return readFixture(`keys/${name}.crt`);
}
