/**
 * Interop, Single Sign-On: samlkit's IdP facade against @node-saml/node-saml
 * 5.1.0 as the SP. node-saml builds and signs the AuthnRequests (Redirect and
 * POST) that samlkit checks, and validates the Responses samlkit answers with:
 * signature on the assertion, on the response, on both, and an encrypted
 * assertion, with InResponseTo checked against node-saml's own request cache.
 */
import { SAML, type SamlConfig, ValidateInResponseTo } from '@node-saml/node-saml';
import { describe, expect, it } from 'vitest';
import {
  attributeNameFormats,
  authnContextClasses,
  createIdentityProvider,
  createMemoryStore,
  type HttpInput,
  nameIdFormats,
  type ProviderInput,
  parseProvider,
  statusCodes,
} from '../../src/index.js';
import { certificate, certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import { idpEntityId, idpSloUrl, idpSsoUrl, spAcsUrl, spEntityId } from './support.js';

const secret = 'node-saml interop secret, at least thirty-two bytes';

/** node-saml as a strict SP: it signs its requests and checks InResponseTo, Issuer and Audience. */
function nodeSamlSp(overrides: Partial<SamlConfig> = {}): SAML {
  return new SAML({
    callbackUrl: spAcsUrl,
    entryPoint: idpSsoUrl,
    logoutUrl: idpSloUrl,
    issuer: spEntityId,
    audience: spEntityId,
    idpCert: certificatePem('idp'),
    idpIssuer: idpEntityId,
    privateKey: privateKeyPem('sp-a'),
    signatureAlgorithm: 'sha256',
    validateInResponseTo: ValidateInResponseTo.always,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    ...overrides,
  });
}

/** samlkit's IdP with sp-a registered as `sp-a`; one URL serves both SSO bindings, as node-saml's entryPoint. */
async function samlkitIdp(provider: Partial<ProviderInput> = {}) {
  const store = createMemoryStore();
  await store.putProvider(
    'sp-a',
    parseProvider({
      entityId: spEntityId,
      acsUrl: spAcsUrl,
      // What the SP's metadata lists: node-saml and samlify ask for these formats.
      allowedNameIdFormats: [nameIdFormats.emailAddress, nameIdFormats.persistent],
      spBinding: 'post',
      signingKeyPair: keyPair('idp'),
      verificationCertificates: [certificate('sp-a')],
      slsUrl: 'https://sp-a.example.com/slo',
      slsBinding: 'redirect',
      logoutMethod: 'frontchannel_native',
      ...provider,
    }),
  );
  const idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints: { sloRedirect: idpSloUrl, sloPost: idpSloUrl, ssoRedirect: idpSsoUrl, ssoPost: idpSsoUrl },
    sso: { secret },
  });
  return { idp, store };
}

const redirect = (url: string): HttpInput => ({ method: 'GET', query: url.slice(url.indexOf('?') + 1) });

const user = {
  id: 'user-7',
  email: 'alice@example.com',
  sessionId: 'idp-session-1',
  authnContextClassRef: authnContextClasses.passwordProtectedTransport,
  attributes: [
    { name: 'email', nameFormat: attributeNameFormats.basic, values: 'alice@example.com' },
    { name: 'groups', values: ['admins', 'staff'] },
  ],
};

