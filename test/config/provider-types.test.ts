import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ProviderFields, providerFieldSchemas } from '../../src/config/provider-schema.js';
import type { AuthentikSamlProviderJson, KeyPair, Provider, ProviderInput } from '../../src/index.js';
import { isSamlError, parseProvider } from '../../src/index.js';
import { keyPair } from '../support/keys.js';

/** Provider declares its arrays readonly; zod outputs mutable ones. Compare modulo that. */
type Frozen<T> = { readonly [K in keyof T]: T[K] extends (infer U)[] ? readonly U[] : T[K] };

describe('public types', () => {
  it('the zod field schemas produce exactly the hand-written Provider (minus the derived durations)', () => {
    expectTypeOf<Frozen<ProviderFields>>().toEqualTypeOf<Omit<Provider, 'durations'>>();
  });

  it('every Provider field except durations has a schema, and nothing else does', () => {
    expectTypeOf<keyof typeof providerFieldSchemas>().toEqualTypeOf<Exclude<keyof Provider, 'durations'>>();
    expectTypeOf<keyof ProviderInput>().toEqualTypeOf<Exclude<keyof Provider, 'durations'>>();
  });

  it('keeps zod out of the public types', () => {
    expectTypeOf<Provider['signingKeyPair']>().toEqualTypeOf<KeyPair | null>();
    expectTypeOf<Provider['verificationCertificates']>().toEqualTypeOf<readonly KeyPair[]>();
  });

  it('accepts the minimal camelCase input and an authentik JSON object', () => {
    expectTypeOf<{ entityId: string; acsUrl: string }>().toExtend<ProviderInput>();
    expectTypeOf<{ acs_url: string }>().toExtend<AuthentikSamlProviderJson>();
  });

  // `npx tsc --noEmit` (npm test runs it) checks this file: each `@ts-expect-error` below fails the
  // type check when the line it marks compiles, i.e. when parseProvider's input is not typed.
  it('refuses misspelt fields and values at compile time, and still at run time', () => {
    const entityId = 'https://sp.example.com/metadata';
    const acsUrl = 'https://sp.example.com/acs';
    const issues = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        // Typed by code: details.issues without a cast.
        if (isSamlError(error, 'SAML_CONFIG_INVALID'))
          return error.details?.issues.map((issue) => issue.path);
        throw error;
      }
      return undefined;
    };
    const base = { entityId, acsUrl, signAssertion: false } as const;
    // @ts-expect-error 'backchanel' is not a logout method
    const misspeltValue = () => parseProvider({ ...base, logoutMethod: 'backchanel' });
    expect(issues(misspeltValue)).toEqual([['logoutMethod']]);
    // @ts-expect-error acsURL is not a field (acsUrl is)
    const misspeltField = () => parseProvider({ ...base, acsURL: acsUrl });
    expect(issues(misspeltField)).toEqual([['acsURL']]);
    // @ts-expect-error the authentik JSON needs acs_url
    expect(issues(() => parseProvider({ sls_url: 'https://sp.example.com/sls' }))).toBeDefined();
    expect(issues(() => parseProvider({ acsUrl, signAssertion: false }, { entityId }))).toBeUndefined();
  });

  it('accepts its own output, durations included', () => {
    const first = parseProvider({
      entityId: 'https://sp.example.com/metadata',
      acsUrl: 'https://sp.example.com/acs',
      signingKeyPair: keyPair('idp'),
      assertionValidNotOnOrAfter: 'minutes=10',
    });
    const again = parseProvider(first);
    expect(again).toEqual(first);
    expect(again.durations.assertionValidNotOnOrAfter).toBe(600_000);
    // Durations that contradict their strings are refused, with the path.
    try {
      parseProvider({ ...first, durations: { ...first.durations, assertionValidNotOnOrAfter: 1 } });
      expect.unreachable();
    } catch (error) {
      if (!isSamlError(error, 'SAML_CONFIG_INVALID')) throw error;
      expect(error.details?.issues.map((issue) => issue.path)).toEqual([
        ['durations', 'assertionValidNotOnOrAfter'],
      ]);
    }
  });
});
