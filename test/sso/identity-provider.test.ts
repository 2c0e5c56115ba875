import { describe, expect, it } from 'vitest';
import {
  authnContextClasses,
  buildLogoutRequest,
  createIdentityProvider,
  createMemoryStore,
  createNameId,
  encodePost,
  isSamlError,
  nameIdFormats,
  parseProvider,
  statusCodes,
} from '../../src/index.js';
import { certificate, keyPair } from '../support/keys.js';
import {
  acsBindingUris,
  authnRequestXml,
  expectRejects,
  expectUnanswered,
  fixedNow,
  idpEntityId,
  idpSloUrl,
  idpSsoPost,
  idpSsoRedirect,
  postInput,
  redirectInput,
  responseXmlOf,
  rootOf,
  secret,
  spAcsUrl,
  spAcsUrl2,
  spEntityId,
  spProvider,
  ssoIdp,
} from './support.js';

const user = { id: 'user-1', email: 'alice@example.com', sessionId: 'browser-session-1' };

/** The status codes and InResponseTo of a reply's Response (test-side inspection). */
function statusOf(fields: Record<string, string>) {
  const xml = responseXmlOf(fields);
  const top = /<samlp:StatusCode Value="([^"]+)"/.exec(xml)?.[1];
  const sub = /<samlp:StatusCode Value="[^"]+"><samlp:StatusCode Value="([^"]+)"/.exec(xml)?.[1];
  const inResponseTo = /<samlp:Response [^>]*InResponseTo="([^"]+)"/.exec(xml)?.[1];
  return { top, sub, inResponseTo, hasAssertion: xml.includes('<saml:Assertion') };
}

async function refused(
  input: Parameters<typeof postInput>[0],
  options?: Parameters<typeof postInput>[1],
  provider = spProvider(),
) {
  const { idp } = await ssoIdp({}, provider);
  const result = await idp.receiveAuthnRequest(postInput(input, options));
  if (result.ok) throw new Error('expected a refusal');
  return result;
}