describe('node-saml 5.1.0 as SP: its AuthnRequests pass samlkit’s checks', () => {
  it('HTTP-Redirect, signed (RSA-SHA256 over the query): verified, and every field node-saml sent is read', async () => {
    const { idp } = await samlkitIdp();
    const url = await nodeSamlSp({ forceAuthn: true, providerName: 'Wiki' }).getAuthorizeUrlAsync(
      'rs-1',
      undefined,
      {},
    );
    expect(url).toContain('Signature=');

    const result = await idp.receiveAuthnRequest(redirect(url));

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.pending).toMatchObject({
      providerId: 'sp-a',
      binding: 'redirect',
      signed: true,
      relayState: 'rs-1',
      acs: { url: spAcsUrl, index: 0 },
      nameIdFormat: nameIdFormats.emailAddress,
      request: {
        issuer: { value: spEntityId },
        destination: idpSsoUrl,
        forceAuthn: true,
        isPassive: false,
        providerName: 'Wiki',
        protocolBinding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
        assertionConsumerServiceUrl: spAcsUrl,
        nameIdPolicy: { format: nameIdFormats.emailAddress, allowCreate: true },
        requestedAuthnContext: {
          comparison: 'exact',
          classRefs: [authnContextClasses.passwordProtectedTransport],
        },
      },
    });
  });

  it('HTTP-POST, enveloped signature: verified (node-saml with skipRequestCompression and a SHA-256 digest)', async () => {
    const { idp } = await samlkitIdp();
    const sp = nodeSamlSp({
      authnRequestBinding: 'HTTP-POST',
      skipRequestCompression: true,
      digestAlgorithm: 'sha256',
    });
    const fields = await sp.getAuthorizeMessageAsync('rs-post');
    expect(Buffer.from(String(fields.SAMLRequest), 'base64').toString('utf8')).toContain('SignatureValue');

    const result = await idp.receiveAuthnRequest({ method: 'POST', body: fields as Record<string, string> });

    expect(result).toMatchObject({
      ok: true,
      pending: { binding: 'post', signed: true, relayState: 'rs-post' },
    });
  });

  it('peer quirk: node-saml’s POST signature digests with SHA-1 unless told otherwise; samlkit refuses SHA-1', async () => {
    const { idp } = await samlkitIdp();
    const sp = nodeSamlSp({ authnRequestBinding: 'HTTP-POST', skipRequestCompression: true });
    const fields = await sp.getAuthorizeMessageAsync('');
    expect(
      await idp.receiveAuthnRequest({ method: 'POST', body: fields as Record<string, string> }),
    ).toMatchObject({
      ok: false,
      error: { code: 'SAML_ALGORITHM_FORBIDDEN' },
    });
  });

  it('peer quirk: by default node-saml DEFLATEs a POST AuthnRequest (SAMLBind §3.5.4 says plain base64); samlkit refuses it', async () => {
    const { idp } = await samlkitIdp();
    const fields = await nodeSamlSp({ authnRequestBinding: 'HTTP-POST' }).getAuthorizeMessageAsync('');
    // Undecodable, so no Issuer to answer: a refusal without a reply.
    const result = await idp.receiveAuthnRequest({ method: 'POST', body: fields as Record<string, string> });
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'SAML_BINDING_DECODE_FAILED' }),
    });
  });

  it('negative: the same request signed with a key samlkit does not trust is refused and told RequestDenied', async () => {
    const { idp } = await samlkitIdp();
    const url = await nodeSamlSp({ privateKey: privateKeyPem('sp-b') }).getAuthorizeUrlAsync(
      '',
      undefined,
      {},
    );
    const result = await idp.receiveAuthnRequest(redirect(url));
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'SAML_SIGNATURE_INVALID' },
      reply: { status: { code: statusCodes.Requester, subCode: statusCodes.RequestDenied } },
    });
  });

  it('node-saml without a signing key sends unsigned requests: accepted, unless the provider requires signed ones', async () => {
    const url = await nodeSamlSp({ privateKey: undefined as unknown as string }).getAuthorizeUrlAsync(
      '',
      undefined,
      {},
    );
    expect(url).not.toContain('Signature=');
    const { idp } = await samlkitIdp();
    expect(await idp.receiveAuthnRequest(redirect(url))).toMatchObject({
      ok: true,
      pending: { signed: false },
    });
    const strict = await samlkitIdp({ authnRequestsSigned: true });
    expect(await strict.idp.receiveAuthnRequest(redirect(url))).toMatchObject({
      ok: false,
      error: { code: 'SAML_SIGNATURE_MISSING' },
    });
  });
});

