import { describe, expect, it } from 'vitest';
import {
  createNameId,
  createSessionIndex,
  nameIdFormats,
  resolveNameIdPolicy,
  statusForError,
} from '../../src/index.js';
import { expectCode } from '../support/errors.js';
import {
  expectRejects,
  expectThrows,
  idpEntityId,
  postInput,
  responseXmlOf,
  secret,
  spEntityId,
  spProvider,
  ssoIdp,
} from './support.js';

const otherSp = 'https://sp-b.example.com/metadata';
const user = {
  id: 'user-42',
  email: 'alice@example.com',
  x509SubjectName: 'CN=Alice,OU=People,DC=example,DC=com',
  windowsDomainQualifiedName: 'EXAMPLE\\alice',
  sessionId: 'browser-session-1',
};
const make = (
  format: Parameters<typeof createNameId>[0]['format'],
  overrides: Partial<Parameters<typeof createNameId>[0]> = {},
) => createNameId({ format, subject: user, idpEntityId, spNameQualifier: spEntityId, secret, ...overrides });

describe('createNameId: every format', () => {
  it('emailAddress: the user email, no qualifiers', () => {
    expect(make(nameIdFormats.emailAddress)).toEqual({
      value: 'alice@example.com',
      format: nameIdFormats.emailAddress,
    });
  });

  it('persistent: pairwise per SP, stable, opaque, qualified by IdP and SP', () => {
    const first = make(nameIdFormats.persistent);
    expect(first).toEqual({
      value: expect.stringMatching(/^[0-9a-f]{64}$/),
      format: nameIdFormats.persistent,
      nameQualifier: idpEntityId,
      spNameQualifier: spEntityId,
    });
    // Stable: the same user at the same SP always gets the same value, whatever the session.
    expect(make(nameIdFormats.persistent, { subject: { ...user, sessionId: 'another' } }).value).toBe(
      first.value,
    );
    // Pairwise: another SP gets an unrelated value; so does another user.
    expect(make(nameIdFormats.persistent, { spNameQualifier: otherSp }).value).not.toBe(first.value);
    expect(make(nameIdFormats.persistent, { subject: { ...user, id: 'user-43' } }).value).not.toBe(
      first.value,
    );
    // Opaque: neither the user ID nor the email appears, and another secret gives another value.
    expect(first.value).not.toContain('user-42');
    expect(make(nameIdFormats.persistent, { secret: `${secret}!` }).value).not.toBe(first.value);
  });

  it('persistent: unambiguous inputs (no concatenation collisions)', () => {
    const a = make(nameIdFormats.persistent, { spNameQualifier: 'https://sp/a', subject: { id: 'bc' } });
    const b = make(nameIdFormats.persistent, { spNameQualifier: 'https://sp/ab', subject: { id: 'c' } });
    expect(a.value).not.toBe(b.value);
  });

  it('transient: stable within one SP session, distinct per SP and per session, random without a session', () => {
    const first = make(nameIdFormats.transient);
    expect(first).toMatchObject({
      format: nameIdFormats.transient,
      nameQualifier: idpEntityId,
      spNameQualifier: spEntityId,
    });
    expect(make(nameIdFormats.transient).value).toBe(first.value);
    expect(make(nameIdFormats.transient, { spNameQualifier: otherSp }).value).not.toBe(first.value);
    expect(
      make(nameIdFormats.transient, { subject: { ...user, sessionId: 'browser-session-2' } }).value,
    ).not.toBe(first.value);
    // Not the persistent value either, and not the SessionIndex (authentik's transient equals it, reference §10.3).
    expect(first.value).not.toBe(make(nameIdFormats.persistent).value);
    expect(first.value).not.toBe(createSessionIndex({ spEntityId, sessionId: user.sessionId, secret }));
    const { sessionId: _s, ...noSession } = user;
    const random = make(nameIdFormats.transient, { subject: noSession });
    expect(random.value).toMatch(/^_[0-9a-f]{64}$/);
    expect(make(nameIdFormats.transient, { subject: noSession }).value).not.toBe(random.value);
  });

  it('X509SubjectName and WindowsDomainQualifiedName: the values the user carries', () => {
    expect(make(nameIdFormats.x509SubjectName)).toEqual({
      value: user.x509SubjectName,
      format: nameIdFormats.x509SubjectName,
    });
    expect(make(nameIdFormats.windowsDomainQualifiedName)).toEqual({
      value: user.windowsDomainQualifiedName,
      format: nameIdFormats.windowsDomainQualifiedName,
    });
  });

  it('unspecified: the user ID', () => {
    expect(make(nameIdFormats.unspecified)).toEqual({ value: 'user-42', format: nameIdFormats.unspecified });
  });

  it('a nameId override wins for every format (authentik’s NameID mapping), qualifiers kept', () => {
    const subject = { ...user, nameId: 'legacy-7' };
    for (const format of Object.values(nameIdFormats).filter((f) => f !== nameIdFormats.entity)) {
      expect(make(format as never, { subject }).value).toBe('legacy-7');
    }
    expect(make(nameIdFormats.persistent, { subject }).spNameQualifier).toBe(spEntityId);
  });

  it('refuses a format whose value the user lacks, rather than falling back to another identifier', () => {
    const bare = { id: 'user-42' };
    expectThrows(
      () => make(nameIdFormats.emailAddress, { subject: bare }),
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
    );
    expectThrows(
      () => make(nameIdFormats.emailAddress, { subject: { ...bare, email: '' } }),
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
    );
    expectThrows(
      () => make(nameIdFormats.x509SubjectName, { subject: bare }),
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
    );
    expectThrows(
      () => make(nameIdFormats.windowsDomainQualifiedName, { subject: bare }),
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
    );
  });

  it('persistent and session-bound transient values need the secret', () => {
    const noSecret = {
      format: nameIdFormats.persistent,
      subject: user,
      idpEntityId,
      spNameQualifier: spEntityId,
    } as const;
    expectThrows(() => createNameId(noSecret), 'SAML_INPUT_INVALID');
    expectThrows(() => createNameId({ ...noSecret, format: nameIdFormats.transient }), 'SAML_INPUT_INVALID');
  });
});

