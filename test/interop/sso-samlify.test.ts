/**
 * Interop, Single Sign-On: samlkit's IdP facade against samlify 2.13.1 as
 * the SP. samlify builds and signs AuthnRequests (Redirect and POST, by ACS URL
 * or by index) that samlkit checks, and parses samlkit's Responses (signed
 * assertion, signed response, both, encrypted), validating each against the
 * SAML XSDs through its mandatory schema-validator hook (xmllint here).
 */
import * as samlify from 'samlify';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  authnContextClasses,
  createIdentityProvider,
  createMemoryStore,
  type HttpInput,
  nameIdFormats,
  type ProviderInput,
  parseProvider,
  parseSpMetadata,
  signatureAlgorithms,
  statusCodes,
} from '../../src/index.js';
import { certificate, certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import {
  idpEntityId,
  idpSloUrl,
  idpSsoUrl,
  postBinding,
  redirectBinding,
  samlifySchemaValidator,
  spAcsUrl,
  spEntityId,
} from './support.js';

const spAcsUrl2 = 'https://sp-a.example.com/acs2';
const secret = 'samlify interop secret, at least thirty-two bytes long';

beforeAll(() => {
  samlify.setSchemaValidator(samlifySchemaValidator);
});

type SpSettings = Parameters<typeof samlify.ServiceProvider>[0];

/**
 * samlify as the SP: it signs its AuthnRequests and has two POST ACS endpoints.
 * samlify asks for the LAST POST endpoint of its list, so the default (samlkit's
 * index 0) goes last here; samlkit's registration decides what an index means.
 */
function samlifySp(overrides: Partial<SpSettings> = {}) {
  return samlify.ServiceProvider({
    entityID: spEntityId,
    privateKey: privateKeyPem('sp-a'),
    signingCert: certificatePem('sp-a'),
    encPrivateKey: privateKeyPem('sp-a'),
    authnRequestsSigned: true,
    requestSignatureAlgorithm: signatureAlgorithms.rsaSha256,
    nameIDFormat: [nameIdFormats.emailAddress],
    assertionConsumerService: [
      { Binding: postBinding, Location: spAcsUrl2 },
      { Binding: postBinding, Location: spAcsUrl },
    ],
    ...overrides,
  });
}

/** samlkit's IdP as samlify sees it. */
function samlifyIdp(overrides: Partial<Parameters<typeof samlify.IdentityProvider>[0]> = {}) {
  return samlify.IdentityProvider({
    entityID: idpEntityId,
    signingCert: certificatePem('idp'),
    wantAuthnRequestsSigned: true,
    singleSignOnService: [
      { Binding: redirectBinding, Location: idpSsoUrl },
      { Binding: postBinding, Location: idpSsoUrl },
    ],
    singleLogoutService: [{ Binding: redirectBinding, Location: idpSloUrl }],
    ...overrides,
  });
}

async function samlkitIdp(provider: Partial<ProviderInput> = {}) {
  const store = createMemoryStore();
  await store.putProvider(
    'sp-a',
    parseProvider({
      entityId: spEntityId,
      acsUrl: spAcsUrl,
      // What the SP's metadata lists: node-saml and samlify ask for these formats.
      allowedNameIdFormats: [nameIdFormats.emailAddress, nameIdFormats.persistent],
      assertionConsumerServices: [
        { url: spAcsUrl, index: 0, isDefault: true },
        { url: spAcsUrl2, index: 1 },
      ],
      spBinding: 'post',
      signingKeyPair: keyPair('idp'),
      verificationCertificates: [certificate('sp-a')],
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

/** The SP's POST AuthnRequest as the form a browser submits. */
function postForm(context: object): HttpInput {
  const post = context as { context: string; relayState?: string; entityEndpoint: string };
  expect(post.entityEndpoint).toBe(idpSsoUrl);
  return {
    method: 'POST',
    body: { SAMLRequest: post.context, ...(post.relayState ? { RelayState: post.relayState } : {}) },
  };
}

const user = {
  id: 'user-9',
  email: 'carol@example.com',
  sessionId: 'idp-session-9',
  authnContextClassRef: authnContextClasses.passwordProtectedTransport,
  attributes: [
    { name: 'mail', values: 'carol@example.com' },
    { name: 'role', values: ['editor', 'viewer'] },
  ],
};

describe('samlify 2.13.1 as SP: its AuthnRequests pass samlkit’s checks', () => {
  it('HTTP-Redirect, signed: verified; ID, Issuer, ACS URL and NameIDPolicy read', async () => {
    const { idp } = await samlkitIdp();
    const sent = samlifySp().createLoginRequest(samlifyIdp(), 'redirect', { relayState: 'rs-redirect' });
    expect(sent.context).toContain('Signature=');

    const result = await idp.receiveAuthnRequest(redirect(sent.context));

    expect(result).toMatchObject({
      ok: true,
      pending: {
        binding: 'redirect',
        signed: true,
        relayState: 'rs-redirect',
        acs: { url: spAcsUrl, index: 0 },
        nameIdFormat: nameIdFormats.emailAddress,
        request: {
          id: sent.id,
          issuer: { value: spEntityId },
          assertionConsumerServiceUrl: spAcsUrl,
          nameIdPolicy: { format: nameIdFormats.emailAddress },
        },
      },
    });
  });

  it('HTTP-POST, enveloped signature: verified', async () => {
    const { idp } = await samlkitIdp();
    const sent = samlifySp().createLoginRequest(samlifyIdp(), 'post', { relayState: 'rs-post' });
    const result = await idp.receiveAuthnRequest(postForm(sent));
    expect(result).toMatchObject({
      ok: true,
      pending: { binding: 'post', signed: true, request: { id: sent.id } },
    });
  });

  it('by AssertionConsumerServiceIndex: the registered endpoint with that index is answered', async () => {
    const { idp } = await samlkitIdp();
    const sent = samlifySp().createLoginRequest(samlifyIdp(), 'redirect', {
      assertionConsumerServiceIndex: 1,
    });
    const result = await idp.receiveAuthnRequest(redirect(sent.context));
    expect(result).toMatchObject({ ok: true, pending: { acs: { url: spAcsUrl2, index: 1 } } });
  });

  it('ForceAuthn is read and enforced', async () => {
    const { idp } = await samlkitIdp();
    const sent = samlifySp().createLoginRequest(samlifyIdp(), 'redirect', { forceAuthn: true });
    const result = await idp.receiveAuthnRequest(redirect(sent.context));
    if (!result.ok) throw result.error;
    expect(result.pending.request.forceAuthn).toBe(true);
    await expect(idp.completeAuthnRequest(result.pending, { user })).rejects.toMatchObject({
      code: 'SAML_INPUT_INVALID',
    });
  });

  it('negative: an ACS URL samlify has but samlkit never registered is refused, answered at the registered default', async () => {
    const { idp } = await samlkitIdp({
      assertionConsumerServices: [{ url: spAcsUrl, index: 0 }],
    });
    const sent = samlifySp({
      assertionConsumerService: [{ Binding: postBinding, Location: 'https://attacker.example.com/acs' }],
    }).createLoginRequest(samlifyIdp(), 'redirect');
    const result = await idp.receiveAuthnRequest(redirect(sent.context));
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'SAML_ACS_NOT_REGISTERED' },
      reply: { form: { url: spAcsUrl }, inResponseTo: sent.id },
    });
  });

  it('negative: a request signed with another key is refused', async () => {
    const { idp } = await samlkitIdp();
    const sent = samlifySp({
      privateKey: privateKeyPem('sp-b'),
      signingCert: certificatePem('sp-b'),
    }).createLoginRequest(samlifyIdp(), 'redirect');
    expect(await idp.receiveAuthnRequest(redirect(sent.context))).toMatchObject({
      ok: false,
      error: { code: 'SAML_SIGNATURE_INVALID' },
    });
  });
});

describe('samlify 2.13.1 as SP: it accepts samlkit’s Responses', () => {
  const modes: { name: string; provider: Partial<ProviderInput>; idp?: object; sp?: Partial<SpSettings> }[] =
    [
      {
        name: 'signed assertion',
        provider: { signAssertion: true, signResponse: false },
        sp: { wantAssertionsSigned: true },
      },
      {
        name: 'signed response',
        provider: { signAssertion: false, signResponse: true },
        sp: { wantMessageSigned: true },
      },
      {
        name: 'both signed',
        provider: { signAssertion: true, signResponse: true },
        sp: { wantAssertionsSigned: true, wantMessageSigned: true },
      },
      {
        name: 'encrypted assertion (AES-256-GCM), assertion signed',
        provider: { signAssertion: true, encryptionCertificate: certificate('sp-a') },
        idp: { isAssertionEncrypted: true },
        sp: { wantAssertionsSigned: true },
      },
    ];

  for (const mode of modes) {
    it(`${mode.name}: samlify verifies it and extracts NameID, attributes, SessionIndex and InResponseTo`, async () => {
      const { idp } = await samlkitIdp(mode.provider);
      const sp = samlifySp(mode.sp);
      const sent = sp.createLoginRequest(samlifyIdp(), 'redirect', { relayState: 'rs-sso' });

      const reply = await idp.respondToAuthnRequest(redirect(sent.context), () => ({ user }));
      expect(reply.form.url).toBe(spAcsUrl);

      const result = await sp.parseLoginResponse(samlifyIdp(mode.idp), 'post', { body: reply.form.fields });
      expect(result.extract.issuer).toBe(idpEntityId);
      expect(result.extract.nameID).toBe('carol@example.com');
      expect(result.extract.attributes).toEqual({ mail: 'carol@example.com', role: ['editor', 'viewer'] });
      expect(result.extract.sessionIndex).toMatchObject({ sessionIndex: reply.sessionIndex });
      expect(result.extract.response).toMatchObject({
        id: reply.responseId,
        inResponseTo: sent.id,
        destination: spAcsUrl,
      });
      expect(result.extract.audience).toBe(spEntityId);
      expect(reply.form.fields.RelayState).toBe('rs-sso');
    });
  }

  it('the Response goes to the ACS samlify named by index', async () => {
    const { idp } = await samlkitIdp();
    const sp = samlifySp();
    const sent = sp.createLoginRequest(samlifyIdp(), 'post', { assertionConsumerServiceIndex: 1 });
    const reply = await idp.respondToAuthnRequest(postForm(sent), () => ({ user }));
    expect(reply.form.url).toBe(spAcsUrl2);
    const result = await sp.parseLoginResponse(samlifyIdp(), 'post', { body: reply.form.fields });
    expect(result.extract.response?.destination).toBe(spAcsUrl2);
  });

  it('IdP-initiated (unsolicited): samlify accepts it', async () => {
    const { idp } = await samlkitIdp();
    const reply = await idp.initiateSso('sp-a', user, { nameIdFormat: nameIdFormats.persistent });
    const result = await samlifySp().parseLoginResponse(samlifyIdp(), 'post', { body: reply.form.fields });
    expect(result.extract.nameID).toBe(reply.nameId?.value);
    expect(result.extract.response?.inResponseTo).toBeUndefined();
  });

  it('a refusal reaches samlify as a failed status with the second-level code', async () => {
    const { idp } = await samlkitIdp({ signResponse: true });
    const sp = samlifySp();
    const sent = sp.createLoginRequest(samlifyIdp(), 'redirect');
    const reply = await idp.respondToAuthnRequest(redirect(sent.context), () => ({
      status: { code: 'Responder', subCode: 'NoPassive' },
    }));
    expect(reply.status.subCode).toBe(statusCodes.NoPassive);
    await expect(sp.parseLoginResponse(samlifyIdp(), 'post', { body: reply.form.fields })).rejects.toThrow(
      `ERR_FAILED_STATUS with top tier code: ${statusCodes.Responder}, second tier code: ${statusCodes.NoPassive}`,
    );
  });

  it('negative: samlify rejects the Response when the NameID is altered or the signing key is not the IdP’s', async () => {
    const { idp } = await samlkitIdp({ signResponse: true });
    const sp = samlifySp();
    const sent = sp.createLoginRequest(samlifyIdp(), 'redirect');
    const reply = await idp.respondToAuthnRequest(redirect(sent.context), () => ({ user }));
    const xml = Buffer.from(reply.form.fields.SAMLResponse!, 'base64').toString('utf8');
    const altered = Buffer.from(xml.replace(/>carol@example\.com</g, '>mallory@example.com<')).toString(
      'base64',
    );
    await expect(
      sp.parseLoginResponse(samlifyIdp(), 'post', { body: { SAMLResponse: altered } }),
    ).rejects.toThrow();
    await expect(
      sp.parseLoginResponse(samlifyIdp({ signingCert: certificatePem('idp-rollover') }), 'post', {
        body: reply.form.fields,
      }),
    ).rejects.toThrow();
  });

  it('a provider imported from samlify’s own SP metadata (parseSpMetadata) serves SSO by index, encrypted', async () => {
    const sp = samlifySp({ encryptCert: certificatePem('sp-a'), wantAssertionsSigned: true });
    const metadata = parseSpMetadata(sp.getMetadata(), { requireSignature: false });
    const store = createMemoryStore();
    const provider = parseProvider({
      ...metadata.provider,
      issuer: idpEntityId,
      signingKeyPair: keyPair('idp'),
    });
    expect(provider.assertionConsumerServices.map((acs) => acs.url)).toEqual([spAcsUrl2, spAcsUrl]);
    expect(provider.encryptionCertificate).not.toBeNull();
    await store.putProvider('sp-a', provider);
    const idp = createIdentityProvider({
      entityId: idpEntityId,
      signing: { key: keyPair('idp') },
      store,
      endpoints: { sloRedirect: idpSloUrl, sloPost: idpSloUrl, ssoRedirect: idpSsoUrl, ssoPost: idpSsoUrl },
      sso: { secret },
    });
    const index = provider.assertionConsumerServices.find((acs) => acs.url === spAcsUrl)!.index;
    const sent = sp.createLoginRequest(samlifyIdp(), 'redirect', { assertionConsumerServiceIndex: index });

    const reply = await idp.respondToAuthnRequest(redirect(sent.context), () => ({ user }));

    expect(reply.form.url).toBe(spAcsUrl);
    expect(Buffer.from(reply.form.fields.SAMLResponse!, 'base64').toString('utf8')).toContain(
      'EncryptedAssertion',
    );
    const result = await sp.parseLoginResponse(samlifyIdp({ isAssertionEncrypted: true }), 'post', {
      body: reply.form.fields,
    });
    expect(result.extract.nameID).toBe('carol@example.com');
  });
});
