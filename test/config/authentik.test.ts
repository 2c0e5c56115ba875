import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type AuthentikSamlProviderJson,
  type Issue,
  isSamlError,
  type KeyPairInput,
  type KeyPairResolver,
  loadKeyPair,
  nameIdFormats,
  type ParseProviderOptions,
  parseProvider,
  signatureAlgorithms,
} from '../../src/index.js';

function keyFixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url), 'utf8');
}

const example: AuthentikSamlProviderJson = JSON.parse(
  readFileSync(new URL('../../fixtures/authentik/provider.json', import.meta.url), 'utf8'),
);

const signingUuid = '5a1c9e0b-2d4f-4e8a-9b7c-6d3e1f0a2b4c';
const verificationUuid = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const encryptionUuid = '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9';

const idp = loadKeyPair({ certificate: keyFixture('idp.crt'), privateKey: keyFixture('idp.key') });
/** authentik's CertificateKeyPair table, as a caller would expose it. */
const keyPairs = new Map<string, ReturnType<KeyPairResolver>>([
  [signingUuid, idp],
  [verificationUuid, { certificate: keyFixture('sp-a.crt') } satisfies KeyPairInput],
  [encryptionUuid, { certificate: keyFixture('sp-b.crt') }],
]);
const resolveKeyPair: KeyPairResolver = (uuid) => keyPairs.get(uuid);

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

/** The smallest authentik JSON that parses: no keys, so nothing is signed. */
const minimal = {
  acs_url: 'https://sp.example.org/acs',
  audience: 'https://sp.example.org/metadata',
  sign_assertion: false,
};

describe('parseProvider with authentik JSON', () => {
  it('parses the example GET /api/v3/providers/saml/:id/ response', () => {
    const provider = parseProvider(example, { resolveKeyPair });
    expect(provider).toMatchObject({
      entityId: 'https://wiki.example.org/saml/metadata',
      name: 'Wiki (SAML)',
      acsUrl: 'https://wiki.example.org/saml/acs',
      spBinding: 'post',
      audience: 'https://wiki.example.org/saml/metadata',
      issuer: 'https://auth.example.org/application/saml/wiki/metadata/',
      slsUrl: 'https://wiki.example.org/saml/sls',
      slsBinding: 'post',
      logoutMethod: 'backchannel',
      sessionValidNotOnOrAfter: 'hours=8',
      durations: {
        assertionValidNotBefore: -300_000,
        assertionValidNotOnOrAfter: 300_000,
        sessionValidNotOnOrAfter: 28_800_000,
      },
      signatureAlgorithm: signatureAlgorithms.rsaSha256,
      encryptionCertificate: null,
      signAssertion: true,
      signResponse: true,
      signLogoutRequest: true,
      signLogoutResponse: true,
      defaultNameIdPolicy: nameIdFormats.emailAddress,
      nameIdMapping: null,
      unsafeAllowSha1: false,
    });
    expect(provider.signingKeyPair).toBe(idp);
    expect(provider.verificationCertificates).toHaveLength(1);
    expect(provider.verificationCertificates[0]?.subject).toContain('sp-a.samlkit.test');
    expect(Object.isFrozen(provider)).toBe(true);
  });

  it('ignores every read-only field', () => {
    const withoutReadOnly = Object.fromEntries(
      Object.entries(example).filter(
        ([key]) =>
          !/^(pk|component|verbose_name.*|meta_model_name|assigned_.*|url_.*|.*_flow|property_mappings)$/.test(
            key,
          ),
      ),
    );
    expect(Object.keys(withoutReadOnly).length).toBeLessThan(Object.keys(example).length - 15);
    expect(parseProvider(withoutReadOnly as AuthentikSamlProviderJson, { resolveKeyPair })).toEqual(
      parseProvider(example, { resolveKeyPair }),
    );
  });

  it('applies authentik’s defaults to absent fields', () => {
    const provider = parseProvider(minimal);
    expect(provider).toMatchObject({
      spBinding: 'redirect',
      issuer: '',
      slsBinding: 'redirect',
      logoutMethod: 'frontchannel_iframe',
      assertionValidNotBefore: 'minutes=-5',
      sessionValidNotOnOrAfter: 'minutes=86400',
      signingKeyPair: null,
      verificationCertificates: [],
      defaultNameIdPolicy: nameIdFormats.unspecified,
    });
  });

  it('maps null keypairs to null and an empty certificate list', () => {
    const provider = parseProvider({
      ...minimal,
      signing_kp: null,
      verification_kp: null,
      encryption_kp: null,
    });
    expect(provider.signingKeyPair).toBeNull();
    expect(provider.verificationCertificates).toEqual([]);
    expect(provider.encryptionCertificate).toBeNull();
  });

  it('resolves the encryption keypair', () => {
    const provider = parseProvider({ ...minimal, encryption_kp: encryptionUuid }, { resolveKeyPair });
    expect(provider.encryptionCertificate?.subject).toContain('sp-b.samlkit.test');
  });

  it('accepts upper-case UUIDs and passes them through as given', () => {
    const seen: string[] = [];
    parseProvider(
      { ...minimal, verification_kp: verificationUuid.toUpperCase() },
      {
        resolveKeyPair: (uuid) => {
          seen.push(uuid);
          return keyPairs.get(uuid.toLowerCase());
        },
      },
    );
    expect(seen).toEqual([verificationUuid.toUpperCase()]);
  });

  it('keeps authentik’s mapping references as opaque strings', () => {
    const provider = parseProvider({
      ...minimal,
      name_id_mapping: '11111111-2222-4333-8444-555555555555',
      authn_context_class_ref_mapping: '66666666-7777-4888-9999-000000000000',
    });
    expect(provider.nameIdMapping).toBe('11111111-2222-4333-8444-555555555555');
    expect(provider.authnContextClassRefMapping).toBe('66666666-7777-4888-9999-000000000000');
  });
});

