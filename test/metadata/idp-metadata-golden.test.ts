/**
 * Byte-exact golden files of buildIdpMetadata with fixed inputs (the fixture
 * RSA key signs deterministically). Regenerate with
 * `npx vitest run test/metadata/idp-metadata-golden.test.ts -u` and review the diff.
 */
import { describe, expect, it } from 'vitest';
import { type BuildIdpMetadataInput, buildIdpMetadata, idpEndpoints } from '../../src/index.js';
import { certificatePem, keyPair } from '../support/keys.js';

const endpoints = {
  ...idpEndpoints('https://idp.example.com', 'wiki'),
  sloSoap: 'https://idp.example.com/application/saml/wiki/slo/binding/soap/',
};
const base: BuildIdpMetadataInput = {
  entityId: endpoints.metadata,
  endpoints,
  signingCertificates: [keyPair('idp'), certificatePem('idp-rollover')],
  encryptionCertificates: [keyPair('idp')],
  validUntil: new Date('2030-01-01T00:00:00Z'),
};

function golden(file: string): string {
  return `../../fixtures/golden/metadata/${file}`;
}

describe('buildIdpMetadata golden files', () => {
  it('unsigned, no extension options: the default algorithm hints', async () => {
    await expect(buildIdpMetadata(base).xml).toMatchFileSnapshot(golden('idp-unsigned.xml'));
  });

  it('signed (RSA-SHA256), no extension options: the default algorithm hints', async () => {
    const { xml } = buildIdpMetadata({ ...base, id: '_metadata-1', sign: { key: keyPair('idp') } });
    await expect(xml).toMatchFileSnapshot(golden('idp-signed.xml'));
  });

  // The *-no-hints files hold the bytes buildIdpMetadata wrote before it published algorithm
  // hints: with the hints turned off, the output has not moved by a byte.
  it('algorithmSupport: false gives the output of the release without hints, byte for byte', async () => {
    const unsigned = buildIdpMetadata({ ...base, algorithmSupport: false }).xml;
    await expect(unsigned).toMatchFileSnapshot(golden('idp-unsigned-no-hints.xml'));
    const signed = buildIdpMetadata({
      ...base,
      algorithmSupport: false,
      id: '_metadata-1',
      sign: { key: keyPair('idp') },
    }).xml;
    await expect(signed).toMatchFileSnapshot(golden('idp-signed-no-hints.xml'));
  });

  it('the default output is the output without hints plus the alg namespace and one md:Extensions', () => {
    const withHints = buildIdpMetadata(base).xml;
    const without = buildIdpMetadata({ ...base, algorithmSupport: false }).xml;
    const stripped = withHints
      .replace(' xmlns:alg="urn:oasis:names:tc:SAML:metadata:algsupport"', '')
      .replace(/<md:Extensions>(<alg:[^>]+\/>)+<\/md:Extensions>/, '');
    expect(stripped).toBe(without);
  });
});
