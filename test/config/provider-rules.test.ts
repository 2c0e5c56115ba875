import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  digestAlgorithms,
  type Issue,
  isSamlError,
  loadKeyPair,
  type ParseProviderOptions,
  parseProvider,
  signatureAlgorithms,
} from '../../src/index.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url), 'utf8');
}

/** Throwaway DSA-1024 pair made with openssl for these tests only (no DSA fixture exists). */
const dsaKeyPem = `-----BEGIN PRIVATE KEY-----
MIIBWgIBADCCATMGByqGSM44BAEwggEmAoGBALYsofd4OW8TX8ZGex8CWevpesro
Z1wk8QvaNFsct57aemU14Hlvk2tNxdoDd+cgwEelzlJkV31vaf6lRLdDJ2Nzi61m
XPPqdBHYisVAZrmkqGH+kyFeizh/CVJpEzSCKyNQUBcAg1AEciWtWyJXVF2ScB8W
kG3wd9n7hraK+QJdAh0Ajn27aODwxqzKHqu+nG6J2F8CzuCAvPBHdOoZSwKBgCbZ
+kNjL5QIQBjAlrmH8nlLVeN8O4LEaxq9iALeJbhltP97YhtfI//q/zibk+RVS1Me
4pFI5wo8Wu5FDWVxmBn//AHYw3oS4WLAGNaA0euIXNrJ3DM6LTfvpWHpURdKWYxe
EKHPdxkgpQK5AAu/i05VmTgAaMnv7YU4NyFZZaPVBB4CHBN6GlZy8657s5liTqjm
3b0byQfHsy96kUllJx0=
-----END PRIVATE KEY-----
`;
const dsaCertificatePem = `-----BEGIN CERTIFICATE-----
MIIC7jCCApygAwIBAgIUCrI23vGTsmhW8UZaWV68iNUSW6owCwYJYIZIAWUDBAMC
MBsxGTAXBgNVBAMMEGRzYS5zYW1sa2l0LnRlc3QwIBcNMjYxMTIyMjM1MjIzWhgP
MjEyNjEwMjkyMzUyMjNaMBsxGTAXBgNVBAMMEGRzYS5zYW1sa2l0LnRlc3QwggG/
MIIBMwYHKoZIzjgEATCCASYCgYEAtiyh93g5bxNfxkZ7HwJZ6+l6yuhnXCTxC9o0
Wxy3ntp6ZTXgeW+Ta03F2gN35yDAR6XOUmRXfW9p/qVEt0MnY3OLrWZc8+p0EdiK
xUBmuaSoYf6TIV6LOH8JUmkTNIIrI1BQFwCDUARyJa1bIldUXZJwHxaQbfB32fuG
tor5Al0CHQCOfbto4PDGrMoeq76cbonYXwLO4IC88Ed06hlLAoGAJtn6Q2MvlAhA
GMCWuYfyeUtV43w7gsRrGr2IAt4luGW0/3tiG18j/+r/OJuT5FVLUx7ikUjnCjxa
7kUNZXGYGf/8AdjDehLhYsAY1oDR64hc2sncMzotN++lYelRF0pZjF4Qoc93GSCl
ArkAC7+LTlWZOABoye/thTg3IVllo9UDgYUAAoGBAKXQH8lp1ea+mBY9aBmdRfjv
TI9IC8Ga7U4f65ydT5i4wBFqKXWX6PgyhyhPU5X/towxHBgv9j6InN2w1jRlPHZw
pFmkGwDyKt8iFgAggvCLvptH5Ym4m8ZnW/BqUqW9jvFSU5H0sIbOlIhVpgs/rWlt
40nPFZH6i3LwoyP9Dxfvo1MwUTAdBgNVHQ4EFgQU4n+fSdrS4kHeYb27Tlzin5Kp
8UcwHwYDVR0jBBgwFoAU4n+fSdrS4kHeYb27Tlzin5Kp8UcwDwYDVR0TAQH/BAUw
AwEB/zALBglghkgBZQMEAwIDPwAwPAIcNAhRy3+tpP3xBLg/lM5dw97feJRfFLu5
kq6EOQIcGEejDQTbFdTfA0HqYcRJVaxSPbiMG4FljRIDOQ==
-----END CERTIFICATE-----
`;

const rsa = loadKeyPair({ certificate: fixture('idp.crt'), privateKey: fixture('idp.key') });
const ec = loadKeyPair({ certificate: fixture('idp-ec-p-256.crt'), privateKey: fixture('idp-ec-p-256.key') });
const dsa = loadKeyPair({ certificate: dsaCertificatePem, privateKey: dsaKeyPem });
const rsaCertOnly = loadKeyPair({ certificate: fixture('idp.crt') });
const spA = loadKeyPair({ certificate: fixture('sp-a.crt') });
const spEc = loadKeyPair({ certificate: fixture('sp-ec.crt') });

