import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  digestAlgorithms,
  type Issue,
  isSamlError,
  type KeyPair,
  loadKeyPair,
  nameIdFormats,
  type ProviderInput,
  parseProvider,
  providerDefaults,
  signatureAlgorithms,
} from '../../src/index.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url), 'utf8');
}

const idp = loadKeyPair({ certificate: fixture('idp.crt'), privateKey: fixture('idp.key') });
const spA = loadKeyPair({ certificate: fixture('sp-a.crt') });
const spB = loadKeyPair({ certificate: fixture('sp-b.crt') });

const entityId = 'https://sp.example.org/saml/metadata';
const acsUrl = 'https://sp.example.org/saml/acs';
/** Smallest valid input: no key, so signing is turned off. */
const keyless = { entityId, acsUrl, signAssertion: false } as const;
const signed = { entityId, acsUrl, signingKeyPair: idp } as const;

function issuesOf(input: unknown, options?: Parameters<typeof parseProvider>[1]): Issue[] {
  try {
    // Untyped on purpose: the runtime checks are for callers whose config is not typed.
    parseProvider(input as never, options);
  } catch (error) {
    expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
    if (!isSamlError(error, 'SAML_CONFIG_INVALID')) throw error;
    expect((error as { code: string }).code).toBe('SAML_CONFIG_INVALID');
    return error.details!.issues;
  }
  throw new Error('expected SAML_CONFIG_INVALID');
}

/** Asserts that exactly the given paths are reported, and returns the issue at the first one. */
function expectIssuePaths(
  input: unknown,
  paths: (string | number)[][],
  options?: Parameters<typeof parseProvider>[1],
) {
  const issues = issuesOf(input, options);
  expect(issues.map((issue) => issue.path)).toEqual(paths);
  return issues[0]!;
}

/** Walks own values depth-first; every object and array reached must be frozen. */
function expectDeeplyFrozen(value: unknown, seen = new Set<unknown>()): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  // KeyPair dates come from src/crypto; a Date cannot be made immutable by freezing anyway.
  if (value instanceof Date) return;
  expect(Object.isFrozen(value)).toBe(true);
  for (const child of Object.values(value)) expectDeeplyFrozen(child, seen);
}

describe('parseProvider: defaults', () => {
  it('fills every field with authentik’s default, except issuer and signResponse', () => {
    const provider = parseProvider(keyless);
    expect(provider).toEqual({
      entityId,
      acsUrl,
      assertionConsumerServices: [{ url: acsUrl, index: 0, binding: 'post', isDefault: true }],
      name: entityId,
      spBinding: 'redirect',
      audience: '',
      issuer: '',
      slsUrl: '',
      slsBinding: 'redirect',
      singleLogoutServices: [],
      logoutMethod: 'frontchannel_iframe',
      authnRequestsSigned: false,
      signingMethods: [],
      digestMethods: [],
      encryptionMethods: [],
      assertionValidNotBefore: 'minutes=-5',
      assertionValidNotOnOrAfter: 'minutes=5',
      sessionValidNotOnOrAfter: 'minutes=86400',
      durations: {
        assertionValidNotBefore: -5 * 60_000,
        assertionValidNotOnOrAfter: 5 * 60_000,
        sessionValidNotOnOrAfter: 86_400 * 60_000,
      },
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      signingKeyPair: null,
      verificationCertificates: [],
      encryptionCertificate: null,
      signAssertion: false,
      signResponse: true,
      signLogoutRequest: false,
      signLogoutResponse: false,
      defaultRelayState: '',
      defaultNameIdPolicy: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      allowedNameIdFormats: [],
      nameIdStrategy: 'pairwise',
      nameIdMapping: null,
      authnContextClassRefMapping: null,
      subjectIdRequirement: null,
      unsafeAllowSha1: false,
      unsafeAllowDsa: false,
      unsafeAllowShortRsaKeys: false,
    });
  });

  it('defaults signAssertion to true, like authentik', () => {
    expect(parseProvider(signed).signAssertion).toBe(true);
    expect(providerDefaults.signAssertion).toBe(true);
  });

  it('has no issuer of its own by default: the identity provider’s entity ID is used', () => {
    expect(parseProvider(signed).issuer).toBe('');
    expect(Object.values(providerDefaults)).not.toContain('authentik');
  });

  it('signs the Response by default (pysaml2 refuses an unsigned one as shipped)', () => {
    expect(parseProvider(signed).signResponse).toBe(true);
  });

  it('exposes the defaults table, frozen', () => {
    expect(Object.isFrozen(providerDefaults)).toBe(true);
    expect(providerDefaults.sessionValidNotOnOrAfter).toBe('minutes=86400');
  });

  it('uses the entity ID as name when the name is omitted or empty', () => {
    expect(parseProvider({ ...keyless, name: '' }).name).toBe(entityId);
    expect(parseProvider({ ...keyless, name: 'Wiki' }).name).toBe('Wiki');
  });
});