describe('node-saml 5.1.0 as SP: it accepts samlkit’s Responses', () => {
  const modes: {
    name: string;
    provider: Partial<ProviderInput>;
    sp: Partial<SamlConfig>;
  }[] = [
    {
      name: 'provider defaults, no key of its own (the facade’s key signs Response and assertion)',
      provider: { signingKeyPair: null },
      sp: {},
    },
    {
      name: 'signed assertion',
      provider: { signAssertion: true, signResponse: false },
      sp: { wantAssertionsSigned: true, wantAuthnResponseSigned: false },
    },
    {
      name: 'signed response',
      provider: { signAssertion: false, signResponse: true },
      sp: { wantAssertionsSigned: false, wantAuthnResponseSigned: true },
    },
    {
      name: 'both signed',
      provider: { signAssertion: true, signResponse: true },
      sp: { wantAssertionsSigned: true, wantAuthnResponseSigned: true },
    },
    {
      name: 'encrypted assertion (AES-256-GCM), both signed',
      provider: { signAssertion: true, signResponse: true, encryptionCertificate: certificate('sp-a') },
      sp: { decryptionPvk: privateKeyPem('sp-a') },
    },
    {
      name: 'encrypted, unsigned assertion under a signed response',
      provider: { signAssertion: false, signResponse: true, encryptionCertificate: certificate('sp-a') },
      sp: { wantAssertionsSigned: false, decryptionPvk: privateKeyPem('sp-a') },
    },
  ];

  for (const mode of modes) {
    it(`${mode.name}: node-saml validates it and reads NameID, SessionIndex and attributes`, async () => {
      const { idp } = await samlkitIdp(mode.provider);
      const sp = nodeSamlSp(mode.sp);
      const url = await sp.getAuthorizeUrlAsync('rs-sso', undefined, {});

      const reply = await idp.respondToAuthnRequest(redirect(url), () => ({ user }));
      expect(reply.form.url).toBe(spAcsUrl);
      expect(reply.form.fields.RelayState).toBe('rs-sso');

      const { profile, loggedOut } = await sp.validatePostResponseAsync(reply.form.fields);
      expect(loggedOut).toBe(false);
      expect(profile).toMatchObject({
        issuer: idpEntityId,
        nameID: 'alice@example.com',
        nameIDFormat: nameIdFormats.emailAddress,
        sessionIndex: reply.sessionIndex,
        inResponseTo: reply.inResponseTo,
        email: 'alice@example.com',
        groups: ['admins', 'staff'],
      });
    });
  }

  it('pairwise persistent NameID with its qualifiers', async () => {
    const { idp } = await samlkitIdp();
    const sp = nodeSamlSp({ identifierFormat: nameIdFormats.persistent, wantAuthnResponseSigned: false });
    const reply = await idp.respondToAuthnRequest(
      redirect(await sp.getAuthorizeUrlAsync('', undefined, {})),
      () => ({
        user,
      }),
    );
    const { profile } = await sp.validatePostResponseAsync(reply.form.fields);
    expect(profile).toMatchObject({
      nameID: reply.nameId?.value,
      nameIDFormat: nameIdFormats.persistent,
      nameQualifier: idpEntityId,
      spNameQualifier: spEntityId,
    });
    expect(reply.nameId?.value).toMatch(/^[0-9a-f]{64}$/);
  });

  it('IsPassive answered NoPassive: node-saml reports no profile (it checks that signature too)', async () => {
    const { idp } = await samlkitIdp({ signResponse: true });
    const sp = nodeSamlSp({ passive: true, wantAssertionsSigned: false });
    const url = await sp.getAuthorizeUrlAsync('', undefined, {});
    const reply = await idp.respondToAuthnRequest(redirect(url), (pending) => {
      expect(pending.request.isPassive).toBe(true);
      return { status: { code: 'Responder', subCode: 'NoPassive' } };
    });
    expect(await sp.validatePostResponseAsync(reply.form.fields)).toEqual({
      profile: null,
      loggedOut: false,
    });
  });

  it('an unsatisfied RequestedAuthnContext reaches node-saml as a NoAuthnContext status error', async () => {
    const { idp } = await samlkitIdp();
    const sp = nodeSamlSp({ wantAuthnResponseSigned: false });
    const url = await sp.getAuthorizeUrlAsync('', undefined, {});
    const reply = await idp.respondToAuthnRequest(redirect(url), () => ({
      user: { ...user, authnContextClassRef: authnContextClasses.password },
    }));
    expect(reply.status.subCode).toBe(statusCodes.NoAuthnContext);
    await expect(sp.validatePostResponseAsync(reply.form.fields)).rejects.toThrow(/Responder error/);
  });

  it('IdP-initiated (unsolicited): node-saml accepts it when InResponseTo is only checked if present', async () => {
    const { idp } = await samlkitIdp({ defaultRelayState: '/home' });
    const reply = await idp.initiateSso('sp-a', user, { nameIdFormat: nameIdFormats.emailAddress });
    expect(reply.form.fields.RelayState).toBe('/home');
    const sp = nodeSamlSp({
      validateInResponseTo: ValidateInResponseTo.ifPresent,
      wantAuthnResponseSigned: false,
    });
    const { profile } = await sp.validatePostResponseAsync(reply.form.fields);
    expect(profile).toMatchObject({ nameID: 'alice@example.com', issuer: idpEntityId });
    // node-saml insists on InResponseTo when told to always check it.
    await expect(
      nodeSamlSp({ wantAuthnResponseSigned: false }).validatePostResponseAsync(reply.form.fields),
    ).rejects.toThrow(/InResponseTo/);
  });

  it('negative: node-saml rejects the Response when the NameID is altered, or signed by a key it does not trust', async () => {
    const { idp } = await samlkitIdp({ signResponse: true });
    const sp = nodeSamlSp();
    const reply = await idp.respondToAuthnRequest(
      redirect(await sp.getAuthorizeUrlAsync('', undefined, {})),
      () => ({
        user,
      }),
    );
    const xml = Buffer.from(reply.form.fields.SAMLResponse!, 'base64').toString('utf8');
    const altered = Buffer.from(xml.replace('>alice@example.com<', '>mallory@example.com<')).toString(
      'base64',
    );
    await expect(sp.validatePostResponseAsync({ SAMLResponse: altered })).rejects.toThrow(/signature/i);
    const foreign = nodeSamlSp({
      idpCert: certificatePem('idp-rollover'),
      validateInResponseTo: ValidateInResponseTo.never,
    });
    await expect(foreign.validatePostResponseAsync(reply.form.fields)).rejects.toThrow(/signature/i);
  });

  it('the session node-saml got can be ended: its LogoutRequest matches the participant samlkit recorded', async () => {
    const { idp, store } = await samlkitIdp();
    const sp = nodeSamlSp({ identifierFormat: nameIdFormats.persistent, wantAuthnResponseSigned: false });
    const reply = await idp.respondToAuthnRequest(
      redirect(await sp.getAuthorizeUrlAsync('', undefined, {})),
      () => ({
        user,
      }),
    );
    const { profile } = await sp.validatePostResponseAsync(reply.form.fields);
    expect(await store.listParticipantsByUser('user-7', Date.now())).toHaveLength(1);

    const logoutUrl = await sp.getLogoutUrlAsync(profile!, 'rs-logout', {});
    const result = await idp.handleLogoutRequest(redirect(logoutUrl));

    expect(result).toMatchObject({ status: 'Success', userId: 'user-7', complete: true });
    expect(await store.listParticipantsByUser('user-7', Date.now())).toEqual([]);
  });
});