const base = { entityId: 'https://sp.example.org/metadata', acsUrl: 'https://sp.example.org/acs' } as const;
const keyless = { ...base, signAssertion: false } as const;
const slsUrl = 'https://sp.example.org/sls';

function issuesOf(input: unknown, options?: ParseProviderOptions): Issue[] {
  try {
    // Untyped on purpose: the runtime checks are for callers whose config is not typed.
    parseProvider(input as never, options);
  } catch (error) {
    expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
    if (!isSamlError(error, 'SAML_CONFIG_INVALID')) throw error;
    return error.details!.issues;
  }
  throw new Error('expected SAML_CONFIG_INVALID');
}

function pathsOf(input: unknown, options?: ParseProviderOptions): (string | number)[][] {
  return issuesOf(input, options).map((issue) => issue.path);
}

describe('rule: a signing flag needs a private key when the provider has its own key', () => {
  it('accepts the all-defaults provider: without a key of its own, the identity provider signs for it', () => {
    const provider = parseProvider(base);
    expect(provider.signingKeyPair).toBeNull();
    expect(provider.signAssertion).toBe(true);
    expect(provider.signResponse).toBe(true);
  });

  it('accepts a keyless provider with every flag on', () => {
    const provider = parseProvider({
      ...base,
      signResponse: true,
      signLogoutRequest: true,
      signLogoutResponse: true,
    });
    expect(provider.signLogoutResponse).toBe(true);
  });

  it('reports every flag that is on with a certificate-only pair', () => {
    expect(
      pathsOf({
        ...base,
        signingKeyPair: rsaCertOnly,
        signLogoutRequest: true,
        signLogoutResponse: true,
      }),
    ).toEqual([['signAssertion'], ['signResponse'], ['signLogoutRequest'], ['signLogoutResponse']]);
  });

  it('refuses a certificate-only signing pair when a flag is on', () => {
    const issues = issuesOf({
      ...keyless,
      signResponse: false,
      signingKeyPair: rsaCertOnly,
      signAssertion: true,
    });
    expect(issues).toEqual([{ path: ['signAssertion'], message: expect.stringMatching(/no private key/) }]);
    expect(
      pathsOf({
        ...keyless,
        signResponse: false,
        signAssertion: true,
        signingKeyPair: { certificate: fixture('idp.crt') },
      }),
    ).toEqual([['signAssertion']]);
  });

  it('allows a certificate-only signing pair when nothing is signed', () => {
    expect(
      parseProvider({ ...keyless, signResponse: false, signingKeyPair: rsaCertOnly }).signingKeyPair,
    ).toBe(rsaCertOnly);
  });

  it('accepts every flag with a full key pair', () => {
    const provider = parseProvider({
      ...base,
      signingKeyPair: rsa,
      signResponse: true,
      signLogoutRequest: true,
      signLogoutResponse: true,
    });
    expect(provider.signLogoutResponse).toBe(true);
  });

  it('does not pile a flag issue on top of a key that failed to load', () => {
    expect(pathsOf({ ...base, signingKeyPair: { certificate: 'garbage' } })).toEqual([['signingKeyPair']]);
  });
});

describe('rule: required AuthnRequest signatures need a certificate to check them', () => {
  it('refuses authnRequestsSigned without verificationCertificates', () => {
    expect(pathsOf({ ...base, authnRequestsSigned: true })).toEqual([['authnRequestsSigned']]);
  });

  it('accepts it with one', () => {
    expect(
      parseProvider({ ...base, authnRequestsSigned: true, verificationCertificates: [spA] })
        .authnRequestsSigned,
    ).toBe(true);
  });
});

describe('rule: back-channel logout needs an SLS URL and a POST or SOAP binding', () => {
  it.each(['post', 'soap'] as const)('accepts backchannel over %s', (slsBinding) => {
    const provider = parseProvider({ ...keyless, logoutMethod: 'backchannel', slsUrl, slsBinding });
    expect(provider.logoutMethod).toBe('backchannel');
    expect(provider.slsBinding).toBe(slsBinding);
  });

  it('refuses backchannel with the default redirect binding instead of silently switching', () => {
    const issues = issuesOf({ ...keyless, logoutMethod: 'backchannel', slsUrl });
    expect(issues).toEqual([{ path: ['slsBinding'], message: expect.stringMatching(/"post" or "soap"/) }]);
  });

  it('refuses backchannel without an SLS URL', () => {
    expect(pathsOf({ ...keyless, logoutMethod: 'backchannel', slsBinding: 'post' })).toEqual([['slsUrl']]);
  });

  it('reports both problems at once', () => {
    expect(pathsOf({ ...keyless, logoutMethod: 'backchannel' })).toEqual([['slsUrl'], ['slsBinding']]);
  });

  it.each(['frontchannel_iframe', 'frontchannel_native'] as const)(
    'refuses the soap binding with %s',
    (logoutMethod) => {
      const issues = issuesOf({ ...keyless, logoutMethod, slsUrl, slsBinding: 'soap' });
      expect(issues).toEqual([{ path: ['slsBinding'], message: expect.stringMatching(/backchannel/) }]);
    },
  );

  it('allows front-channel logout without an SLS URL (no SAML logout to this SP)', () => {
    expect(parseProvider({ ...keyless, logoutMethod: 'frontchannel_native' }).slsUrl).toBe('');
  });
});