describe('parseProvider: every field accepts its valid values', () => {
  it.each([
    ['spBinding', 'post'],
    ['spBinding', 'redirect'],
    ['audience', 'https://sp.example.org/audience'],
    ['issuer', 'https://idp.example.org/metadata'],
    ['slsUrl', 'https://sp.example.org/saml/sls'],
    ['slsBinding', 'post'],
    ['slsBinding', 'redirect'],
    ['logoutMethod', 'frontchannel_native'],
    ['logoutMethod', 'frontchannel_iframe'],
    ['assertionValidNotBefore', 'seconds=-30'],
    ['assertionValidNotOnOrAfter', 'hours=1'],
    ['sessionValidNotOnOrAfter', 'hours=8'],
    ['digestAlgorithm', digestAlgorithms.sha384],
    ['digestAlgorithm', digestAlgorithms.sha512],
    ['signatureAlgorithm', signatureAlgorithms.rsaSha384],
    ['signatureAlgorithm', signatureAlgorithms.rsaSha512],
    ['signResponse', false],
    ['signLogoutRequest', false],
    ['signLogoutResponse', false],
    ['defaultRelayState', '/dashboard'],
    ['defaultNameIdPolicy', nameIdFormats.emailAddress],
    ['defaultNameIdPolicy', nameIdFormats.persistent],
    ['defaultNameIdPolicy', nameIdFormats.transient],
    ['defaultNameIdPolicy', nameIdFormats.x509SubjectName],
    ['defaultNameIdPolicy', nameIdFormats.windowsDomainQualifiedName],
    ['nameIdMapping', 'd7d5f6a1-0000-4000-8000-000000000001'],
    ['authnContextClassRefMapping', 'urn:mapping:acr'],
    ['subjectIdRequirement', 'pairwise-id'],
    ['subjectIdRequirement', 'subject-id'],
    ['subjectIdRequirement', 'any'],
    ['subjectIdRequirement', 'none'],
    ['unsafeAllowSha1', true],
    ['unsafeAllowDsa', true],
  ])('%s = %j', (field, value) => {
    const provider = parseProvider({ ...keyless, [field]: value });
    expect(provider[field as keyof typeof provider]).toEqual(value);
  });

  it('accepts a dotless hostname and a plain http URL (authentik’s domainless validator)', () => {
    const provider = parseProvider({ ...keyless, acsUrl: 'http://sp:8080/acs', slsUrl: 'http://sp/sls' });
    expect(provider.acsUrl).toBe('http://sp:8080/acs');
    expect(provider.slsUrl).toBe('http://sp/sls');
  });

  it('keeps URLs exactly as given (Destination is compared byte for byte)', () => {
    expect(parseProvider({ ...keyless, acsUrl: 'HTTPS://SP.example.org/acs?x=1' }).acsUrl).toBe(
      'HTTPS://SP.example.org/acs?x=1',
    );
  });

  it('parses all three durations', () => {
    const provider = parseProvider({
      ...keyless,
      assertionValidNotBefore: 'seconds=-30',
      assertionValidNotOnOrAfter: 'minutes=2;seconds=30',
      sessionValidNotOnOrAfter: 'hours=8',
    });
    expect(provider.durations).toEqual({
      assertionValidNotBefore: -30_000,
      assertionValidNotOnOrAfter: 150_000,
      sessionValidNotOnOrAfter: 8 * 3_600_000,
    });
  });

  it('accepts a RelayState of exactly 80 bytes of UTF-8', () => {
    const relayState = `${'é'.repeat(40)}`;
    expect(parseProvider({ ...keyless, defaultRelayState: relayState }).defaultRelayState).toBe(relayState);
  });

  it('accepts entity IDs of exactly 1024 characters', () => {
    const long = `urn:x:${'a'.repeat(1018)}`;
    const provider = parseProvider({ ...keyless, entityId: long, issuer: long, audience: long });
    expect(provider.entityId).toBe(long);
  });

  it('takes the SHA-1 and DSA opt-ins from options too', () => {
    const provider = parseProvider(keyless, { unsafeAllowSha1: true, unsafeAllowDsa: true });
    expect(provider.unsafeAllowSha1).toBe(true);
    expect(provider.unsafeAllowDsa).toBe(true);
  });

  it('uses options.entityId when the input has none, and ignores it otherwise', () => {
    expect(parseProvider({ acsUrl, signAssertion: false }, { entityId: 'urn:from:options' }).entityId).toBe(
      'urn:from:options',
    );
    expect(parseProvider(keyless, { entityId: 'urn:from:options' }).entityId).toBe(entityId);
  });
});

