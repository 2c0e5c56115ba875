/**
 * The Single Logout facade called directly (no HTTP): regression tests for
 * chain state, concurrency and matching rules. Front-channel SPs are played
 * by samlkit's own bindings; the end-to-end suite (test/e2e) covers real servers.
 */
import { describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  createIdentityProvider,
  createMemoryStore,
  encodeRedirect,
  encodeSoap,
  type HttpInput,
  type IdentityProviderOptions,
  inspectMessage,
  isSamlError,
  type LogoutEvent,
  type LogoutReply,
  nameIdFormats,
  type ProviderInput,
  parseLogoutRequest,
  parseLogoutResponse,
  parseProvider,
  receivePost,
  receiveRedirect,
  type StatusInput,
  type Store,
  statusCodes,
  type Transport,
} from '../../src/index.js';
import { certificate, certificatePem, keyPair } from '../support/keys.js';

const idpEntityId = 'https://idp.slo.test/metadata';
const endpoints = {
  sloRedirect: 'https://idp.slo.test/slo/redirect',
  sloPost: 'https://idp.slo.test/slo/post',
  sloSoap: 'https://idp.slo.test/slo/soap',
};

const entity = (name: string) => `https://${name}.slo.test/metadata`;
const sls = (name: string) => `https://${name}.slo.test/slo`;

/** The SPs: two native (redirect), one iframe, one SOAP back channel, one with no SLS URL. */
const spKeys: Record<string, string> = { n1: 'sp-a', n2: 'sp-b', soap: 'sp-b', silent: 'sp-a' };
const providerInputs: Record<string, Partial<ProviderInput>> = {
  n1: { slsBinding: 'redirect', logoutMethod: 'frontchannel_native' },
  n2: { slsBinding: 'redirect', logoutMethod: 'frontchannel_native' },
  frame: { slsBinding: 'redirect', logoutMethod: 'frontchannel_iframe' },
  soap: { slsBinding: 'soap', logoutMethod: 'backchannel' },
  silent: { slsUrl: '' },
};

async function setup(extra: Partial<IdentityProviderOptions> = {}, store: Store = createMemoryStore()) {
  for (const [name, input] of Object.entries(providerInputs)) {
    await store.putProvider(
      name,
      parseProvider({
        entityId: entity(name),
        acsUrl: `https://${name}.slo.test/acs`,
        slsUrl: sls(name),
        signAssertion: false,
        ...(spKeys[name] ? { verificationCertificates: [certificatePem(spKeys[name]!)] } : {}),
        ...input,
      }),
    );
  }
  const events: LogoutEvent[] = [];
  const idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store,
    endpoints,
    onEvent: (event) => events.push(event),
    ...extra,
  });
  const signIn = async (user: string, sp: string, sessionIndex = `_s-${user}-${sp}`, nameId?: object) =>
    idp.recordSession({
      providerId: sp,
      userId: user,
      nameId: { value: `${user}@${sp}`, format: nameIdFormats.persistent, ...nameId },
      sessionIndex,
    });
  return { idp, store, events, signIn };
}

const urlOf = (reply: LogoutReply) => {
  expect(reply.kind).toBe('redirect');
  return (reply as { url: string }).url;
};

/** The SP's side of a native hop: verify our LogoutRequest, answer a signed LogoutResponse. */
function spAnswers(
  url: string,
  sp: string,
  options: { status?: StatusInput; as?: string; key?: string; inResponseTo?: string } = {},
): HttpInput {
  const received = receiveRedirect(url, {
    trust: [certificate('idp')],
    expect: { issuer: idpEntityId, destination: sls(sp) },
  });
  const request = parseLogoutRequest(received.xml);
  const response = buildLogoutResponse({
    issuer: entity(options.as ?? sp),
    destination: endpoints.sloRedirect,
    inResponseTo: options.inResponseTo ?? request.id,
    ...(options.status ? { status: options.status } : {}),
  });
  const answer = encodeRedirect({
    type: 'SAMLResponse',
    xml: response.xml,
    destination: endpoints.sloRedirect,
    ...(received.relayState ? { relayState: received.relayState } : {}),
    sign: { key: keyPair(options.key ?? spKeys[options.as ?? sp]!) },
  });
  return { method: 'GET', query: answer };
}