describe('rule: the signature algorithm fits the signing key', () => {
  it.each([
    [
      'RSA key, ECDSA algorithm',
      rsa,
      signatureAlgorithms.ecdsaSha256,
      /needs an EC key but signingKeyPair is RSA/,
    ],
    [
      'EC key, RSA algorithm (the default)',
      ec,
      signatureAlgorithms.rsaSha256,
      /needs an RSA key but signingKeyPair is EC/,
    ],
  ])('refuses %s', (_label, signingKeyPair, signatureAlgorithm, message) => {
    const issues = issuesOf({ ...base, signingKeyPair, signatureAlgorithm });
    expect(issues).toEqual([{ path: ['signatureAlgorithm'], message: expect.stringMatching(message) }]);
  });

  it('refuses a DSA algorithm with an RSA key even with both opt-ins', () => {
    const issues = issuesOf(
      { ...base, signingKeyPair: rsa, signatureAlgorithm: signatureAlgorithms.dsaSha1 },
      { unsafeAllowSha1: true, unsafeAllowDsa: true },
    );
    expect(issues.map((issue) => issue.path)).toEqual([['signatureAlgorithm']]);
  });

  it.each([
    signatureAlgorithms.ecdsaSha256,
    signatureAlgorithms.ecdsaSha384,
    signatureAlgorithms.ecdsaSha512,
  ])('accepts an EC key with %s', (signatureAlgorithm) => {
    expect(parseProvider({ ...base, signingKeyPair: ec, signatureAlgorithm }).signatureAlgorithm).toBe(
      signatureAlgorithm,
    );
  });

  it('does not check the algorithm against a key when there is none', () => {
    expect(
      parseProvider({ ...keyless, signatureAlgorithm: signatureAlgorithms.ecdsaSha256 }).signingKeyPair,
    ).toBeNull();
  });
});

describe('rule: SHA-1 needs unsafeAllowSha1', () => {
  it.each([
    ['digestAlgorithm', { digestAlgorithm: digestAlgorithms.sha1 }],
    ['signatureAlgorithm', { signatureAlgorithm: signatureAlgorithms.rsaSha1, signingKeyPair: rsa }],
    ['signatureAlgorithm', { signatureAlgorithm: signatureAlgorithms.ecdsaSha1, signingKeyPair: ec }],
  ])('refuses SHA-1 in %s', (field, patch) => {
    const issues = issuesOf({ ...keyless, ...patch });
    expect(issues).toEqual([{ path: [field], message: expect.stringMatching(/SHA-1; set unsafeAllowSha1/) }]);
  });

  it('refuses SHA-1 even when nothing is signed yet', () => {
    expect(pathsOf({ ...keyless, signatureAlgorithm: signatureAlgorithms.rsaSha1 })).toEqual([
      ['signatureAlgorithm'],
    ]);
  });

  it('accepts SHA-1 with the flag in the input', () => {
    const provider = parseProvider({
      ...base,
      signingKeyPair: rsa,
      unsafeAllowSha1: true,
      digestAlgorithm: digestAlgorithms.sha1,
      signatureAlgorithm: signatureAlgorithms.rsaSha1,
    });
    expect(provider.unsafeAllowSha1).toBe(true);
  });

  it('accepts SHA-1 with the flag in the options', () => {
    const provider = parseProvider(
      { ...keyless, digestAlgorithm: digestAlgorithms.sha1 },
      { unsafeAllowSha1: true },
    );
    expect(provider.digestAlgorithm).toBe(digestAlgorithms.sha1);
    expect(provider.unsafeAllowSha1).toBe(true);
  });

  it('still refuses when the input flag is malformed', () => {
    expect(pathsOf({ ...keyless, unsafeAllowSha1: 'true', digestAlgorithm: digestAlgorithms.sha1 })).toEqual([
      ['unsafeAllowSha1'],
      ['digestAlgorithm'],
    ]);
  });
});