describe('receiveAuthnRequest: every check', () => {
  it('HTTP-POST, signed: the pending request with the default ACS and NameID format', async () => {
    const { idp } = await ssoIdp();
    const result = await idp.receiveAuthnRequest(postInput({}, { relayState: 'rs-1' }));
    expect(result).toEqual({
      ok: true,
      pending: {
        providerId: 'sp-a',
        request: expect.objectContaining({ id: '_authn-request-1', issuer: { value: spEntityId } }),
        relayState: 'rs-1',
        binding: 'post',
        signed: true,
        acs: { url: spAcsUrl, index: 0 },
        nameIdFormat: nameIdFormats.unspecified,
        spNameQualifier: spEntityId,
        receivedAt: fixedNow.getTime(),
      },
    });
    // Plain data: it survives being kept in a session store as JSON.
    if (result.ok) expect(JSON.parse(JSON.stringify(result.pending))).toEqual(result.pending);
  });

  it('HTTP-Redirect, signed over the raw query', async () => {
    const { idp } = await ssoIdp();
    const result = await idp.receiveAuthnRequest(redirectInput({ id: '_r1' }, { relayState: 'back to /x' }));
    expect(result).toMatchObject({
      ok: true,
      pending: { binding: 'redirect', signed: true, relayState: 'back to /x' },
    });
  });

  it('accepts an unsigned AuthnRequest from an SP that publishes a certificate but does not promise to sign', async () => {
    // Shibboleth SP, SimpleSAMLphp and pysaml2 at their defaults: a signing certificate in
    // their metadata, no AuthnRequestsSigned, unsigned requests (SAMLProf §4.1.4.1 allows it).
    const { idp } = await ssoIdp();
    const result = await idp.receiveAuthnRequest(postInput({}, { sign: false }));
    expect(result).toMatchObject({ ok: true, pending: { signed: false, acs: { url: spAcsUrl } } });
    const redirect = await idp.receiveAuthnRequest(redirectInput({ id: '_r2' }, { sign: false }));
    expect(redirect).toMatchObject({ ok: true, pending: { signed: false, binding: 'redirect' } });
  });

  it('requires a signature from an SP whose registration says AuthnRequestsSigned', async () => {
    const result = await refused({}, { sign: false }, spProvider({ authnRequestsSigned: true }));
    expect(result.error.code).toBe('SAML_SIGNATURE_MISSING');
    // The SP hears about it at its registered ACS; nothing of the unverified request is echoed.
    expect(result.reply?.form.url).toBe(spAcsUrl);
    expect(statusOf(result.reply!.form.fields)).toEqual({
      top: statusCodes.Requester,
      sub: statusCodes.RequestDenied,
      inResponseTo: undefined,
      hasAssertion: false,
    });
    const { idp } = await ssoIdp({}, spProvider({ authnRequestsSigned: true }));
    expect(await idp.receiveAuthnRequest(postInput({ id: '_r3' }))).toMatchObject({
      ok: true,
      pending: { signed: true },
    });
  });

  it('requires a signature from every SP when the IdP demands it (requireSignedAuthnRequests)', async () => {
    const { idp } = await ssoIdp({ sso: { secret, requireSignedAuthnRequests: true } });
    const result = await idp.receiveAuthnRequest(postInput({}, { sign: false }));
    expect(result).toMatchObject({ ok: false, error: { code: 'SAML_SIGNATURE_MISSING' } });
    expect(await idp.receiveAuthnRequest(postInput({ id: '_r2' }))).toMatchObject({ ok: true });
  });

  it('verifies a present signature even when none is required', async () => {
    const noCerts = spProvider({ verificationCertificates: [] });
    const { idp } = await ssoIdp({}, noCerts);
    expect(await idp.receiveAuthnRequest(postInput({}, { sign: false }))).toMatchObject({
      ok: true,
      pending: { signed: false },
    });
    // With no certificate to check it against, a present signature fails.
    expect(await idp.receiveAuthnRequest(postInput({ id: '_r2' }))).toMatchObject({
      ok: false,
      error: { code: 'SAML_SIGNATURE_INVALID' },
    });
  });

  it('accepts the 99-byte RelayState SimpleSAMLphp sends and returns it byte for byte', async () => {
    const relayState =
      'https://sp.example.org/simplesaml/module.php/core/authenticate.php?as=default-sp&logout=0&states=é';
    expect(Buffer.byteLength(relayState)).toBe(99);
    const { idp } = await ssoIdp();
    for (const input of [
      postInput({}, { relayState, sign: false }),
      redirectInput({ id: '_r2' }, { relayState }),
    ]) {
      const reply = await idp.respondToAuthnRequest(input, () => ({ user }));
      expect(reply.status.success).toBe(true);
      expect(reply.form.fields.RelayState).toBe(relayState);
      expect(reply.form.html).toContain('logout=0&amp;states=é');
    }
  });

  it('takes its RelayState limit from the facade option, and refuses the option out of range', async () => {
    const { idp } = await ssoIdp({ maxRelayStateBytes: 100 });
    const ok = await idp.receiveAuthnRequest(postInput({}, { relayState: 'r'.repeat(100) }));
    expect(ok).toMatchObject({ ok: true, pending: { relayState: 'r'.repeat(100) } });
    const long = await idp.receiveAuthnRequest(postInput({ id: '_r2' }, { relayState: 'r'.repeat(101) }));
    expect(long).toMatchObject({ ok: false, error: { code: 'SAML_RELAY_STATE_INVALID' } });
    for (const maxRelayStateBytes of [79, 8193, 1.5]) {
      await expectRejects(ssoIdp({ maxRelayStateBytes }), 'SAML_CONFIG_INVALID');
    }
  });

  it('refuses a request signed by another key, even another registered SP’s', async () => {
    expect((await refused({}, { key: 'sp-b' })).error.code).toBe('SAML_SIGNATURE_INVALID');
  });

  it('refuses an Issuer that is no registered provider without an answer: there is nobody to answer', async () => {
    const { idp } = await ssoIdp();
    await expectUnanswered(
      idp.receiveAuthnRequest(postInput({ issuer: 'https://unknown.example.com' })),
      'SAML_ISSUER_UNKNOWN',
    );
    await expectUnanswered(idp.receiveAuthnRequest(postInput({ issuer: undefined })), 'SAML_ISSUER_UNKNOWN');
  });

  it('Destination must be our SSO endpoint for that binding', async () => {
    expect((await refused({ destination: idpSloUrl })).error.code).toBe('SAML_DESTINATION_MISMATCH');
    expect((await refused({ destination: idpSsoRedirect })).error.code).toBe('SAML_DESTINATION_MISMATCH');
    // Signed messages must carry it (SAMLBind §3.5.5.2).
    expect((await refused({ destination: undefined })).error.code).toBe('SAML_DESTINATION_MISMATCH');
  });

  it('IssueInstant must be within the clock skew: too old or in the future is refused', async () => {
    expect((await refused({ issueInstant: '2026-04-20T09:45:00Z' })).error.code).toBe('SAML_MESSAGE_EXPIRED');
    expect((await refused({ issueInstant: '2026-04-20T10:05:00Z' })).error.code).toBe('SAML_MESSAGE_EXPIRED');
    const { idp } = await ssoIdp();
    expect(await idp.receiveAuthnRequest(postInput({ issueInstant: '2026-04-20T10:02:00Z' }))).toMatchObject({
      ok: true,
    });
  });

  it('refuses a replayed request', async () => {
    const { idp } = await ssoIdp();
    const input = postInput();
    expect((await idp.receiveAuthnRequest(input)).ok).toBe(true);
    expect(await idp.receiveAuthnRequest(input)).toMatchObject({
      ok: false,
      error: { code: 'SAML_REPLAY_DETECTED' },
    });
  });

  it('never an unregistered ACS: the refusal goes to the registered default, answering the request', async () => {
    const result = await refused({ acsUrl: 'https://evil.example.com/acs' });
    expect(result.error.code).toBe('SAML_ACS_NOT_REGISTERED');
    expect(result.reply?.form.url).toBe(spAcsUrl);
    expect(statusOf(result.reply!.form.fields)).toMatchObject({
      top: statusCodes.Requester,
      sub: statusCodes.RequestDenied,
      inResponseTo: '_authn-request-1',
    });
    expect(responseXmlOf(result.reply!.form.fields)).not.toContain('evil.example.com');
    expect((await refused({ acsIndex: '9' })).error.code).toBe('SAML_ACS_NOT_REGISTERED');
  });

  it('a registered ACS named by URL or index is the one answered', async () => {
    const provider = spProvider({
      assertionConsumerServices: [
        { url: spAcsUrl, index: 0 },
        { url: spAcsUrl2, index: 1 },
      ],
    });
    const byIndex = await (await ssoIdp({}, provider)).idp.receiveAuthnRequest(postInput({ acsIndex: '1' }));
    expect(byIndex).toMatchObject({ ok: true, pending: { acs: { url: spAcsUrl2, index: 1 } } });
    const byUrl = await (await ssoIdp({}, provider)).idp.receiveAuthnRequest(
      postInput({ acsUrl: spAcsUrl2, protocolBinding: acsBindingUris.post }),
    );
    expect(byUrl).toMatchObject({ ok: true, pending: { acs: { url: spAcsUrl2, index: 1 } } });
  });

  it('ProtocolBinding other than HTTP-POST is refused with UnsupportedBinding', async () => {
    const result = await refused({ protocolBinding: acsBindingUris.redirect });
    expect(result.error.code).toBe('SAML_BINDING_UNSUPPORTED');
    expect(statusOf(result.reply!.form.fields)).toMatchObject({ sub: statusCodes.UnsupportedBinding });
    expect((await refused({ protocolBinding: acsBindingUris.artifact })).error.code).toBe(
      'SAML_BINDING_UNSUPPORTED',
    );
  });

  it('a NameIDPolicy this IdP cannot honour is refused with InvalidNameIDPolicy', async () => {
    for (const policy of [
      { Format: nameIdFormats.entity },
      { SPNameQualifier: 'https://sp-b.example.com/metadata' },
    ]) {
      const result = await refused({ nameIdPolicy: policy });
      expect(result.error.code).toBe('SAML_NAME_ID_POLICY_UNSUPPORTED');
      expect(statusOf(result.reply!.form.fields)).toMatchObject({
        top: statusCodes.Requester,
        sub: statusCodes.InvalidNameIDPolicy,
        inResponseTo: '_authn-request-1',
      });
    }
  });

  it('returns ForceAuthn, IsPassive, NameIDPolicy and RequestedAuthnContext to the caller', async () => {
    const { idp } = await ssoIdp();
    const result = await idp.receiveAuthnRequest(
      postInput({
        forceAuthn: 'true',
        isPassive: 'true',
        nameIdPolicy: { Format: nameIdFormats.persistent, AllowCreate: 'false', SPNameQualifier: spEntityId },
        requestedAuthnContext: { classRefs: [authnContextClasses.passwordProtectedTransport] },
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      pending: {
        nameIdFormat: nameIdFormats.persistent,
        request: {
          forceAuthn: true,
          isPassive: true,
          nameIdPolicy: { format: nameIdFormats.persistent, allowCreate: false, spNameQualifier: spEntityId },
          requestedAuthnContext: {
            comparison: 'exact',
            classRefs: [authnContextClasses.passwordProtectedTransport],
          },
        },
      },
    });
  });

  it('refuses without an answer what is not an AuthnRequest, SOAP, and a binding without an SSO endpoint', async () => {
    const { idp } = await ssoIdp();
    const logout = encodePost({
      type: 'SAMLRequest',
      xml: buildLogoutRequest({ issuer: spEntityId, destination: idpSsoPost, nameId: { value: 'a' } }).xml,
      destination: idpSsoPost,
      sign: { key: keyPair('sp-a') },
    });
    await expectUnanswered(
      idp.receiveAuthnRequest({ method: 'POST', body: logout.fields }),
      'SAML_MESSAGE_TYPE_MISMATCH',
    );
    await expectUnanswered(
      idp.receiveAuthnRequest({ method: 'POST', contentType: 'text/xml', body: authnRequestXml() }),
      'SAML_BINDING_PARAMETER_INVALID',
    );
    const postOnly = await ssoIdp({
      endpoints: { sloRedirect: idpSloUrl, sloPost: idpSloUrl, ssoPost: idpSsoPost },
    });
    await expectUnanswered(
      postOnly.idp.receiveAuthnRequest(redirectInput()),
      'SAML_BINDING_PARAMETER_INVALID',
    );
    // No sso settings: calling an SSO method is the caller's mistake, a TypeError.
    const noSso = await ssoIdp({ sso: undefined, endpoints: { sloRedirect: idpSloUrl, sloPost: idpSloUrl } });
    await expect(noSso.idp.receiveAuthnRequest(postInput())).rejects.toThrow(TypeError);
    await expect(noSso.idp.initiateSso('sp-a', { id: 'u' })).rejects.toThrow(TypeError);
  });

  it('checks the SSO options when the facade is created', () => {
    let issues: unknown;
    try {
      createIdentityProvider({
        entityId: idpEntityId,
        signing: { key: keyPair('idp') },
        store: createMemoryStore(),
        endpoints: { sloRedirect: idpSloUrl, sloPost: idpSloUrl, ssoPost: 'not a url' },
        sso: { secret: 'too short', requireSignedAuthnRequests: 'yes' as never, authnRequestTtlMs: -1 },
      });
    } catch (error) {
      issues = isSamlError(error, 'SAML_CONFIG_INVALID') ? error.details?.issues.map((i) => i.path) : error;
    }
    expect(issues).toEqual([
      ['endpoints', 'ssoPost'],
      ['sso', 'secret'],
      ['sso', 'requireSignedAuthnRequests'],
      ['sso', 'authnRequestTtlMs'],
    ]);
  });
});

describe('completeAuthnRequest', () => {
  async function pendingFor(
    input = postInput({}, { relayState: 'rs-1' }),
    options = {},
    provider = spProvider(),
  ) {
    const context = await ssoIdp(options, provider);
    const result = await context.idp.receiveAuthnRequest(input);
    if (!result.ok) throw result.error;
    return { ...context, pending: result.pending };
  }

  it('answers with a signed Response by HTTP-POST to the ACS and records the session participant', async () => {
    const { idp, store, pending } = await pendingFor();
    const reply = await idp.completeAuthnRequest(pending, { user });
    expect(reply).toMatchObject({
      kind: 'post',
      providerId: 'sp-a',
      inResponseTo: '_authn-request-1',
      status: { code: statusCodes.Success, success: true },
      nameId: { value: 'user-1', format: nameIdFormats.unspecified },
      sessionIndex: expect.stringMatching(/^_[0-9a-f]{64}$/),
    });
    expect(reply.form.url).toBe(spAcsUrl);
    expect(Object.keys(reply.form.fields)).toEqual(['SAMLResponse', 'RelayState']);
    expect(reply.form.fields.RelayState).toBe('rs-1');
    const xml = responseXmlOf(reply.form.fields);
    expect(rootOf(xml).getAttribute('ID')).toBe(reply.responseId);
    expect(xml).toContain(`ID="${reply.assertionId}"`);
    expect(xml).toContain('<ds:Signature');
    const participants = await store.listParticipantsByUser('user-1', fixedNow.getTime());
    expect(participants).toEqual([
      {
        id: reply.participant!.id,
        providerId: 'sp-a',
        userId: 'user-1',
        nameId: reply.nameId,
        sessionIndex: reply.sessionIndex,
        createdAt: fixedNow.getTime(),
        expiresAt: fixedNow.getTime() + 86_400 * 60_000,
      },
    ]);
  });

  it('issues the pairwise persistent NameID the policy asks for', async () => {
    const { idp, pending } = await pendingFor(
      postInput({ nameIdPolicy: { Format: nameIdFormats.persistent } }),
    );
    const reply = await idp.completeAuthnRequest(pending, { user });
    expect(reply.nameId).toEqual(
      createNameId({
        format: nameIdFormats.persistent,
        subject: user,
        idpEntityId,
        spNameQualifier: spEntityId,
        secret,
      }),
    );
    expect(responseXmlOf(reply.form.fields)).toContain(`SPNameQualifier="${spEntityId}"`);
  });

  it('signing in to the same SP again in one session replaces its participant; another SP gets its own SessionIndex', async () => {
    const store = createMemoryStore();
    const spB = parseProvider({
      entityId: 'https://sp-b.example.com/metadata',
      acsUrl: 'https://sp-b.example.com/acs',
      signingKeyPair: keyPair('idp'),
      verificationCertificates: [certificate('sp-b')],
    });
    await store.putProvider('sp-b', spB);
    const { idp } = await ssoIdp({ store });
    const first = await idp.initiateSso('sp-a', user);
    const again = await idp.initiateSso('sp-a', user);
    const other = await idp.initiateSso('sp-b', user);
    expect(again.sessionIndex).toBe(first.sessionIndex);
    expect(other.sessionIndex).not.toBe(first.sessionIndex);
    const participants = await store.listParticipantsByUser('user-1', fixedNow.getTime());
    expect(participants.map((p) => p.providerId).sort()).toEqual(['sp-a', 'sp-b']);
  });

  it('ForceAuthn: the answer needs an authentication made after the request arrived', async () => {
    const input = () => postInput({ forceAuthn: 'true' });
    const { idp, pending } = await pendingFor(input());
    await expectRejects(idp.completeAuthnRequest(pending, { user }), 'SAML_INPUT_INVALID');
    await expectRejects(
      idp.completeAuthnRequest(pending, {
        user: { ...user, authnInstant: new Date(fixedNow.getTime() - 1) },
      }),
      'SAML_INPUT_INVALID',
    );
    const reply = await idp.completeAuthnRequest(pending, { user: { ...user, authnInstant: fixedNow } });
    expect(reply.status.success).toBe(true);
  });

  it('IsPassive: the caller refuses with NoPassive; nothing is recorded', async () => {
    const { idp, store, pending } = await pendingFor(postInput({ isPassive: 'true' }));
    expect(pending.request.isPassive).toBe(true);
    const reply = await idp.completeAuthnRequest(pending, {
      status: { code: 'Responder', subCode: 'NoPassive' },
    });
    expect(reply.status).toEqual({
      code: statusCodes.Responder,
      subCode: statusCodes.NoPassive,
      success: false,
    });
    expect(statusOf(reply.form.fields)).toMatchObject({
      inResponseTo: '_authn-request-1',
      hasAssertion: false,
    });
    expect(reply.participant).toBeUndefined();
    expect(await store.listParticipantsByUser('user-1', fixedNow.getTime())).toEqual([]);
  });

  it('RequestedAuthnContext: an authentication that does not satisfy it is answered NoAuthnContext', async () => {
    const input = () =>
      postInput({ requestedAuthnContext: { classRefs: [authnContextClasses.passwordProtectedTransport] } });
    const { idp, pending } = await pendingFor(input());
    const refusal = await idp.completeAuthnRequest(pending, { user });
    expect(refusal.status).toMatchObject({
      code: statusCodes.Responder,
      subCode: statusCodes.NoAuthnContext,
    });
    const second = await pendingFor(input());
    const ok = await second.idp.completeAuthnRequest(second.pending, {
      user: { ...user, authnContextClassRef: authnContextClasses.passwordProtectedTransport },
    });
    expect(ok.status.success).toBe(true);
    expect(responseXmlOf(ok.form.fields)).toContain(authnContextClasses.passwordProtectedTransport);
  });

  it('minimum comparison uses the configured rank', async () => {
    const rank = [
      authnContextClasses.passwordProtectedTransport,
      authnContextClasses.mobileTwoFactorContract,
    ];
    const { idp, pending } = await pendingFor(
      postInput({ requestedAuthnContext: { comparison: 'minimum', classRefs: [rank[0]!] } }),
      { sso: { secret, authnContextRank: rank } },
    );
    const reply = await idp.completeAuthnRequest(pending, {
      user: { ...user, authnContextClassRef: rank[1]! },
    });
    expect(reply.status.success).toBe(true);
  });

  it('a user without the value the format needs gets Responder/InvalidNameIDPolicy, no participant', async () => {
    const { idp, store, pending } = await pendingFor(
      postInput({ nameIdPolicy: { Format: nameIdFormats.emailAddress } }),
    );
    const reply = await idp.completeAuthnRequest(pending, { user: { id: 'user-1' } });
    expect(reply.status).toMatchObject({
      code: statusCodes.Responder,
      subCode: statusCodes.InvalidNameIDPolicy,
    });
    expect(await store.listParticipantsByUser('user-1', fixedNow.getTime())).toEqual([]);
  });

  it('a request about a named Subject is answered only about that subject (SAMLProf §4.1.4.1)', async () => {
    const subject = { value: 'bob@example.com', format: nameIdFormats.emailAddress };
    const { idp, pending } = await pendingFor(
      postInput({ subject, nameIdPolicy: { Format: nameIdFormats.emailAddress } }),
    );
    const reply = await idp.completeAuthnRequest(pending, { user });
    expect(reply.status).toMatchObject({ code: statusCodes.Responder, subCode: statusCodes.AuthnFailed });
    const other = await pendingFor(
      postInput({ subject, nameIdPolicy: { Format: nameIdFormats.emailAddress } }),
    );
    const ok = await other.idp.completeAuthnRequest(other.pending, {
      user: { id: 'bob', email: 'bob@example.com' },
    });
    expect(ok.status.success).toBe(true);
  });

  it('answers each request once: a second completion is refused', async () => {
    const { idp, pending } = await pendingFor();
    await idp.completeAuthnRequest(pending, { user });
    await expectRejects(idp.completeAuthnRequest(pending, { user }), 'SAML_REPLAY_DETECTED');
    await expectRejects(
      idp.completeAuthnRequest(pending, { status: { code: 'Responder' } }),
      'SAML_REPLAY_DETECTED',
    );
  });

  it('refuses a stale pending request, a Success "refusal", and an ACS no longer registered', async () => {
    let now = fixedNow.getTime();
    const clock = () => new Date(now);
    const stale = await pendingFor(postInput(), { clock, sso: { secret, authnRequestTtlMs: 60_000 } });
    now += 60_001;
    await expectRejects(stale.idp.completeAuthnRequest(stale.pending, { user }), 'SAML_MESSAGE_EXPIRED');

    const { idp, store, pending } = await pendingFor();
    await expectRejects(
      idp.completeAuthnRequest(pending, { status: { code: 'Success' } }),
      'SAML_INPUT_INVALID',
    );
    // A decision of the wrong shape is the calling code's mistake.
    await expect(idp.completeAuthnRequest(pending, {} as never)).rejects.toThrow(TypeError);
    await expectRejects(idp.completeAuthnRequest(pending, { user: { id: '' } }), 'SAML_INPUT_INVALID');
    await store.putProvider('sp-a', spProvider({ acsUrl: spAcsUrl2 }));
    await expectRejects(idp.completeAuthnRequest(pending, { user }), 'SAML_ACS_NOT_REGISTERED');
  });
});

describe('respondToAuthnRequest (one call)', () => {
  it('receives, lets the caller decide, builds, signs and records', async () => {
    const { idp, store } = await ssoIdp();
    const reply = await idp.respondToAuthnRequest(redirectInput({}, { relayState: 'rs' }), (pending) => {
      expect(pending.request.id).toBe('_authn-request-1');
      return { user };
    });
    expect(reply).toMatchObject({
      status: { success: true },
      form: { url: spAcsUrl, fields: { RelayState: 'rs' } },
    });
    expect(await store.listParticipantsByUser('user-1', fixedNow.getTime())).toHaveLength(1);
  });

  it('returns the error Response for a bad request without asking the caller, and throws for an unknown Issuer', async () => {
    const { idp } = await ssoIdp();
    let asked = false;
    const reply = await idp.respondToAuthnRequest(
      postInput({ acsUrl: 'https://evil.example.com/acs' }),
      () => {
        asked = true;
        return { user };
      },
    );
    expect(asked).toBe(false);
    expect(reply.status).toMatchObject({ code: statusCodes.Requester, subCode: statusCodes.RequestDenied });
    await expectRejects(
      idp.respondToAuthnRequest(postInput({ issuer: 'https://nobody.example.com' }), () => ({ user })),
      'SAML_ISSUER_UNKNOWN',
    );
  });
});

describe('initiateSso (IdP-initiated, unsolicited)', () => {
  it('sends an unsolicited Response with the provider’s defaultRelayState and records the participant', async () => {
    const { idp, store } = await ssoIdp({}, spProvider({ defaultRelayState: '/welcome' }));
    const reply = await idp.initiateSso('sp-a', user);
    expect(reply.form.url).toBe(spAcsUrl);
    expect(reply.form.fields.RelayState).toBe('/welcome');
    expect(reply.inResponseTo).toBeUndefined();
    expect(responseXmlOf(reply.form.fields)).not.toContain('InResponseTo');
    expect(reply.status.success).toBe(true);
    expect(await store.listParticipantsByUser('user-1', fixedNow.getTime())).toHaveLength(1);
    const override = await idp.initiateSso('sp-a', user, {
      relayState: '/other',
      nameIdFormat: nameIdFormats.emailAddress,
    });
    expect(override.form.fields.RelayState).toBe('/other');
    expect(override.nameId).toEqual({ value: 'alice@example.com', format: nameIdFormats.emailAddress });
  });

  it('without a defaultRelayState there is no RelayState; a registered ACS can be chosen by index', async () => {
    const provider = spProvider({
      assertionConsumerServices: [
        { url: spAcsUrl, index: 0 },
        { url: spAcsUrl2, index: 5 },
      ],
    });
    const { idp } = await ssoIdp({}, provider);
    const reply = await idp.initiateSso('sp-a', user, { acsIndex: 5 });
    expect(reply.form.url).toBe(spAcsUrl2);
    expect(reply.form.fields).not.toHaveProperty('RelayState');
    await expectRejects(idp.initiateSso('sp-a', user, { acsIndex: 6 }), 'SAML_ACS_NOT_REGISTERED');
  });

  it('throws what an SP-initiated request would have been told: no such provider, format or user value', async () => {
    const { idp } = await ssoIdp();
    await expectRejects(idp.initiateSso('nobody', user), 'SAML_ISSUER_UNKNOWN');
    await expectRejects(
      idp.initiateSso('sp-a', { id: 'u' }, { nameIdFormat: nameIdFormats.emailAddress }),
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
    );
    await expectRejects(
      idp.initiateSso('sp-a', user, { nameIdFormat: nameIdFormats.entity as never }),
      'SAML_NAME_ID_POLICY_UNSUPPORTED',
    );
    await expectRejects(
      idp.initiateSso('sp-a', { id: 'u', authnInstant: new Date('x') }),
      'SAML_INPUT_INVALID',
    );
  });
});

describe('SSO then Single Logout', () => {
  it('the participant recorded at SSO is what an SP-initiated LogoutRequest ends', async () => {
    const { idp, store } = await ssoIdp();
    const reply = await idp.respondToAuthnRequest(
      postInput({ nameIdPolicy: { Format: nameIdFormats.persistent } }),
      () => ({
        user,
      }),
    );
    const logout = buildLogoutRequest({
      issuer: spEntityId,
      destination: idpSloUrl,
      nameId: reply.nameId!,
      sessionIndex: reply.sessionIndex!,
      issueInstant: fixedNow,
    });
    const form = encodePost({
      type: 'SAMLRequest',
      xml: logout.xml,
      destination: idpSloUrl,
      sign: { key: keyPair('sp-a') },
    });
    const result = await idp.handleLogoutRequest({ method: 'POST', body: form.fields });
    expect(result).toMatchObject({ status: 'Success', userId: 'user-1', complete: true });
    expect(await store.listParticipantsByUser('user-1', fixedNow.getTime())).toEqual([]);
  });
});