describe('parseProvider: key material', () => {
  it('passes a KeyPair through unchanged', () => {
    expect(parseProvider(signed).signingKeyPair).toBe(idp);
  });

  it('loads a signing key given as PEM', () => {
    const provider = parseProvider({
      ...signed,
      signingKeyPair: { certificate: fixture('idp.crt'), privateKey: fixture('idp.key') },
    });
    expect(provider.signingKeyPair?.fingerprintSha256).toBe(idp.fingerprintSha256);
    expect(provider.signingKeyPair?.hasPrivateKey).toBe(true);
  });

  it('loads an encrypted signing key with its passphrase', () => {
    const provider = parseProvider({
      ...signed,
      signingKeyPair: {
        certificate: fixture('sp-a.crt'),
        privateKey: fixture('sp-a-encrypted.key'),
        passphrase: 'correct-horse',
      },
    });
    expect(provider.signingKeyPair?.hasPrivateKey).toBe(true);
    expect(JSON.stringify(provider)).not.toContain('correct-horse');
  });

  it('accepts an EC signing key with an ECDSA algorithm', () => {
    const ec = loadKeyPair({
      certificate: fixture('idp-ec-p-384.crt'),
      privateKey: fixture('idp-ec-p-384.key'),
    });
    const provider = parseProvider({
      ...signed,
      signingKeyPair: ec,
      signatureAlgorithm: signatureAlgorithms.ecdsaSha384,
    });
    expect(provider.signingKeyPair?.curve).toBe('P-384');
  });

  it('loads verification certificates from every accepted form, in order (key rollover)', () => {
    const base64 = fixture('sp-b.crt')
      .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
      .replace(/\s+/g, '');
    const provider = parseProvider({
      ...keyless,
      verificationCertificates: [spA, fixture('sp-b.crt'), base64, { certificate: fixture('sp-ec.crt') }],
    });
    expect(provider.verificationCertificates.map((pair) => pair.subject)).toEqual([
      spA.subject,
      spB.subject,
      spB.subject,
      expect.stringContaining('sp-ec'),
    ]);
    expect(provider.verificationCertificates[0]).toBe(spA);
  });

  it('accepts a certificate-only encryption certificate in every form', () => {
    expect(parseProvider({ ...keyless, encryptionCertificate: spA }).encryptionCertificate).toBe(spA);
    expect(
      parseProvider({ ...keyless, encryptionCertificate: fixture('sp-a.crt') }).encryptionCertificate
        ?.subject,
    ).toBe(spA.subject);
    expect(
      parseProvider({ ...keyless, encryptionCertificate: { certificate: fixture('sp-a.crt') } })
        .encryptionCertificate?.hasPrivateKey,
    ).toBe(false);
  });

  it('accepts a readonly array of certificates', () => {
    const certificates: readonly KeyPair[] = Object.freeze([spA, spB]);
    const input: ProviderInput = { ...keyless, verificationCertificates: certificates };
    expect(parseProvider(input).verificationCertificates).toEqual([spA, spB]);
  });
});

describe('parseProvider: result', () => {
  it('is deeply frozen', () => {
    const provider = parseProvider({ ...signed, verificationCertificates: [spA, fixture('sp-b.crt')] });
    expectDeeplyFrozen(provider);
    expect(Object.isFrozen(provider.durations)).toBe(true);
    expect(Object.isFrozen(provider.verificationCertificates)).toBe(true);
    expect(() => {
      (provider as { acsUrl: string }).acsUrl = 'https://evil.example/';
    }).toThrow(TypeError);
    expect(() => (provider.verificationCertificates as KeyPair[]).push(spA)).toThrow(TypeError);
  });

  it('does not share the caller’s array', () => {
    const certificates = [spA];
    const provider = parseProvider({ ...keyless, verificationCertificates: certificates });
    certificates.push(spB);
    expect(provider.verificationCertificates).toHaveLength(1);
  });

  it('does not read inherited properties', () => {
    const input = Object.assign(Object.create({ logoutMethod: 'backchannel' }), keyless);
    expect(parseProvider(input).logoutMethod).toBe('frontchannel_iframe');
  });
});