describe('createSessionIndex', () => {
  it('is distinct per SP, stable within one session for one SP, and random without a session', () => {
    const a = createSessionIndex({ spEntityId, sessionId: 's1', secret });
    expect(a).toMatch(/^_[0-9a-f]{64}$/);
    expect(createSessionIndex({ spEntityId, sessionId: 's1', secret })).toBe(a);
    expect(createSessionIndex({ spEntityId: otherSp, sessionId: 's1', secret })).not.toBe(a);
    expect(createSessionIndex({ spEntityId, sessionId: 's2', secret })).not.toBe(a);
    const random = createSessionIndex({ spEntityId });
    expect(random).toMatch(/^_[0-9a-f]{64}$/);
    expect(createSessionIndex({ spEntityId })).not.toBe(random);
    expectThrows(() => createSessionIndex({ spEntityId, sessionId: 's1' }), 'SAML_INPUT_INVALID');
  });
});

describe('resolveNameIdPolicy', () => {
  const provider = spProvider({
    defaultNameIdPolicy: nameIdFormats.emailAddress,
    audience: 'urn:sp-a:audience',
  });

  it('no policy, no format or unspecified: the provider default', () => {
    const expected = { format: nameIdFormats.emailAddress, spNameQualifier: spEntityId };
    expect(resolveNameIdPolicy(provider)).toEqual(expected);
    expect(resolveNameIdPolicy(provider, { allowCreate: true })).toEqual(expected);
    expect(resolveNameIdPolicy(provider, { format: nameIdFormats.unspecified })).toEqual(expected);
    expect(resolveNameIdPolicy(spProvider(), {}).format).toBe(nameIdFormats.unspecified);
  });

  it('honours each of the six issuable formats the provider is registered for', () => {
    const formats = [
      nameIdFormats.emailAddress,
      nameIdFormats.persistent,
      nameIdFormats.transient,
      nameIdFormats.x509SubjectName,
      nameIdFormats.windowsDomainQualifiedName,
    ];
    const registered = spProvider({
      defaultNameIdPolicy: nameIdFormats.emailAddress,
      allowedNameIdFormats: formats,
    });
    for (const format of formats) {
      expect(resolveNameIdPolicy(registered, { format }).format).toBe(format);
    }
  });

  it('regression (NameID format downgrade): an SP registered for persistent asking for emailAddress gets InvalidNameIDPolicy', () => {
    const pairwise = spProvider({ defaultNameIdPolicy: nameIdFormats.persistent, allowedNameIdFormats: [] });
    expect(resolveNameIdPolicy(pairwise, { format: nameIdFormats.persistent }).format).toBe(
      nameIdFormats.persistent,
    );
    for (const format of [
      nameIdFormats.emailAddress,
      nameIdFormats.x509SubjectName,
      nameIdFormats.windowsDomainQualifiedName,
      nameIdFormats.transient,
    ]) {
      const error = expectCode(
        () => resolveNameIdPolicy(pairwise, { format }),
        'SAML_NAME_ID_POLICY_UNSUPPORTED',
      );
      expect(statusForError(error)).toMatchObject({ code: 'Requester', subCode: 'InvalidNameIDPolicy' });
    }
  });

  it('refuses formats it does not issue: entity, encrypted, Kerberos, unknown', () => {
    for (const format of [
      nameIdFormats.entity,
      'urn:oasis:names:tc:SAML:2.0:nameid-format:encrypted',
      'urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos',
      'urn:example:custom',
    ]) {
      expectThrows(() => resolveNameIdPolicy(provider, { format }), 'SAML_NAME_ID_POLICY_UNSUPPORTED');
    }
  });

  it('accepts an SPNameQualifier naming the SP (entity ID or audience) and refuses any other (no affiliations)', () => {
    expect(resolveNameIdPolicy(provider, { spNameQualifier: spEntityId }).spNameQualifier).toBe(spEntityId);
    // regression: the NameID stays in the entity ID's namespace however the SP names itself, so a
    // persistent value does not change with the request and logout finds the participant.
    expect(resolveNameIdPolicy(provider, { spNameQualifier: 'urn:sp-a:audience' }).spNameQualifier).toBe(
      spEntityId,
    );
    expectThrows(
      () => resolveNameIdPolicy(provider, { spNameQualifier: otherSp }),
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
    );
    // An empty audience does not make an empty qualifier acceptable.
    expectThrows(
      () => resolveNameIdPolicy(spProvider(), { spNameQualifier: '' }),
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
    );
  });
});