describe('parseProvider with authentik JSON: the SP entity ID', () => {
  it('comes from a non-empty audience', () => {
    expect(parseProvider(minimal).entityId).toBe(minimal.audience);
  });

  it('comes from options.entityId first', () => {
    expect(parseProvider(minimal, { entityId: 'urn:sp:wiki' }).entityId).toBe('urn:sp:wiki');
    expect(parseProvider({ ...minimal, audience: '' }, { entityId: 'urn:sp:wiki' }).entityId).toBe(
      'urn:sp:wiki',
    );
  });

  it.each([
    ['empty', { ...minimal, audience: '' }],
    ['absent', { acs_url: minimal.acs_url, sign_assertion: false }],
  ])('is an issue at audience when the audience is %s and no option is set', (_label, input) => {
    const issues = issuesOf(input);
    expect(issues).toEqual([{ path: ['audience'], message: expect.stringMatching(/options\.entityId/) }]);
  });

  it('does not report twice when the audience has the wrong type', () => {
    expect(pathsOf({ ...minimal, audience: 5 })).toEqual([['audience']]);
  });

  it('reports a bad options.entityId at the options path', () => {
    expect(pathsOf(minimal, { entityId: ' urn:sp ' })).toEqual([['options', 'entityId']]);
  });

  it('reports an audience-derived entity ID problem at audience', () => {
    expect(pathsOf({ ...minimal, audience: 'a'.repeat(1025) })).toEqual([['audience'], ['audience']]);
  });
});

describe('parseProvider with authentik JSON: errors use snake_case paths', () => {
  it.each<[string, Record<string, unknown>, (string | number)[][]]>([
    ['a relative acs_url', { acs_url: '/acs' }, [['acs_url']]],
    ['an unknown sp_binding', { sp_binding: 'artifact' }, [['sp_binding']]],
    ['a bad duration', { assertion_valid_not_before: 'minutes=inf' }, [['assertion_valid_not_before']]],
    ['a bad session duration', { session_valid_not_on_or_after: '' }, [['session_valid_not_on_or_after']]],
    ['a bad sls_url', { sls_url: 'nope' }, [['sls_url']]],
    ['a long default_relay_state', { default_relay_state: 'x'.repeat(81) }, [['default_relay_state']]],
    ['an unknown default_name_id_policy', { default_name_id_policy: 'email' }, [['default_name_id_policy']]],
    ['a non-boolean sign_response', { sign_response: 'false' }, [['sign_response']]],
    [
      'sign_logout_request with a certificate-only signing_kp',
      { sign_response: false, sign_logout_request: true, signing_kp: verificationUuid },
      [['sign_logout_request']],
    ],
    [
      'sign_assertion with a certificate-only signing_kp',
      { sign_response: false, sign_assertion: true, signing_kp: verificationUuid },
      [['sign_assertion']],
    ],
    [
      'a SHA-1 digest',
      { digest_algorithm: 'http://www.w3.org/2000/09/xmldsig#sha1' },
      [['digest_algorithm']],
    ],
    ['an issuer with whitespace', { issuer: 'authentik ' }, [['issuer']]],
    ['a camelCase key', { acsUrl: 'https://sp.example.org/acs' }, [['acsUrl']]],
    ['an unknown key', { metadata_url: 'https://sp.example.org/md' }, [['metadata_url']]],
    ['a post-snapshot key', { issuer_override: 'urn:idp' }, [['issuer_override']]],
    ['samlkit’s own unsafe flag', { unsafe_allow_sha1: true }, [['unsafe_allow_sha1']]],
    [
      'backchannel over redirect (authentik’s dead auto-correction)',
      { logout_method: 'backchannel', sls_url: 'https://sp.example.org/sls', sls_binding: 'redirect' },
      [['sls_binding']],
    ],
    ['backchannel without sls_url', { logout_method: 'backchannel', sls_binding: 'post' }, [['sls_url']]],
  ])('%s', (_label, patch, paths) => {
    expect(pathsOf({ ...minimal, ...patch }, { resolveKeyPair })).toEqual(paths);
  });

  it('names authentik’s fields and the options in messages', () => {
    const [issue] = issuesOf(
      { ...minimal, sign_response: true, signing_kp: verificationUuid },
      { resolveKeyPair },
    );
    expect(issue?.message).toMatch(/signing_kp has no private key/);
    const [sha1] = issuesOf({ ...minimal, digest_algorithm: 'http://www.w3.org/2000/09/xmldsig#sha1' });
    expect(sha1?.message).toMatch(/options\.unsafeAllowSha1/);
    const [backchannel] = issuesOf({ ...minimal, logout_method: 'backchannel', sls_binding: 'post' });
    expect(backchannel?.message).toMatch(/logout_method/);
  });

  it('accepts SHA-1 through options.unsafeAllowSha1', () => {
    const provider = parseProvider(
      { ...minimal, digest_algorithm: 'http://www.w3.org/2000/09/xmldsig#sha1' },
      { unsafeAllowSha1: true },
    );
    expect(provider.unsafeAllowSha1).toBe(true);
  });

  it('reports a signing key of the wrong type for the algorithm at signature_algorithm', () => {
    const ec = loadKeyPair({
      certificate: keyFixture('idp-ec-p-256.crt'),
      privateKey: keyFixture('idp-ec-p-256.key'),
    });
    expect(
      pathsOf({ ...minimal, sign_assertion: true, signing_kp: signingUuid }, { resolveKeyPair: () => ec }),
    ).toEqual([['signature_algorithm']]);
  });
});

