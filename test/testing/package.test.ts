import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { hasXmllint } from '../../src/testing/index.js';
import { sampleLogoutRequest } from '../support/messages.js';

// `npm test` builds before running vitest; this checks the `samlkit/testing` a user installs.
const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const names = [
  'select',
  'selectText',
  'evaluate',
  'decodeMessage',
  'normalizeXml',
  'signedParts',
  'assertSigned',
];

describe('the built samlkit/testing entry point', () => {
  const entry = pkg.exports['./testing'];

  it('is in the exports map, with the schemas it validates against in the package files', () => {
    for (const target of [
      entry.import.types,
      entry.import.default,
      entry.require.types,
      entry.require.default,
    ]) {
      expect(existsSync(new URL(target, root)), target).toBe(true);
    }
    expect(pkg.files).toContain('fixtures/schemas');
    expect(existsSync(new URL('fixtures/schemas/saml-schema-protocol-2.0.xsd', root))).toBe(true);
  });

  it.skipIf(!hasXmllint())('finds the shipped schemas from dist/, as ESM and as CJS', async () => {
    const esm = await import(new URL(entry.import.default, root).href);
    const cjs = createRequire(new URL('package.json', root))(new URL(entry.require.default, root).pathname);
    const { xml } = sampleLogoutRequest();
    for (const testing of [esm, cjs]) {
      for (const name of names) expect(typeof testing[name], name).toBe('function');
      const report = testing.validateSchema(xml);
      expect(report).toMatchObject({ valid: true, errors: [] });
      expect(report.schema).toBe(new URL('fixtures/schemas/saml-schema-protocol-2.0.xsd', root).pathname);
    }
  });
});
