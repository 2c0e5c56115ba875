import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// `npm test` builds before running vitest; this checks what a user installs.
const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const expected = [
  'SamlError',
  'isSamlError',
  'parseProvider',
  'parseDuration',
  'loadKeyPair',
  'idpEndpoints',
  'buildLogoutRequest',
  'buildLogoutResponse',
  'parseLogoutRequest',
  'parseLogoutResponse',
  'encodeRedirect',
  'receiveRedirect',
  'encodePost',
  'receivePost',
  'encodeSoap',
  'receiveSoap',
];

describe('built package', () => {
  it('has every file the exports map names', () => {
    const entry = pkg.exports['.'];
    for (const target of [
      entry.import.types,
      entry.import.default,
      entry.require.types,
      entry.require.default,
    ]) {
      expect(existsSync(new URL(target, root)), target).toBe(true);
    }
  });

  it('imports as ESM with every public function', async () => {
    const esm = await import(new URL(pkg.exports['.'].import.default, root).href);
    for (const name of expected) expect(typeof esm[name], name).toBe('function');
  });

  it('requires as CJS with every public function', () => {
    const require = createRequire(new URL('package.json', root));
    const cjs = require(new URL(pkg.exports['.'].require.default, root).pathname);
    for (const name of expected) expect(typeof cjs[name], name).toBe('function');
  });

  it('ships every executable package.json "bin" names, with a node shebang', () => {
    const bins = Object.values(pkg.bin as Record<string, string>);
    expect(bins.length).toBeGreaterThan(0);
    for (const target of bins) {
      expect(
        pkg.files.some((entry: string) => target.replace(/^\.\//, '').startsWith(`${entry}/`)),
        target,
      ).toBe(true);
      expect(readFileSync(new URL(target, root), 'utf8').startsWith('#!/usr/bin/env node\n'), target).toBe(
        true,
      );
    }
  });

  it('keeps zod types out of the public declarations', () => {
    for (const file of ['dist/index.d.ts', 'dist/index.d.cts']) {
      expect(readFileSync(new URL(file, root), 'utf8')).not.toMatch(/from ['"]zod['"]|Zod[A-Z]/);
    }
  });
});