describe('NameID format allow-list through the facade', () => {
  it('regression (NameID format downgrade): the persistent-registered SP asking for emailAddress gets an InvalidNameIDPolicy Response, and IdP-initiated SSO cannot issue it either', async () => {
    const pairwise = spProvider({ defaultNameIdPolicy: nameIdFormats.persistent, allowedNameIdFormats: [] });
    const { idp } = await ssoIdp({}, pairwise);
    const result = await idp.receiveAuthnRequest(
      postInput({ nameIdPolicy: { Format: nameIdFormats.emailAddress } }),
    );
    if (result.ok) throw new Error('expected a refusal');
    expect(result.error.code).toBe('SAML_NAME_ID_POLICY_UNSUPPORTED');
    expect(result.reply?.status).toMatchObject({
      success: false,
      subCode: 'urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy',
    });
    const xml = responseXmlOf(result.reply!.form.fields);
    expect(xml).not.toContain('alice@example.com');
    expect(xml).not.toContain('<saml:Assertion');
    await expectRejects(
      idp.initiateSso(
        'sp-a',
        { id: 'u', email: 'alice@example.com' },
        { nameIdFormat: nameIdFormats.emailAddress },
      ),
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
    );
    // What it is registered for is still served.
    const ok = await idp.receiveAuthnRequest(
      postInput({ id: '_authn-request-2', nameIdPolicy: { Format: nameIdFormats.persistent } }),
    );
    expect(ok.ok ? 'ok' : ok.error.message).toBe('ok');
  });
});
