import { describe, expectTypeOf, it } from 'vitest';
import type { ProviderFields, providerFieldSchemas } from '../../src/config/provider-schema.js';
import type { AuthentikSamlProviderJson, KeyPair, Provider, ProviderInput } from '../../src/index.js';

/** Provider declares its arrays readonly; zod outputs mutable ones. Compare modulo that. */
type Frozen<T> = { readonly [K in keyof T]: T[K] extends (infer U)[] ? readonly U[] : T[K] };

describe('public types', () => {
  it('the zod field schemas produce exactly the hand-written Provider (minus the derived durations)', () => {
    // assertionConsumerServices is optional in the input and always filled in the Provider.
    expectTypeOf<Omit<Frozen<ProviderFields>, 'assertionConsumerServices'>>().toEqualTypeOf<
      Omit<Provider, 'durations' | 'assertionConsumerServices'>
    >();
    expectTypeOf<Frozen<NonNullable<ProviderFields['assertionConsumerServices']>[number]>>().toEqualTypeOf<
      Provider['assertionConsumerServices'][number]
    >();
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
});