/** An SP-initiated LogoutRequest over HTTP-Redirect, signed with the SP's key. */
function spRequests(
  sp: string,
  user: string,
  extra: { sessionIndex?: string; nameId?: object } = {},
): HttpInput {
  const request = buildLogoutRequest({
    issuer: entity(sp),
    destination: endpoints.sloRedirect,
    nameId: { value: `${user}@${sp}`, format: nameIdFormats.persistent, ...extra.nameId },
    sessionIndex: extra.sessionIndex ?? `_s-${user}-${sp}`,
  });
  const url = encodeRedirect({
    type: 'SAMLRequest',
    xml: request.xml,
    destination: endpoints.sloRedirect,
    relayState: 'rs',
    sign: { key: keyPair(spKeys[sp]!) },
  });
  return { method: 'GET', query: url };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isSamlError(error) ? error.code : `not a SamlError: ${String(error)}`;
  }
  return 'no error';
}

/** A store whose version-checked writes wait until `readers` transaction reads happened: a forced race. */
function racingStore(readers: number): Store {
  const inner = createMemoryStore();
  let reads = 0;
  let release!: () => void;
  const allRead = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    ...inner,
    async getTransaction(id, now) {
      const transaction = await inner.getTransaction(id, now);
      if (++reads >= readers) release();
      return transaction;
    },
    async updateTransaction(transaction, expectedVersion, now) {
      await allRead;
      return inner.updateTransaction(transaction, expectedVersion, now);
    },
  };
}

