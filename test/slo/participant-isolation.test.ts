/**
 * Per-participant isolation: nothing about one participant (its data, its key)
 * stops the others from being told, on every path; recordSession refuses values
 * that could never be sent; and an SP that loses a race with a concurrent
 * logout is told the truth.
 */
import { describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  createIdentityProvider,
  createMemoryStore,
  encodeRedirect,
  type HttpInput,
  type LogoutResult,
  nameIdFormats,
  type ProviderInput,
  parseLogoutResponse,
  parseProvider,
  receiveRedirect,
  type SessionParticipant,
  type Transport,
  type TransportRequest,
} from '../../src/index.js';
import { expectRejects } from '../sso/support.js';
import { certificate, certificatePem, keyPair } from '../support/keys.js';

const idpEntityId = 'https://idp.isolation.test/metadata';
const endpoints = {
  sloRedirect: 'https://idp.isolation.test/slo/redirect',
  sloPost: 'https://idp.isolation.test/slo/post',
};
const entity = (name: string) => `https://${name}.isolation.test/metadata`;
const sls = (name: string) => `https://${name}.isolation.test/slo`;

const back: Partial<ProviderInput> = { slsBinding: 'post', logoutMethod: 'backchannel' };
const frame: Partial<ProviderInput> = { slsBinding: 'redirect', logoutMethod: 'frontchannel_iframe' };
const native: Partial<ProviderInput> = { slsBinding: 'redirect', logoutMethod: 'frontchannel_native' };

/** A character XML 1.0 cannot carry: no LogoutRequest can ever hold it. */
const unsendable = 'alice\u0001@example.com';

async function setup(providers: Record<string, Partial<ProviderInput>>) {
  const store = createMemoryStore();
  for (const [name, input] of Object.entries(providers)) {
    await store.putProvider(
      name,
      parseProvider({
        entityId: entity(name),
        acsUrl: `https://${name}.isolation.test/acs`,
        slsUrl: sls(name),
        signAssertion: false,
        verificationCertificates: [certificatePem('sp-a')],
        ...input,
      }),
    );
  }
  const sent: TransportRequest[] = [];
  const transport: Transport = {
    async send(request) {
      sent.push(request);
      return { status: 200, headers: {}, body: '' } as Awaited<ReturnType<Transport['send']>>;
    },
  };
  const idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints,
    transport,
  });
  const signIn = (sp: string, user = 'alice') =>
    idp.recordSession({
      providerId: sp,
      userId: user,
      nameId: { value: `${user}@${sp}`, format: nameIdFormats.persistent },
      sessionIndex: `_s-${user}-${sp}`,
    });
  /** A participant written as an older version, or another writer of the store, could have left it. */
  const plant = (sp: string, nameIdValue = unsendable) =>
    store.recordParticipant({
      id: `planted-${sp}`,
      providerId: sp,
      userId: 'alice',
      nameId: { value: nameIdValue, format: nameIdFormats.persistent },
      sessionIndex: `_s-planted-${sp}`,
      createdAt: Date.now(),
      expiresAt: Date.now() + 3_600_000,
    } satisfies SessionParticipant);
  return { idp, store, sent, signIn, plant };
}

const outcomeOf = (result: LogoutResult, providerId: string) =>
  result.participants.find((p) => p.providerId === providerId);

/** An SP-initiated LogoutRequest over HTTP-Redirect, signed with sp-a's key. */
function spRequests(sp: string, user = 'alice'): HttpInput {
  const request = buildLogoutRequest({
    issuer: entity(sp),
    destination: endpoints.sloRedirect,
    nameId: { value: `${user}@${sp}`, format: nameIdFormats.persistent },
    sessionIndex: `_s-${user}-${sp}`,
  });
  const url = encodeRedirect({
    type: 'SAMLRequest',
    xml: request.xml,
    destination: endpoints.sloRedirect,
    relayState: 'rs',
    sign: { key: keyPair('sp-a') },
  });
  return { method: 'GET', query: url };
}

function statusOfReply(result: LogoutResult): string {
  if (result.reply.kind !== 'redirect') throw new Error(`expected a redirect, got ${result.reply.kind}`);
  const received = receiveRedirect(result.reply.url, { trust: [certificate('idp')] });
  return parseLogoutResponse(received.xml).status.code;
}

describe('recordSession refuses values that could never be sent', () => {
  it('regression: a NameID, qualifier or SessionIndex holding U+0001 is SAML_INPUT_INVALID and nothing is recorded', async () => {
    const { idp, store } = await setup({ good: back });
    const base = {
      providerId: 'good',
      userId: 'alice',
      nameId: { value: 'alice@good', format: nameIdFormats.persistent },
      sessionIndex: '_s',
    };
    await expectRejects(idp.recordSession({ ...base, nameId: { value: unsendable } }), 'SAML_INPUT_INVALID');
    await expectRejects(
      idp.recordSession({ ...base, nameId: { ...base.nameId, spNameQualifier: 'urn:x\u0001' } }),
      'SAML_INPUT_INVALID',
    );
    await expectRejects(idp.recordSession({ ...base, sessionIndex: '_s\u0000' }), 'SAML_INPUT_INVALID');
    await expectRejects(
      idp.recordSession({ ...base, nameId: { ...base.nameId, format: 42 as never } }),
      'SAML_INPUT_INVALID',
    );
    expect(await store.listParticipantsByUser('alice', Date.now())).toEqual([]);
    // Astral characters and the like are fine: only what XML cannot carry is refused.
    await idp.recordSession({ ...base, nameId: { value: 'älice😀@good' } });
  });
});