describe('parseProvider with authentik JSON: keypair UUIDs', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['signing_kp', { signing_kp: signingUuid, sign_assertion: true }, /resolveKeyPair is not set/],
    ['verification_kp', { verification_kp: verificationUuid }, /resolveKeyPair is not set/],
    ['encryption_kp', { encryption_kp: encryptionUuid }, /resolveKeyPair is not set/],
  ])('refuses %s without a resolver', (field, patch, message) => {
    expect(issuesOf({ ...minimal, ...patch })).toEqual([
      { path: [field], message: expect.stringMatching(message) },
    ]);
  });

  it('refuses a UUID the resolver does not know', () => {
    const issues = issuesOf(
      { ...minimal, verification_kp: '00000000-0000-4000-8000-000000000000' },
      { resolveKeyPair },
    );
    expect(issues).toEqual([{ path: ['verification_kp'], message: expect.stringMatching(/does not know/) }]);
  });

  it.each([
    ['a non-UUID string', 'idp-signing'],
    ['a number', 3],
    ['an embedded keypair object', { certificate: 'x' }],
  ])('refuses %s in a keypair field', (_label, value) => {
    expect(issuesOf({ ...minimal, encryption_kp: value }, { resolveKeyPair })).toEqual([
      { path: ['encryption_kp'], message: 'must be a keypair UUID or null' },
    ]);
  });

  it('turns a throwing resolver into an issue and keeps the error as cause', () => {
    const failure = new Error('database down');
    try {
      parseProvider(
        { ...minimal, verification_kp: verificationUuid },
        {
          resolveKeyPair: () => {
            throw failure;
          },
        },
      );
      expect.unreachable();
    } catch (error) {
      expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
      expect((error as Error).cause).toBe(failure);
      expect((error as { details: { issues: Issue[] } }).details.issues).toEqual([
        { path: ['verification_kp'], message: expect.stringMatching(/resolveKeyPair failed/) },
      ]);
    }
  });

  it('reports key material the resolver returns but that does not load, at the keypair field', () => {
    const issues = issuesOf(
      { ...minimal, sign_assertion: true, signing_kp: signingUuid },
      { resolveKeyPair: () => ({ certificate: keyFixture('sp-b.crt'), privateKey: keyFixture('sp-a.key') }) },
    );
    expect(issues).toEqual([{ path: ['signing_kp'], message: expect.stringMatching(/does not match/) }]);
  });

  it('reports a bad resolved verification certificate at verification_kp (no index)', () => {
    const issues = issuesOf(
      { ...minimal, verification_kp: verificationUuid },
      { resolveKeyPair: () => ({ certificate: 'junk' }) },
    );
    expect(issues.map((issue) => issue.path)).toEqual([['verification_kp']]);
  });

  it('skips the signing rules for an unresolved key rather than reporting them twice', () => {
    expect(pathsOf({ ...minimal, sign_assertion: true, signing_kp: signingUuid })).toEqual([['signing_kp']]);
  });
});
