/**
 * One URL rule for every endpoint: configuration (parseProvider), the facade's
 * own endpoints and the builders refuse the same URLs, for the same reasons.
 */
import { describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  createIdentityProvider,
  createMemoryStore,
  encodeRedirect,
  isSamlError,
  nameIdFormats,
  parseProvider,
} from '../../src/index.js';
import { keyPair } from '../support/keys.js';

const refused: [string, string][] = [
  ['a fragment', 'https://sp.url.test/acs#section'],
  ['credentials', 'https://user:pw@sp.url.test/acs'],
  ['whitespace', 'https://sp.url.test/ acs'],
  ['a backslash', 'https:\\\\sp.url.test/acs'],
];

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return isSamlError(error) ? error.code : String(error);
  }
  return 'accepted';
};

describe.each(refused)('a URL with %s', (_label, url) => {
  it('is refused as an ACS URL by parseProvider', () => {
    expect(codeOf(() => parseProvider({ entityId: 'https://sp.url.test/metadata', acsUrl: url }))).toBe(
      'SAML_CONFIG_INVALID',
    );
  });

  it('is refused as an endpoint of the facade', () => {
    const create = () =>
      createIdentityProvider({
        entityId: 'https://idp.url.test/metadata',
        signing: { key: keyPair('idp') },
        store: createMemoryStore(),
        endpoints: { sloRedirect: url, sloPost: 'https://idp.url.test/slo' },
      });
    expect(codeOf(create)).toBe('SAML_CONFIG_INVALID');
  });

  it('is refused as a Destination by the builders and bindings', () => {
    const build = () =>
      buildLogoutRequest({
        issuer: 'https://idp.url.test/metadata',
        destination: url,
        nameId: { value: 'u', format: nameIdFormats.persistent },
        sessionIndex: '_s',
      });
    expect(codeOf(build)).toBe('SAML_INPUT_INVALID');
    expect(codeOf(() => encodeRedirect({ type: 'SAMLRequest', xml: '<x/>', destination: url }))).toBe(
      'SAML_INPUT_INVALID',
    );
  });
});
