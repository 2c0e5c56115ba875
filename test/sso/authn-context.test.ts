import { describe, expect, it } from 'vitest';
import {
  authnContextClasses as ac,
  type RequestedAuthnContext,
  satisfiesAuthnContext,
} from '../../src/index.js';

const rank = [ac.password, ac.passwordProtectedTransport, ac.mobileTwoFactorContract];
const asked = (
  comparison: RequestedAuthnContext['comparison'],
  ...classRefs: string[]
): RequestedAuthnContext => ({
  comparison,
  classRefs,
  declRefs: [],
});

describe('satisfiesAuthnContext (SAMLCore §3.3.2.2.1)', () => {
  it('exact: one of the listed classes', () => {
    expect(satisfiesAuthnContext(asked('exact', ac.passwordProtectedTransport, ac.x509), ac.x509)).toBe(true);
    expect(satisfiesAuthnContext(asked('exact', ac.passwordProtectedTransport), ac.password)).toBe(false);
    expect(
      satisfiesAuthnContext(asked('exact', ac.passwordProtectedTransport), ac.mobileTwoFactorContract, rank),
    ).toBe(false);
  });

  it('minimum, maximum and better compare by the deployment’s rank', () => {
    expect(
      satisfiesAuthnContext(
        asked('minimum', ac.passwordProtectedTransport),
        ac.mobileTwoFactorContract,
        rank,
      ),
    ).toBe(true);
    expect(satisfiesAuthnContext(asked('minimum', ac.passwordProtectedTransport), ac.password, rank)).toBe(
      false,
    );
    expect(satisfiesAuthnContext(asked('maximum', ac.passwordProtectedTransport), ac.password, rank)).toBe(
      true,
    );
    expect(
      satisfiesAuthnContext(
        asked('maximum', ac.passwordProtectedTransport),
        ac.mobileTwoFactorContract,
        rank,
      ),
    ).toBe(false);
    expect(
      satisfiesAuthnContext(asked('better', ac.passwordProtectedTransport), ac.mobileTwoFactorContract, rank),
    ).toBe(true);
    expect(
      satisfiesAuthnContext(
        asked('better', ac.passwordProtectedTransport),
        ac.passwordProtectedTransport,
        rank,
      ),
    ).toBe(false);
  });

  it('fails closed when strength is unknown: only an equal class satisfies minimum/maximum, nothing satisfies better', () => {
    expect(
      satisfiesAuthnContext(asked('minimum', ac.passwordProtectedTransport), ac.passwordProtectedTransport),
    ).toBe(true);
    expect(
      satisfiesAuthnContext(asked('minimum', ac.passwordProtectedTransport), ac.mobileTwoFactorContract),
    ).toBe(false);
    expect(satisfiesAuthnContext(asked('maximum', ac.passwordProtectedTransport), ac.password)).toBe(false);
    expect(satisfiesAuthnContext(asked('better', ac.password), ac.mobileTwoFactorContract)).toBe(false);
    expect(satisfiesAuthnContext(asked('minimum', ac.kerberos), ac.mobileTwoFactorContract, rank)).toBe(
      false,
    );
  });

  it('a request by declaration reference is never satisfied (samlkit asserts classes only)', () => {
    expect(
      satisfiesAuthnContext({ comparison: 'exact', classRefs: [], declRefs: ['urn:decl'] }, ac.unspecified),
    ).toBe(false);
  });
});