describe('rule: DSA needs unsafeAllowDsa', () => {
  it('loads the DSA test pair', () => {
    expect(dsa.keyType).toBe('dsa');
  });

  it('refuses a DSA signing key and dsa-sha1, even with SHA-1 allowed', () => {
    const issues = issuesOf(
      { ...base, signingKeyPair: dsa, signatureAlgorithm: signatureAlgorithms.dsaSha1 },
      { unsafeAllowSha1: true },
    );
    expect(issues).toEqual([
      { path: ['signatureAlgorithm'], message: expect.stringMatching(/is DSA; set unsafeAllowDsa/) },
      { path: ['signingKeyPair'], message: expect.stringMatching(/DSA key/) },
    ]);
  });

  it('refuses dsa-sha1 for both of its reasons', () => {
    expect(pathsOf({ ...keyless, signatureAlgorithm: signatureAlgorithms.dsaSha1 })).toEqual([
      ['signatureAlgorithm'],
      ['signatureAlgorithm'],
    ]);
  });

  it('refuses a DSA verification certificate at its index', () => {
    expect(pathsOf({ ...keyless, verificationCertificates: [spA, dsaCertificatePem] })).toEqual([
      ['verificationCertificates', 1],
    ]);
  });

  it('accepts DSA with both opt-ins', () => {
    const provider = parseProvider({
      ...base,
      signingKeyPair: dsa,
      signatureAlgorithm: signatureAlgorithms.dsaSha1,
      digestAlgorithm: digestAlgorithms.sha1,
      verificationCertificates: [dsaCertificatePem],
      unsafeAllowDsa: true,
      unsafeAllowSha1: true,
    });
    expect(provider.signingKeyPair?.keyType).toBe('dsa');
    expect(provider.unsafeAllowDsa).toBe(true);
  });
});

describe('rule: the encryption certificate is RSA', () => {
  it('refuses an EC encryption certificate', () => {
    expect(pathsOf({ ...keyless, encryptionCertificate: spEc })).toEqual([['encryptionCertificate']]);
  });

  it('accepts an RSA encryption certificate', () => {
    expect(parseProvider({ ...keyless, encryptionCertificate: spA }).encryptionCertificate).toBe(spA);
  });
});

describe('rule: validity windows include the moment of issue', () => {
  it.each([
    ['assertionValidNotBefore', 'minutes=5'],
    ['assertionValidNotOnOrAfter', 'minutes=0'],
    ['assertionValidNotOnOrAfter', 'minutes=-5'],
    ['sessionValidNotOnOrAfter', 'seconds=0'],
    ['sessionValidNotOnOrAfter', 'hours=-1'],
  ])('refuses %s = %s', (field, value) => {
    expect(pathsOf({ ...keyless, [field]: value })).toEqual([[field]]);
  });

  it('accepts a zero NotBefore offset', () => {
    expect(
      parseProvider({ ...keyless, assertionValidNotBefore: 'seconds=0' }).durations.assertionValidNotBefore,
    ).toBe(0);
  });
});

describe('issues are collected, not stopped at the first', () => {
  it('reports field issues and cross-field issues of one config together', () => {
    const issues = issuesOf({
      entityId: '',
      acsUrl: 'ftp://sp.example.org/acs',
      spBinding: 'artifact',
      slsBinding: 'redirect',
      logoutMethod: 'backchannel',
      assertionValidNotBefore: 'minutes=nan',
      assertionValidNotOnOrAfter: 'minutes=-1',
      digestAlgorithm: digestAlgorithms.sha1,
      signingKeyPair: rsa,
      signatureAlgorithm: signatureAlgorithms.ecdsaSha1,
      signLogoutRequest: true,
      defaultRelayState: 'x'.repeat(100),
      verificationCertificates: ['garbage'],
      encryptionCertificate: spEc,
      extra: true,
    });
    expect(issues.map((issue) => issue.path)).toEqual([
      ['extra'],
      ['entityId'],
      ['acsUrl'],
      ['spBinding'],
      ['assertionValidNotBefore'],
      ['verificationCertificates', 0],
      ['defaultRelayState'],
      ['slsUrl'],
      ['slsBinding'],
      ['signatureAlgorithm'],
      ['signatureAlgorithm'],
      ['digestAlgorithm'],
      ['encryptionCertificate'],
      ['assertionValidNotOnOrAfter'],
    ]);
    for (const issue of issues) expect(issue.message.length).toBeGreaterThan(0);
  });

  it('reports option issues alongside input issues', () => {
    expect(
      pathsOf({ ...keyless, acsUrl: '' }, { unsafeAllowSha1: 1 } as unknown as ParseProviderOptions),
    ).toEqual([['options', 'unsafeAllowSha1'], ['acsUrl']]);
  });
});