describe('parseProvider: field errors (one per error path)', () => {
  it.each<[string, unknown, (string | number)[], RegExp]>([
    ['a non-object', 'provider', [], /must be an object/],
    ['null', null, [], /must be an object/],
    ['an array', [keyless], [], /must be an object/],
  ])('refuses %s', (_label, input, path, message) => {
    const issue = expectIssuePaths(input, [path]);
    expect(issue.message).toMatch(message);
  });

  it.each<[string, Record<string, unknown>, (string | number)[], RegExp]>([
    ['missing entityId', { entityId: undefined }, ['entityId'], /is required/],
    ['empty entityId', { entityId: '' }, ['entityId'], /must not be empty/],
    ['entityId over 1024 characters', { entityId: 'x'.repeat(1025) }, ['entityId'], /1024/],
    ['entityId with surrounding whitespace', { entityId: ` ${entityId}` }, ['entityId'], /whitespace/],
    ['non-string entityId', { entityId: 42 }, ['entityId'], /must be a string/],
    ['missing acsUrl', { acsUrl: undefined }, ['acsUrl'], /is required/],
    ['relative acsUrl', { acsUrl: '/saml/acs' }, ['acsUrl'], /absolute http/],
    ['javascript: acsUrl', { acsUrl: 'javascript:alert(1)' }, ['acsUrl'], /absolute http/],
    ['ftp acsUrl', { acsUrl: 'ftp://sp.example.org/acs' }, ['acsUrl'], /absolute http/],
    ['scheme-relative acsUrl', { acsUrl: '//sp.example.org/acs' }, ['acsUrl'], /absolute http/],
    ['http: without slashes', { acsUrl: 'http:sp.example.org/acs' }, ['acsUrl'], /absolute http/],
    ['acsUrl with credentials', { acsUrl: 'https://user:pw@sp.example.org/acs' }, ['acsUrl'], /credentials/],
    ['acsUrl with a newline', { acsUrl: 'https://sp.exa\nmple.org/acs' }, ['acsUrl'], /whitespace/],
    ['acsUrl with a space', { acsUrl: 'https://sp.example.org/a cs' }, ['acsUrl'], /whitespace/],
    ['unparsable acsUrl', { acsUrl: 'https://sp.example.org:99999/acs' }, ['acsUrl'], /not a valid URL/],
    ['acsUrl without host', { acsUrl: 'https:///acs' }, ['acsUrl'], /must have a host/],
    ['acsUrl that is only a scheme', { acsUrl: 'https://' }, ['acsUrl'], /must have a host/],
    ['acsUrl with a backslash', { acsUrl: 'https://sp.example.org\\acs' }, ['acsUrl'], /backslash/],
    ['name not a string', { name: 5 }, ['name'], /must be a string/],
    ['spBinding soap', { spBinding: 'soap' }, ['spBinding'], /"redirect" or "post"/],
    [
      'spBinding URN',
      { spBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST' },
      ['spBinding'],
      /"post"/,
    ],
    ['audience over 1024', { audience: 'a'.repeat(1025) }, ['audience'], /1024/],
    ['audience with whitespace', { audience: 'urn:a ' }, ['audience'], /whitespace/],
    ['issuer with whitespace', { issuer: ' urn:idp' }, ['issuer'], /whitespace/],
    ['issuer over 1024', { issuer: 'i'.repeat(1025) }, ['issuer'], /1024/],
    ['relative slsUrl', { slsUrl: 'sls' }, ['slsUrl'], /absolute http/],
    ['slsBinding artifact', { slsBinding: 'artifact' }, ['slsBinding'], /"soap"/],
    ['logoutMethod unknown', { logoutMethod: 'none' }, ['logoutMethod'], /"backchannel"/],
    [
      'bad assertionValidNotBefore',
      { assertionValidNotBefore: 'minutes=nan' },
      ['assertionValidNotBefore'],
      /decimal/,
    ],
    [
      'bad assertionValidNotOnOrAfter',
      { assertionValidNotOnOrAfter: 'minutes=5;' },
      ['assertionValidNotOnOrAfter'],
      /;/,
    ],
    [
      'bad sessionValidNotOnOrAfter',
      { sessionValidNotOnOrAfter: 'days=1e10' },
      ['sessionValidNotOnOrAfter'],
      /decimal/,
    ],
    ['non-string duration', { sessionValidNotOnOrAfter: 300 }, ['sessionValidNotOnOrAfter'], /time-delta/],
    ['unknown digest URI', { digestAlgorithm: 'sha256' }, ['digestAlgorithm'], /digest method/],
    ['unknown signature URI', { signatureAlgorithm: 'RS256' }, ['signatureAlgorithm'], /signature method/],
    [
      'signature URI in another case',
      { signatureAlgorithm: signatureAlgorithms.rsaSha256.toUpperCase() },
      ['signatureAlgorithm'],
      /signature method/,
    ],
    ['non-boolean signResponse', { signResponse: 'true' }, ['signResponse'], /true or false/],
    ['non-boolean signLogoutRequest', { signLogoutRequest: 1 }, ['signLogoutRequest'], /true or false/],
    ['non-boolean signLogoutResponse', { signLogoutResponse: null }, ['signLogoutResponse'], /true or false/],
    ['non-boolean unsafeAllowSha1', { unsafeAllowSha1: 'yes' }, ['unsafeAllowSha1'], /true or false/],
    ['non-boolean unsafeAllowDsa', { unsafeAllowDsa: 0 }, ['unsafeAllowDsa'], /true or false/],
    ['RelayState over 80 bytes', { defaultRelayState: 'r'.repeat(81) }, ['defaultRelayState'], /80 bytes/],
    [
      'RelayState of 41 two-byte characters',
      { defaultRelayState: 'é'.repeat(41) },
      ['defaultRelayState'],
      /80 bytes/,
    ],
    ['entity NameID format', { defaultNameIdPolicy: nameIdFormats.entity }, ['defaultNameIdPolicy'], /six/],
    ['non-string nameIdMapping', { nameIdMapping: 7 }, ['nameIdMapping'], /string or null/],
    [
      'unknown subjectIdRequirement',
      { subjectIdRequirement: 'Pairwise-ID' },
      ['subjectIdRequirement'],
      /"subject-id", "pairwise-id", "any", "none" or null/,
    ],
    [
      'non-string authnContextClassRefMapping',
      { authnContextClassRefMapping: {} },
      ['authnContextClassRefMapping'],
      /null/,
    ],
    [
      'verificationCertificates not an array',
      { verificationCertificates: spA },
      ['verificationCertificates'],
      /array/,
    ],
    [
      'a garbage certificate',
      { verificationCertificates: [spA, 'garbage'] },
      ['verificationCertificates', 1],
      /loaded/,
    ],
    [
      'a certificate of the wrong type',
      { verificationCertificates: [42] },
      ['verificationCertificates', 0],
      /KeyPair/,
    ],
    [
      'an Ed25519 certificate',
      { encryptionCertificate: fixture('ed25519.crt') },
      ['encryptionCertificate'],
      /supported/,
    ],
    [
      'an encryption certificate object',
      { encryptionCertificate: { certificate: 7 } },
      ['encryptionCertificate', 'certificate'],
      /string/,
    ],
    ['unknown field', { acs_url_typo: 'x' }, ['acs_url_typo'], /not a provider field/],
    [
      'derived durations that are not an object',
      { durations: 'x' },
      ['durations'],
      /durations of a parsed provider/,
    ],
    ['a camelCase/snake_case mix-up', { slo_url: 'x' }, ['slo_url'], /not a provider field/],
  ])('%s', (_label, patch, path, message) => {
    const issue = expectIssuePaths({ ...keyless, ...patch }, [path]);
    expect(issue.message).toMatch(message);
  });

  it.each<[string, unknown, (string | number)[], RegExp]>([
    ['a bare certificate string', fixture('idp.crt'), ['signingKeyPair'], /KeyPair or/],
    ['a number', 1, ['signingKeyPair'], /KeyPair or/],
    [
      'an object with an unknown key',
      { certificate: fixture('idp.crt'), key: 'x' },
      ['signingKeyPair'],
      /key/,
    ],
    [
      'an object without certificate',
      { privateKey: fixture('idp.key') },
      ['signingKeyPair', 'certificate'],
      /string/,
    ],
    [
      'a non-string private key',
      { certificate: fixture('idp.crt'), privateKey: 1 },
      ['signingKeyPair', 'privateKey'],
      /PEM/,
    ],
    [
      'a mismatched pair',
      { certificate: fixture('sp-b.crt'), privateKey: fixture('sp-a.key') },
      ['signingKeyPair'],
      /match/,
    ],
    [
      'an encrypted key without passphrase',
      { certificate: fixture('sp-a.crt'), privateKey: fixture('sp-a-encrypted.key') },
      ['signingKeyPair'],
      /passphrase/,
    ],
    [
      'an encrypted key with a wrong passphrase',
      { certificate: fixture('sp-a.crt'), privateKey: fixture('sp-a-encrypted.key'), passphrase: 'nope' },
      ['signingKeyPair'],
      /decrypted/,
    ],
    [
      'garbage PEM',
      { certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' },
      ['signingKeyPair'],
      /loaded/,
    ],
  ])('refuses a signing key given as %s', (_label, signingKeyPair, path, message) => {
    // signAssertion is off so that only the key problem is reported.
    const issue = expectIssuePaths({ ...keyless, signingKeyPair }, [path]);
    expect(issue.message).toMatch(message);
  });

  it('never echoes the passphrase or key material in messages', () => {
    const issues = issuesOf({
      ...keyless,
      signingKeyPair: {
        certificate: fixture('sp-a.crt'),
        privateKey: fixture('sp-a-encrypted.key'),
        passphrase: 'hunter2',
      },
    });
    const text = JSON.stringify(issues);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('PRIVATE KEY');
  });

  it.each<[string, unknown, (string | number)[], RegExp]>([
    ['options that are not an object', 'fast', ['options'], /object/],
    [
      'an unknown option',
      { resolveKeypair: () => undefined },
      ['options', 'resolveKeypair'],
      /not a parseProvider option/,
    ],
    ['a non-function resolver', { resolveKeyPair: {} }, ['options', 'resolveKeyPair'], /function/],
    ['a non-string entityId option', { entityId: 1 }, ['options', 'entityId'], /string/],
    [
      'a non-boolean unsafeAllowSha1 option',
      { unsafeAllowSha1: 'yes' },
      ['options', 'unsafeAllowSha1'],
      /boolean/,
    ],
    ['a non-boolean unsafeAllowDsa option', { unsafeAllowDsa: 1 }, ['options', 'unsafeAllowDsa'], /boolean/],
  ])('refuses %s', (_label, options, path, message) => {
    const issue = expectIssuePaths(keyless, [path], options as Parameters<typeof parseProvider>[1]);
    expect(issue.message).toMatch(message);
  });

  it('reports an invalid options.entityId at its own path', () => {
    expectIssuePaths({ acsUrl, signAssertion: false }, [['options', 'entityId']], { entityId: '' });
  });

  it('reports a missing entity ID when neither input nor options have one', () => {
    expectIssuePaths({ acsUrl, signAssertion: false }, [['entityId']]);
  });

  it('carries a readable message naming the first problem and the count', () => {
    try {
      // @ts-expect-error entityId is required (here neither the input nor the options give one)
      parseProvider({ acsUrl: 'x', signAssertion: false });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe('invalid provider config: entityId: is required (and 1 more)');
    }
  });
});

describe('regression: RSA keys shorter than 2048 bits', () => {
  // openssl writes the short key; samlkit's own generator makes only 2048-bit RSA.
  const shortCertificate = (() => {
    const dir = mkdtempSync(join(tmpdir(), 'samlkit-short-rsa-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:1024',
          '-nodes',
          '-subj',
          '/CN=short',
          '-days',
          '1',
          '-keyout',
          join(dir, 'k.pem'),
          '-out',
          join(dir, 'c.pem'),
        ],
        { stdio: 'ignore' },
      );
      return readFileSync(join(dir, 'c.pem'), 'utf8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  })();
  const input = {
    entityId: 'https://sp.example.com/metadata',
    acsUrl: 'https://sp.example.com/acs',
    verificationCertificates: [shortCertificate],
    encryptionCertificate: shortCertificate,
    signAssertion: false,
  };

  it('are refused for verification and encryption unless unsafeAllowShortRsaKeys', () => {
    const error = (() => {
      try {
        parseProvider(input);
      } catch (caught) {
        return caught;
      }
    })();
    expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
    const paths = (error as { details: { issues: { path: (string | number)[] }[] } }).details.issues.map(
      (i) => i.path.join('.'),
    );
    expect(paths).toEqual(expect.arrayContaining(['verificationCertificates.0', 'encryptionCertificate']));
    expect(parseProvider({ ...input, unsafeAllowShortRsaKeys: true }).unsafeAllowShortRsaKeys).toBe(true);
    expect(parseProvider(input, { unsafeAllowShortRsaKeys: true }).verificationCertificates[0]?.keySize).toBe(
      1024,
    );
  });
});