describe('one participant cannot stop the others from being told', () => {
  it('regression (back channel): an unsendable participant fails alone; logout(user) does not throw and the other SP is told', async () => {
    const { idp, sent, signIn, plant } = await setup({ good: back, bad: back });
    await signIn('good');
    await plant('bad');
    const result = await idp.logout('alice');
    expect(outcomeOf(result, 'good')).toMatchObject({ outcome: 'logged_out' });
    expect(outcomeOf(result, 'bad')).toMatchObject({ outcome: 'failed', reason: 'SAML_INPUT_INVALID' });
    expect(sent.map((r) => r.url)).toEqual([sls('good')]);
    expect(result.status).toBe('PartialLogout');
  });

  it('regression (iframe, its key): a provider whose own signing key cannot sign fails alone', async () => {
    const { idp, signIn } = await setup({
      // A certificate-only signing key pair with every signing flag off passes the config checks.
      keyless: { ...frame, signResponse: false, signingKeyPair: certificate('sp-b') },
      good: frame,
    });
    await signIn('keyless');
    await signIn('good');
    const result = await idp.logout('alice');
    expect(result.iframes.map((step) => step.providerId)).toEqual(['good']);
    expect(outcomeOf(result, 'keyless')).toMatchObject({ outcome: 'failed', reason: 'SAML_KEY_INVALID' });
  });

  it('regression (iframe): the unsendable participant fails, the other gets its iframe', async () => {
    const { idp, signIn, plant } = await setup({ good: frame, bad: frame });
    await plant('bad');
    await signIn('good');
    const result = await idp.logout('alice');
    expect(result.iframes.map((step) => step.providerId)).toEqual(['good']);
    expect(outcomeOf(result, 'good')).toMatchObject({ outcome: 'delegated' });
    expect(outcomeOf(result, 'bad')).toMatchObject({ outcome: 'failed', reason: 'SAML_INPUT_INVALID' });
  });

  it('regression (native chain): an unsendable hop fails and the chain goes on to the next SP', async () => {
    const { idp, signIn, plant } = await setup({ good: native, bad: native });
    await plant('bad');
    await signIn('good');
    const result = await idp.logout('alice');
    expect(result.complete).toBe(false);
    if (result.reply.kind !== 'redirect') throw new Error('expected a redirect hop');
    expect(result.reply.url.startsWith(sls('good'))).toBe(true);
    expect(outcomeOf(result, 'bad')).toMatchObject({ outcome: 'failed', reason: 'SAML_INPUT_INVALID' });
    expect(outcomeOf(result, 'good')).toMatchObject({ outcome: 'pending' });
  });

  it('regression (SP-initiated): the requester is answered and the good participant told despite an unsendable one', async () => {
    const { idp, sent, signIn, plant } = await setup({
      requester: { ...native },
      good: back,
      bad: back,
      badFrame: frame,
    });
    await signIn('requester');
    await signIn('good');
    await plant('bad');
    await plant('badFrame');
    const result = await idp.handleLogoutRequest(spRequests('requester'));
    expect(result.complete).toBe(true);
    expect(outcomeOf(result, 'good')).toMatchObject({ outcome: 'logged_out' });
    expect(outcomeOf(result, 'bad')).toMatchObject({ outcome: 'failed', reason: 'SAML_INPUT_INVALID' });
    expect(outcomeOf(result, 'badFrame')).toMatchObject({ outcome: 'failed', reason: 'SAML_INPUT_INVALID' });
    expect(sent.map((r) => r.url)).toEqual([sls('good')]);
    expect(statusOfReply(result)).toBe('urn:oasis:names:tc:SAML:2.0:status:Responder');
  });
});

describe('answers that do not lie', () => {
  it('regression: an SP whose LogoutRequest loses the race with a logout of the same user is told Success, not UnknownPrincipal', async () => {
    const { idp, signIn } = await setup({ requester: native, other: back });
    await signIn('requester');
    await signIn('other');
    // The IdP-initiated logout got there first: the requester's participant is gone.
    await idp.logout('alice', { exceptProviderId: 'requester' });
    const late = await idp.handleLogoutRequest(spRequests('requester'));
    expect(late.status).toBe('Success');
    expect(late.userId).toBe('alice');
    expect(statusOfReply(late)).toBe('urn:oasis:names:tc:SAML:2.0:status:Success');
    // A NameID nobody logged out is still UnknownPrincipal.
    const unknown = await idp.handleLogoutRequest(spRequests('requester', 'mallory'));
    expect(unknown.status).toBe('UnknownPrincipal');
  });
});