describe('identity provider facade: regressions', () => {
  it('fix: a LogoutResponse from a registered SP other than the one the step waits for is refused (SAML_ISSUER_MISMATCH)', async () => {
    const { idp, signIn, events } = await setup();
    await signIn('u', 'n1');
    await signIn('u', 'n2');
    const started = await idp.logout('u');
    const toN1 = urlOf(started.reply);
    // n2 (registered, its own valid key) answers n1's request with n1's RelayState.
    const forged = spAnswers(toN1, 'n1', { as: 'n2' });
    expect(await codeOf(idp.handleLogoutResponse(forged))).toBe('SAML_ISSUER_MISMATCH');
    expect(events.filter((e) => e.type === 'participant_logged_out')).toEqual([]);
    expect(events.at(-1)).toMatchObject({
      type: 'message_rejected',
      messageType: 'LogoutResponse',
      code: 'SAML_ISSUER_MISMATCH',
      providerId: 'n2',
    });
    // n1's own answer still continues the chain.
    const next = await idp.handleLogoutResponse(spAnswers(toN1, 'n1'));
    expect(next.participants).toMatchObject([
      { providerId: 'n1', outcome: 'logged_out' },
      { providerId: 'n2', outcome: 'pending' },
    ]);
  });

  it('fix: the last step of a chain is compare-and-set: two answers to it complete the logout once', async () => {
    const { idp, signIn, events } = await setup({}, racingStore(2));
    await signIn('u', 'n1');
    const started = await idp.logout('u');
    const url = urlOf(started.reply);
    // Two distinct, valid LogoutResponses to the same request (different IDs, so no replay).
    const outcomes = await Promise.allSettled([
      idp.handleLogoutResponse(spAnswers(url, 'n1')),
      idp.handleLogoutResponse(spAnswers(url, 'n1')),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failure = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(isSamlError(failure.reason, 'SAML_REPLAY_DETECTED')).toBe(true);
    expect(events.filter((e) => e.type === 'logout_completed')).toHaveLength(1);
  });

  it('fix: outcome events of a chain step are emitted only once the step is stored', async () => {
    const { idp, signIn, events } = await setup({}, racingStore(2));
    await signIn('u', 'n1');
    await signIn('u', 'n2');
    const url = urlOf((await idp.logout('u')).reply);
    const outcomes = await Promise.allSettled([
      idp.handleLogoutResponse(spAnswers(url, 'n1')),
      idp.handleLogoutResponse(spAnswers(url, 'n1')),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'participant_logged_out')).toHaveLength(1);
  });

  it('fix: a Transport that throws a plain Error fails only its participant', async () => {
    const broken: Transport = {
      send: async () => {
        throw new TypeError('socket exploded');
      },
    };
    const { idp, signIn, store, events } = await setup({ transport: broken });
    await signIn('u', 'soap');
    await signIn('u', 'frame');
    const result = await idp.logout('u');
    expect(result.complete).toBe(true);
    expect(result.status).toBe('PartialLogout');
    expect(result.participants).toMatchObject([
      { providerId: 'frame', outcome: 'delegated' },
      { providerId: 'soap', outcome: 'failed', reason: 'SAML_TRANSPORT_FAILED' },
    ]);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'participant_failed', detail: 'transport error' }),
    );
    expect(await store.listParticipantsByUser('u', Date.now())).toEqual([]);
  });

  it('fix: a provider removed in the middle of a chain is skipped and the chain goes on', async () => {
    const { idp, signIn, store } = await setup();
    await signIn('u', 'n1');
    await signIn('u', 'n2');
    const started = await idp.logout('u');
    await store.deleteProvider('n2');
    const done = await idp.handleLogoutResponse(spAnswers(urlOf(started.reply), 'n1'));
    expect(done.complete).toBe(true);
    expect(done.participants).toMatchObject([
      { providerId: 'n1', outcome: 'logged_out' },
      { providerId: 'n2', outcome: 'skipped', reason: 'provider_unknown', entityId: entity('n2') },
    ]);
    expect(done.status).toBe('Success');
  });

  it('fix: iframe steps are handed out once, not again with every hop', async () => {
    const { idp, signIn } = await setup();
    await signIn('u', 'frame');
    await signIn('u', 'n1');
    const started = await idp.logout('u');
    expect(started.iframes.map((s) => s.providerId)).toEqual(['frame']);
    const done = await idp.handleLogoutResponse(spAnswers(urlOf(started.reply), 'n1'));
    expect(done.complete).toBe(true);
    expect(done.iframes).toEqual([]);
  });

  it('fix: a running chain lists its queued hops as pending', async () => {
    const { idp, signIn } = await setup();
    await signIn('u', 'n1');
    await signIn('u', 'n2');
    await signIn('u', 'frame');
    const started = await idp.logout('u');
    expect(started.complete).toBe(false);
    expect(started.participants).toMatchObject([
      { providerId: 'frame', outcome: 'delegated' },
      { providerId: 'n1', outcome: 'pending', method: 'frontchannel_native' },
      { providerId: 'n2', outcome: 'pending', method: 'frontchannel_native' },
    ]);
    // The status so far counts answers only.
    expect(started.status).toBe('Success');
    const next = await idp.handleLogoutResponse(
      spAnswers(urlOf(started.reply), 'n1', { status: { code: 'Responder' } }),
    );
    expect(next.status).toBe('PartialLogout');
    expect(next.participants.map((p) => [p.providerId, p.outcome])).toEqual([
      ['frame', 'delegated'],
      ['n1', 'failed'],
      ['n2', 'pending'],
    ]);
  });

  it('fix: an SP without an SLS URL that asks to log out is logged out; the reply is done', async () => {
    const { idp, signIn, store, events } = await setup();
    await signIn('u', 'silent');
    await signIn('u', 'frame');
    const result = await idp.handleLogoutRequest(spRequests('silent', 'u'));
    expect(result).toMatchObject({ complete: true, status: 'Success', reply: { kind: 'done' } });
    expect(result.iframes.map((s) => s.providerId)).toEqual(['frame']);
    expect(await store.listParticipantsByUser('u', Date.now())).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'logout_completed', status: 'Success' });
  });

  it('fix: a browser LogoutRequest from a SOAP-only SP is not answered at its SOAP URL', async () => {
    // A browser cannot carry SOAP, and a form sent to a SOAP endpoint fails there (Shibboleth: 500).
    const { idp, signIn } = await setup();
    await signIn('u', 'soap');
    const result = await idp.handleLogoutRequest(spRequests('soap', 'u'));
    expect(result.status).toBe('Success');
    expect(result.reply).toEqual({ kind: 'done' });
  });

  it('fix: SOAP LogoutRequests are refused when no SOAP endpoint is configured', async () => {
    const { idp, signIn } = await setup({
      endpoints: { sloRedirect: endpoints.sloRedirect, sloPost: endpoints.sloPost },
    });
    await signIn('u', 'soap');
    const request = buildLogoutRequest({
      issuer: entity('soap'),
      destination: 'https://other-idp.example/slo',
      nameId: { value: 'u@soap', format: nameIdFormats.persistent },
      sessionIndex: '_s-u-soap',
    });
    const body = encodeSoap(request.xml, { sign: { key: keyPair('sp-b') } });
    const input: HttpInput = { method: 'POST', contentType: 'text/xml', body };
    expect(await codeOf(idp.handleLogoutRequest(input))).toBe('SAML_BINDING_PARAMETER_INVALID');
  });

  it('fix: a signed SOAP LogoutRequest without Destination is accepted (Destination is optional on SOAP)', async () => {
    const { idp, signIn } = await setup();
    await signIn('u', 'soap');
    const request = buildLogoutRequest({
      issuer: entity('soap'),
      destination: endpoints.sloSoap,
      nameId: { value: 'u@soap', format: nameIdFormats.persistent },
      sessionIndex: '_s-u-soap',
    });
    const withoutDestination = request.xml.replace(/ Destination="[^"]*"/, '');
    expect(withoutDestination).not.toContain('Destination');
    const body = encodeSoap(withoutDestination, { sign: { key: keyPair('sp-b') } });
    const result = await idp.handleLogoutRequest({ method: 'POST', contentType: 'text/xml', body });
    expect(result.reply.kind).toBe('soap');
    expect(result.status).toBe('Success');
  });

  it('a SOAP LogoutRequest whose Destination is another endpoint is refused', async () => {
    const { idp, signIn } = await setup();
    await signIn('u', 'soap');
    const request = buildLogoutRequest({
      issuer: entity('soap'),
      destination: 'https://other-idp.example/slo',
      nameId: { value: 'u@soap', format: nameIdFormats.persistent },
      sessionIndex: '_s-u-soap',
    });
    const body = encodeSoap(request.xml, { sign: { key: keyPair('sp-b') } });
    expect(await codeOf(idp.handleLogoutRequest({ method: 'POST', contentType: 'text/xml', body }))).toBe(
      'SAML_DESTINATION_MISMATCH',
    );
  });

  it('fix: unusable options fail at creation with SAML_CONFIG_INVALID, naming each field', async () => {
    const base: IdentityProviderOptions = {
      entityId: idpEntityId,
      signing: { key: keyPair('idp') },
      store: createMemoryStore(),
      endpoints,
    };
    const cases: [Partial<IdentityProviderOptions>, (string | number)[]][] = [
      [{ concurrency: 0 }, ['concurrency']],
      [{ concurrency: Number.NaN }, ['concurrency']],
      [{ backchannelTimeoutMs: -1 }, ['backchannelTimeoutMs']],
      [{ transactionTtlMs: 0 }, ['transactionTtlMs']],
      [{ clockSkewMs: Number.POSITIVE_INFINITY }, ['clockSkewMs']],
      [{ entityId: '' }, ['entityId']],
      [{ signing: { key: certificate('idp') } }, ['signing', 'key']],
      [{ endpoints: { sloRedirect: 'not a url', sloPost: endpoints.sloPost } }, ['endpoints', 'sloRedirect']],
    ];
    for (const [override, path] of cases) {
      expect(issuesOf({ ...base, ...override }), JSON.stringify(override)).toEqual([
        { path, message: expect.any(String) },
      ]);
    }
  });

  it('an SSO endpoint without the sso settings is refused, and misspelt option keys too', () => {
    const base = { entityId: idpEntityId, signing: { key: keyPair('idp') }, store: createMemoryStore() };
    expect(
      issuesOf({ ...base, endpoints: { sloPost: endpoints.sloPost, ssoPost: endpoints.sloPost } }),
    ).toEqual([{ path: ['sso'], message: 'is required with endpoints.ssoPost' }]);
    expect(issuesOf({ ...base, endpoints: 'https://idp.example.com/' })).toEqual([
      { path: ['endpoints'], message: 'must be an object' },
    ]);
    expect(issuesOf({ ...base, endpoints, clockSkewMS: 5 })).toEqual([
      { path: ['clockSkewMS'], message: 'is not an identity provider option' },
    ]);
    expect(
      issuesOf({ ...base, endpoints: { ...endpoints, sloSOAP: 'https://idp.example.com/soap' } }),
    ).toEqual([{ path: ['endpoints', 'sloSOAP'], message: 'is not an endpoint' }]);
  });

  /** The issues createIdentityProvider reports for untyped options (what a JavaScript caller may pass). */
  function issuesOf(options: object): { path: unknown; message: string }[] {
    {
      let thrown: unknown;
      try {
        createIdentityProvider(options as IdentityProviderOptions);
      } catch (error) {
        thrown = error;
      }
      if (!isSamlError(thrown, 'SAML_CONFIG_INVALID')) throw new Error('expected SAML_CONFIG_INVALID');
      return thrown.details?.issues ?? [];
    }
  }

  it('a refused LogoutRequest emits message_rejected and changes nothing', async () => {
    const { idp, signIn, store, events } = await setup();
    await signIn('u', 'n1');
    const input = spRequests('n1', 'u');
    // Tamper: another SP's key over n1's request.
    const forged = encodeRedirect({
      type: 'SAMLRequest',
      xml: buildLogoutRequest({
        issuer: entity('n1'),
        destination: endpoints.sloRedirect,
        nameId: { value: 'u@n1', format: nameIdFormats.persistent },
      }).xml,
      destination: endpoints.sloRedirect,
      sign: { key: keyPair('sp-b') },
    });
    expect(await codeOf(idp.handleLogoutRequest({ method: 'GET', query: forged }))).toBe(
      'SAML_SIGNATURE_INVALID',
    );
    expect(events).toEqual([
      {
        type: 'message_rejected',
        messageType: 'LogoutRequest',
        code: 'SAML_SIGNATURE_INVALID',
        providerId: 'n1',
      },
    ]);
    expect(await store.listParticipantsByUser('u', Date.now())).toHaveLength(1);
    // The genuine request still works.
    expect((await idp.handleLogoutRequest(input)).status).toBe('Success');
  });

  it('a LogoutResponse with no pending transaction is SAML_LOGOUT_TRANSACTION_UNKNOWN', async () => {
    const { idp, signIn } = await setup();
    await signIn('u', 'n1');
    await signIn('u', 'n2');
    const started = await idp.logout('u');
    const url = urlOf(started.reply);
    const answer = spAnswers(url, 'n1');
    const withoutRelayState = (answer.query as string).replace(/&RelayState=[^&]*/, '');
    // Without RelayState (the signature no longer matters: the lookup fails first).
    expect(await codeOf(idp.handleLogoutResponse({ method: 'GET', query: withoutRelayState }))).toBe(
      'SAML_LOGOUT_TRANSACTION_UNKNOWN',
    );
    // After the chain is over, an answer to an old hop finds nothing.
    const next = await idp.handleLogoutResponse(answer);
    const done = await idp.handleLogoutResponse(spAnswers(urlOf(next.reply), 'n2'));
    expect(done.complete).toBe(true);
    expect(await codeOf(idp.handleLogoutResponse(spAnswers(url, 'n1')))).toBe(
      'SAML_LOGOUT_TRANSACTION_UNKNOWN',
    );
  });

  it('an answer to an already answered hop is refused', async () => {
    const { idp, signIn } = await setup();
    // Two sessions at n1 (two hops to the same SP), then n2.
    await signIn('u', 'n1');
    await signIn('u', 'n1', '_s-u-n1-second');
    await signIn('u', 'n2');
    const started = await idp.logout('u');
    const first = urlOf(started.reply);
    const second = await idp.handleLogoutResponse(spAnswers(first, 'n1'));
    expect(second.complete).toBe(false);
    // n1 answers its first (already answered) request again, with a fresh response ID.
    expect(await codeOf(idp.handleLogoutResponse(spAnswers(first, 'n1')))).toBe(
      'SAML_IN_RESPONSE_TO_MISMATCH',
    );
    const third = await idp.handleLogoutResponse(spAnswers(urlOf(second.reply), 'n1'));
    // And once the chain waits for n2, n1 cannot answer at all.
    expect(await codeOf(idp.handleLogoutResponse(spAnswers(first, 'n1')))).toBe('SAML_ISSUER_MISMATCH');
    const done = await idp.handleLogoutResponse(spAnswers(urlOf(third.reply), 'n2'));
    expect(done.participants.map((p) => [p.providerId, p.outcome])).toEqual([
      ['n1', 'logged_out'],
      ['n1', 'logged_out'],
      ['n2', 'logged_out'],
    ]);
  });

  it('the final SP-initiated response echoes RelayState and answers the request ID, over POST when configured', async () => {
    const { idp, signIn, store } = await setup();
    await store.putProvider(
      'n1',
      parseProvider({
        entityId: entity('n1'),
        acsUrl: 'https://n1.slo.test/acs',
        slsUrl: sls('n1'),
        slsBinding: 'post',
        logoutMethod: 'frontchannel_native',
        verificationCertificates: [certificatePem('sp-a')],
        signAssertion: false,
      }),
    );
    await signIn('u', 'n1');
    const input = spRequests('n1', 'u');
    const requestId = inspectMessage(input).header.id;
    const result = await idp.handleLogoutRequest(input);
    expect(result.reply.kind).toBe('post');
    const form = (result.reply as { form: { url: string; fields: Record<string, string> } }).form;
    expect(form.url).toBe(sls('n1'));
    expect(form.fields.RelayState).toBe('rs');
    const received = receivePost(form.fields, {
      trust: [certificate('idp')],
      expect: { issuer: idpEntityId, destination: sls('n1'), inResponseTo: requestId },
    });
    expect(parseLogoutResponse(received.xml).status.code).toBe(statusCodes.Success);
  });
});
