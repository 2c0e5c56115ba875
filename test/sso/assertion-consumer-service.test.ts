import { describe, expect, it } from 'vitest';
import {
  acsBindingUris,
  isSamlError,
  parseProvider,
  selectAssertionConsumerService,
} from '../../src/index.js';
import { expectThrows, spAcsUrl, spAcsUrl2, spEntityId, spProvider } from './support.js';

const artifactUrl = 'https://sp-a.example.com/acs-artifact';

/** sp-a with three registered endpoints: POST at 0 (acsUrl), POST at 1, Artifact at 2. */
const registered = () =>
  spProvider({
    assertionConsumerServices: [
      { url: spAcsUrl, index: 0, isDefault: true },
      { url: spAcsUrl2, index: 1 },
      { url: artifactUrl, index: 2, binding: 'artifact' },
    ],
  });

function configIssues(input: Record<string, unknown>) {
  try {
    parseProvider({ entityId: spEntityId, acsUrl: spAcsUrl, signAssertion: false, ...input });
  } catch (error) {
    if (isSamlError(error, 'SAML_CONFIG_INVALID')) return error.details?.issues;
    throw error;
  }
  return [];
}

describe('provider: assertionConsumerServices', () => {
  it('defaults to one POST endpoint at acsUrl, index 0', () => {
    expect(spProvider().assertionConsumerServices).toEqual([
      { url: spAcsUrl, index: 0, binding: 'post', isDefault: true },
    ]);
  });

  it('keeps every registered endpoint with its index, binding and isDefault', () => {
    expect(registered().assertionConsumerServices).toEqual([
      { url: spAcsUrl, index: 0, binding: 'post', isDefault: true },
      { url: spAcsUrl2, index: 1, binding: 'post', isDefault: false },
      { url: artifactUrl, index: 2, binding: 'artifact', isDefault: false },
    ]);
    expect(Object.isFrozen(registered().assertionConsumerServices[1])).toBe(true);
  });

  it('refuses repeated indexes, two defaults, bad entries, and an acsUrl that is not a POST entry', () => {
    expect(
      configIssues({
        assertionConsumerServices: [
          { url: spAcsUrl, index: 1, isDefault: true },
          { url: spAcsUrl2, index: 1, isDefault: true },
        ],
      }),
    ).toEqual([
      { path: ['assertionConsumerServices', 1, 'index'], message: 'repeats another index' },
      { path: ['assertionConsumerServices'], message: 'has more than one isDefault entry' },
    ]);
    expect(configIssues({ assertionConsumerServices: [{ url: spAcsUrl2, index: 0 }] })).toEqual([
      { path: ['acsUrl'], message: 'must be the URL of a "post" entry of assertionConsumerServices' },
    ]);
    expect(
      configIssues({ assertionConsumerServices: [{ url: spAcsUrl, index: 0, binding: 'redirect' }] }),
    ).toEqual([
      { path: ['acsUrl'], message: 'must be the URL of a "post" entry of assertionConsumerServices' },
    ]);
    const bad = configIssues({
      assertionConsumerServices: [
        { url: 'javascript:alert(1)', index: 0 },
        { url: spAcsUrl, index: 70000 },
        { url: spAcsUrl, index: 1.5, binding: 'soap' },
        { url: spAcsUrl, index: 3, extra: true },
      ],
    });
    expect(bad?.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([
        ['assertionConsumerServices', 0, 'url'],
        ['assertionConsumerServices', 1, 'index'],
        ['assertionConsumerServices', 2, 'index'],
        ['assertionConsumerServices', 2, 'binding'],
        ['assertionConsumerServices', 3],
      ]),
    );
  });
});

describe('selectAssertionConsumerService', () => {
  it('without URL or index: the default, the POST endpoint at acsUrl', () => {
    expect(selectAssertionConsumerService(registered(), {})).toMatchObject({ url: spAcsUrl, index: 0 });
    expect(selectAssertionConsumerService(registered())).toMatchObject({ url: spAcsUrl, index: 0 });
  });

  it('by index: the registered endpoint with that index', () => {
    expect(selectAssertionConsumerService(registered(), { assertionConsumerServiceIndex: 1 })).toMatchObject({
      url: spAcsUrl2,
      index: 1,
    });
  });

  it('by URL: a registered one, compared as the same resource (scheme/host case, default port)', () => {
    expect(
      selectAssertionConsumerService(registered(), { assertionConsumerServiceUrl: spAcsUrl2 }),
    ).toMatchObject({ index: 1 });
    // The registered string is what the Response goes to, whatever spelling the request used.
    expect(
      selectAssertionConsumerService(registered(), {
        assertionConsumerServiceUrl: 'HTTPS://SP-A.example.com:443/acs2',
      }).url,
    ).toBe(spAcsUrl2);
    expect(
      selectAssertionConsumerService(registered(), {
        assertionConsumerServiceUrl: spAcsUrl,
        protocolBinding: acsBindingUris.post,
      }).url,
    ).toBe(spAcsUrl);
  });

  it('never an unregistered URL: other paths, queries, hosts, userinfo tricks and unknown indexes are refused', () => {
    for (const url of [
      'https://sp-a.example.com/ACS',
      'https://sp-a.example.com/acs?next=/admin',
      'https://sp-a.example.com/acs/',
      'https://evil.example.com/acs',
      'https://sp-a.example.com@evil.example.com/acs',
      'http://sp-a.example.com/acs',
      'not a url',
    ]) {
      expectThrows(
        () => selectAssertionConsumerService(registered(), { assertionConsumerServiceUrl: url }),
        'SAML_ACS_NOT_REGISTERED',
      );
    }
    expectThrows(
      () => selectAssertionConsumerService(registered(), { assertionConsumerServiceIndex: 7 }),
      'SAML_ACS_NOT_REGISTERED',
    );
  });

  it('answers by HTTP-POST only: another ProtocolBinding, or a registered non-POST endpoint, is unsupported', () => {
    for (const binding of [acsBindingUris.redirect, acsBindingUris.artifact, acsBindingUris.paos, 'urn:x']) {
      expectThrows(
        () => selectAssertionConsumerService(registered(), { protocolBinding: binding }),
        'SAML_BINDING_UNSUPPORTED',
      );
    }
    expectThrows(
      () => selectAssertionConsumerService(registered(), { assertionConsumerServiceIndex: 2 }),
      'SAML_BINDING_UNSUPPORTED',
    );
    expectThrows(
      () => selectAssertionConsumerService(registered(), { assertionConsumerServiceUrl: artifactUrl }),
      'SAML_BINDING_UNSUPPORTED',
    );
  });
});
