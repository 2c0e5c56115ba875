/**
 * Single Logout end to end: one IdP (createIdentityProvider + memory store +
 * fetch transport) behind a real HTTP server, five SPs on real HTTP servers
 * (two of them @node-saml/node-saml), and a minimal browser between them.
 * Every reply the IdP produces is decoded and verified with the IdP certificate.
 */
import type { Profile } from '@node-saml/node-saml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildLogoutRequest,
  createFetchTransport,
  createIdentityProvider,
  createMemoryStore,
  encodePost,
  encodeRedirect,
  encodeSoap,
  type IdentityProvider,
  type IdentityProviderOptions,
  inspectMessage,
  type LogoutEvent,
  type LogoutResult,
  type NameIdValue,
  nameIdFormats,
  type ParticipantOutcome,
  type Provider,
  parseLogoutResponse,
  type ReceiveOptions,
  receivePost,
  receiveRedirect,
  receiveSoap,
  type Store,
  statusCodes,
} from '../../src/index.js';
import { certificate, keyPair } from '../support/keys.js';
import {
  entityIds,
  idpEntityId,
  providerConfigs,
  type ServiceProviders,
  type SpName,
  startServiceProviders,
} from './service-providers.js';
import {
  browse,
  type IdpServer,
  type Navigation,
  navigationOf,
  nextNavigation,
  startIdpServer,
  type Visit,
  visit,
} from './support.js';

let idpServer: IdpServer;
let sps: ServiceProviders;
let store: Store;
let idp: IdentityProvider;
let events: LogoutEvent[];
let providers: Record<SpName, Provider>;

function facade(sharedStore: Store, extra: Partial<IdentityProviderOptions> = {}): IdentityProvider {
  return createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: keyPair('idp') },
    store: sharedStore,
    endpoints: idpServer.endpoints,
    // Deadlines well under the slow SP's 5 s so it fails, yet far above a loaded machine's worst
    // answer time, so a healthy SP is never retried (a retry would deliver twice); timing is not asserted.
    transport: createFetchTransport({
      attempts: 2,
      backoff: { baseMs: 1, maxMs: 5 },
      allowTargets: ['127.0.0.1'],
      unsafeAllowHttp: true,
    }),
    backchannelTimeoutMs: 1_500,
    onEvent: (event) => events.push(event),
    ...extra,
  });
}

async function freshIdp(overrides: Parameters<typeof providerConfigs>[1] = {}): Promise<void> {
  store = createMemoryStore();
  events = [];
  providers = providerConfigs(sps, overrides);
  for (const [id, provider] of Object.entries(providers)) await store.putProvider(id, provider);
  idp = facade(store);
}

beforeAll(async () => {
  idpServer = await startIdpServer(() => idp);
  sps = await startServiceProviders(idpServer.endpoints);
});

afterAll(async () => {
  await sps?.close();
  await idpServer?.close();
});

beforeEach(async () => {
  sps.reset();
  idpServer.results.length = 0;
  idpServer.errors.length = 0;
  await freshIdp();
});

// ---------------------------------------------------------------------------
// Sessions and SP-side requests

const nameIdOf = (user: string, sp: SpName): NameIdValue => ({
  value: `${user}@${sp}`,
  format: nameIdFormats.persistent,
});
const sessionIndexOf = (user: string, sp: SpName) => `_s-${user}-${sp}`;

/** SSO happened at each SP: the IdP records one participant per SP. */
async function signIn(user: string, at: SpName[], on: IdentityProvider = idp): Promise<void> {
  for (const sp of at) {
    await on.recordSession({
      providerId: sp,
      userId: user,
      nameId: nameIdOf(user, sp),
      sessionIndex: sessionIndexOf(user, sp),
    });
  }
}

const sessionsOf = async (user: string) => store.listParticipantsByUser(user, Date.now());

/** node-saml's own SP-initiated LogoutRequest: a signed HTTP-Redirect URL to our SLO endpoint. */
async function nodeSamlLogout(
  sp: 'alpha' | 'echo',
  user: string,
  relayState: string,
  profile: Partial<Profile> = {},
) {
  const url = await sps[sp].saml.getLogoutUrlAsync(
    {
      issuer: idpEntityId,
      nameID: `${user}@${sp}`,
      nameIDFormat: nameIdFormats.persistent,
      sessionIndex: sessionIndexOf(user, sp),
      ...profile,
    },
    relayState,
    {},
  );
  const id = inspectMessage({ method: 'GET', query: url }).header.id;
  return { id, nav: { method: 'GET', url } as Navigation };
}

interface SpRequestInput {
  sp: SpName;
  /** Fixture key the SP signs with. */
  key: string;
  user: string;
  binding: 'redirect' | 'post' | 'soap';
  relayState?: string;
  issuer?: string;
  nameId?: NameIdValue;
  sessionIndex?: string;
}

/** A samlkit-built SP-initiated LogoutRequest, signed with the SP's key. */
function spLogoutRequest(input: SpRequestInput) {
  const endpoints = idpServer.endpoints;
  const destination =
    input.binding === 'redirect'
      ? endpoints.sloRedirect
      : input.binding === 'post'
        ? endpoints.sloPost
        : endpoints.sloSoap;
  const request = buildLogoutRequest({
    issuer: input.issuer ?? entityIds[input.sp],
    destination,
    nameId: input.nameId ?? nameIdOf(input.user, input.sp),
    sessionIndex: input.sessionIndex ?? sessionIndexOf(input.user, input.sp),
  });
  const sign = { key: keyPair(input.key) };
  const relay = input.relayState ? { relayState: input.relayState } : {};
  if (input.binding === 'soap') return { id: request.id, soap: encodeSoap(request.xml, { sign }) };
  if (input.binding === 'redirect') {
    const url = encodeRedirect({ type: 'SAMLRequest', xml: request.xml, destination, ...relay, sign });
    return { id: request.id, nav: { method: 'GET', url } as Navigation };
  }
  const form = encodePost({ type: 'SAMLRequest', xml: request.xml, destination, ...relay, sign });
  return { id: request.id, nav: { method: 'POST', url: form.url, fields: form.fields } as Navigation };
}

async function postSoap(url: string, body: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: 'http://www.oasis-open.org/committees/security',
    },
    body,
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}

// ---------------------------------------------------------------------------
// Checking what the IdP sent back

const fromIdp = (destination: string | undefined, inResponseTo: string): ReceiveOptions => ({
  trust: [certificate('idp')],
  expect: { issuer: idpEntityId, inResponseTo, ...(destination ? { destination } : {}) },
});

/**
 * Decodes and verifies the IdP's LogoutResponse carried by a browser
 * navigation: signed with the IdP key, sent to the SP's configured SLS URL,
 * Destination that URL, InResponseTo the SP's request.
 */
function idpResponseIn(nav: Navigation, sp: SpName, inResponseTo: string) {
  const sls = providers[sp].slsUrl;
  expect(nav.url.split('?')[0]).toBe(sls);
  const received =
    nav.method === 'GET'
      ? receiveRedirect(nav.url, fromIdp(sls, inResponseTo))
      : receivePost(nav.fields, fromIdp(sls, inResponseTo));
  expect(received.signed).toBe(true);
  expect(received.header.destination).toBe(sls);
  expect(received.header.inResponseTo).toBe(inResponseTo);
  return { received, response: parseLogoutResponse(received.xml) };
}

const outcomeOf = (result: LogoutResult, sp: SpName): ParticipantOutcome | undefined =>
  result.participants.find((p) => p.providerId === sp);

const lastResult = () => idpServer.results.at(-1)!;

/** The browser's trail after the IdP, ending at the SP that started the logout. */
function finalVisitTo(trail: Visit[], sp: SpName): Visit {
  const last = trail.at(-1)!;
  expect(last.request.url.startsWith(providers[sp].slsUrl)).toBe(true);
  return last;
}

/** charlie (native, samlkit, EC key) starts a logout over HTTP-Redirect and the browser follows to the end. */
async function charlieLogsOut(user: string) {
  const start = spLogoutRequest({
    sp: 'charlie',
    key: 'sp-ec',
    user,
    binding: 'redirect',
    relayState: 'rs-c',
  });
  const trail = await browse(start.nav!);
  const last = finalVisitTo(trail, 'charlie');
  expect(last.status).toBe(200);
  const { received, response } = idpResponseIn(last.request, 'charlie', start.id);
  expect(received.relayState).toBe('rs-c');
  return { trail, result: lastResult(), response };
}

// ---------------------------------------------------------------------------

describe('Single Logout end to end', () => {
  it('SP-initiated by node-saml: back channel, native chain and iframe all succeed (Success)', async () => {
    await signIn('alice', ['echo', 'alpha', 'bravo', 'charlie', 'delta']);
    const start = await nodeSamlLogout('echo', 'alice', 'rs-echo');

    const trail = await browse(start.nav);
    // IdP → charlie (native hop) → IdP → echo, which node-saml verifies (signature, status, InResponseTo).
    expect(trail.map((v) => new URL(v.request.url).origin)).toEqual([
      idpServer.origin,
      sps.charlie.origin,
      idpServer.origin,
      sps.echo.origin,
    ]);
    const last = finalVisitTo(trail, 'echo');
    expect(last.status).toBe(200);
    expect(sps.echo.log.responses).toHaveLength(1);
    expect(sps.echo.log.refused).toEqual([]);

    const { received, response } = idpResponseIn(last.request, 'echo', start.id);
    expect(received.relayState).toBe('rs-echo');
    expect(response.status).toMatchObject({ code: statusCodes.Success, success: true });
    expect(response.status.subCode).toBeUndefined();

    // The app renders the iframe steps of the first result; the browser loads them.
    const first = idpServer.results[0]!;
    expect(first.complete).toBe(false);
    expect(first.iframes.map((s) => s.providerId)).toEqual(['delta']);
    for (const step of first.iframes)
      expect((await visit(navigationOf({ kind: 'redirect', url: step.url! }))).status).toBe(200);

    const result = lastResult();
    expect(result.complete).toBe(true);
    expect(result.status).toBe('Success');
    expect(result.participants.map((p) => [p.providerId, p.outcome]).sort()).toEqual([
      ['alpha', 'logged_out'],
      ['bravo', 'logged_out'],
      ['charlie', 'logged_out'],
      ['delta', 'delegated'],
    ]);
    for (const p of result.participants) expect(p.entityId).toBe(entityIds[p.providerId as SpName]);

    // Each SP verified the IdP's LogoutRequest for its own NameID and SessionIndex.
    for (const sp of ['alpha', 'bravo', 'charlie', 'delta'] as const) {
      expect(sps[sp].log.loggedOut).toEqual([
        { nameId: `alice@${sp}`, sessionIndexes: [sessionIndexOf('alice', sp)] },
      ]);
      expect(sps[sp].log.refused).toEqual([]);
    }
    expect(await sessionsOf('alice')).toEqual([]);
  });

  it('a back-channel SP that is down makes it a PartialLogout naming that SP', async () => {
    await signIn('bob', ['charlie', 'alpha', 'foxtrot']);
    const { result, response } = await charlieLogsOut('bob');

    expect(result.status).toBe('PartialLogout');
    expect(outcomeOf(result, 'alpha')).toMatchObject({ outcome: 'logged_out', method: 'backchannel' });
    expect(outcomeOf(result, 'foxtrot')).toMatchObject({
      providerId: 'foxtrot',
      entityId: entityIds.foxtrot,
      method: 'backchannel',
      outcome: 'failed',
      reason: 'SAML_TRANSPORT_FAILED',
    });
    // The outcome names no HTTP status or socket error; the operator's event does.
    expect(outcomeOf(result, 'foxtrot')).not.toHaveProperty('detail');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'participant_failed',
        detail: expect.stringContaining('ECONNREFUSED'),
      }),
    );
    expect(response.status).toMatchObject({
      code: statusCodes.Responder,
      subCode: statusCodes.PartialLogout,
      success: false,
    });
    expect(sps.charlie.log.responses).toHaveLength(1);
    expect(await sessionsOf('bob')).toEqual([]);
  });

  it('a back-channel SP slower than the timeout fails with SAML_TRANSPORT_FAILED', async () => {
    sps.bravo.state.mode = 'slow';
    await signIn('carol', ['charlie', 'bravo']);
    const { result, response } = await charlieLogsOut('carol');
    expect(outcomeOf(result, 'bravo')).toMatchObject({
      outcome: 'failed',
      reason: 'SAML_TRANSPORT_FAILED',
    });
    expect(events).toContainEqual(expect.objectContaining({ type: 'participant_failed', detail: 'timeout' }));
    expect(result.status).toBe('PartialLogout');
    expect(response.status.subCode).toBe(statusCodes.PartialLogout);
  }, 20_000);

  it('a SOAP LogoutResponse signed with a key the SP does not own fails with SAML_SIGNATURE_INVALID', async () => {
    sps.bravo.state.mode = 'evil';
    await signIn('dave', ['charlie', 'bravo']);
    const { result } = await charlieLogsOut('dave');
    expect(outcomeOf(result, 'bravo')).toMatchObject({ outcome: 'failed', reason: 'SAML_SIGNATURE_INVALID' });
    expect(result.status).toBe('PartialLogout');
  });

  it('a SOAP LogoutResponse with a Responder status fails with that status', async () => {
    sps.bravo.state.mode = 'responder';
    await signIn('erin', ['charlie', 'bravo']);
    const { result, response } = await charlieLogsOut('erin');
    expect(outcomeOf(result, 'bravo')).toMatchObject({ outcome: 'failed', reason: statusCodes.Responder });
    expect(result.status).toBe('PartialLogout');
    expect(response.status.code).toBe(statusCodes.Responder);
  });

  it('a replayed LogoutRequest is refused with SAML_REPLAY_DETECTED', async () => {
    await signIn('frank', ['charlie', 'alpha']);
    const start = spLogoutRequest({ sp: 'charlie', key: 'sp-ec', user: 'frank', binding: 'redirect' });
    const first = await visit(start.nav!);
    expect(first.status).toBe(302);
    const { response } = idpResponseIn(nextNavigation(first)!, 'charlie', start.id);
    expect(response.status.success).toBe(true);
    const second = await visit(start.nav!);
    expect(second.status).toBe(400);
    expect(JSON.parse(second.body)).toEqual({ code: 'SAML_REPLAY_DETECTED' });
    expect(idpServer.errors).toEqual(['SAML_REPLAY_DETECTED']);
    expect(sps.alpha.log.loggedOut).toHaveLength(1);
  });

  it('a native chain started on one IdP node continues on a second node sharing the store', async () => {
    await signIn('grace', ['alpha', 'charlie', 'echo']);
    const nodeB = await startIdpServer(() => facade(store));
    try {
      // alpha starts over HTTP-POST on node A; every later hop to the IdP lands on node B.
      const start = spLogoutRequest({
        sp: 'alpha',
        key: 'sp-a',
        user: 'grace',
        binding: 'post',
        relayState: 'rs-a',
      });
      const onA = await visit(start.nav!);
      expect(onA.status).toBe(302);
      const toB = (url: string) => url.replace(idpServer.origin, nodeB.origin);
      const trail = await browse(nextNavigation(onA)!, { route: toB });

      expect(idpServer.results).toHaveLength(1);
      expect(idpServer.results[0]!.complete).toBe(false);
      expect(nodeB.results).toHaveLength(2);
      expect(nodeB.errors).toEqual([]);
      const result = nodeB.results.at(-1)!;
      expect(result.logoutId).toBe(idpServer.results[0]!.logoutId);
      expect(result.complete).toBe(true);
      expect(result.status).toBe('Success');
      expect(result.participants.map((p) => [p.providerId, p.outcome]).sort()).toEqual([
        ['charlie', 'logged_out'],
        ['echo', 'logged_out'],
      ]);

      // The final LogoutResponse goes to alpha by HTTP-POST; node-saml accepts it.
      const last = finalVisitTo(trail, 'alpha');
      expect(last.status).toBe(200);
      expect(sps.alpha.log.responses).toHaveLength(1);
      const { received, response } = idpResponseIn(last.request, 'alpha', start.id);
      expect(received.relayState).toBe('rs-a');
      expect(response.status.success).toBe(true);
    } finally {
      await nodeB.close();
    }
  });

  it('a LogoutRequest from an unknown Issuer is refused with SAML_ISSUER_UNKNOWN', async () => {
    await signIn('heidi', ['alpha']);
    const start = spLogoutRequest({
      sp: 'alpha',
      key: 'evil',
      user: 'heidi',
      binding: 'redirect',
      issuer: 'https://evil.e2e.test/metadata',
    });
    const reply = await visit(start.nav!);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ code: 'SAML_ISSUER_UNKNOWN' });
    expect(await sessionsOf('heidi')).toHaveLength(1);
  });

  it("a LogoutRequest signed by another registered SP's key claiming SP-A is refused (SAML_SIGNATURE_INVALID)", async () => {
    await signIn('ivan', ['alpha', 'bravo']);
    const start = spLogoutRequest({ sp: 'alpha', key: 'sp-b', user: 'ivan', binding: 'post' });
    const reply = await visit(start.nav!);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ code: 'SAML_SIGNATURE_INVALID' });
    expect(await sessionsOf('ivan')).toHaveLength(2);
    expect(sps.bravo.log.loggedOut).toEqual([]);
  });

  it('a NameID matching no session gets Requester/UnknownPrincipal and ends nothing', async () => {
    await signIn('judy', ['alpha', 'bravo', 'charlie']);
    const start = await nodeSamlLogout('alpha', 'judy', 'rs-x', { nameID: 'mallory@alpha' });
    const trail = await browse(start.nav);
    expect(trail).toHaveLength(2);
    const last = finalVisitTo(trail, 'alpha');
    const { response } = idpResponseIn(last.request, 'alpha', start.id);
    expect(response.status).toMatchObject({
      code: statusCodes.Requester,
      subCode: statusCodes.UnknownPrincipal,
      success: false,
    });
    const result = lastResult();
    expect(result).toMatchObject({ status: 'UnknownPrincipal', complete: true, participants: [] });
    expect(await sessionsOf('judy')).toHaveLength(3);
    expect(sps.bravo.log.loggedOut).toEqual([]);
  });

  it('SP-initiated over SOAP gets a signed SOAP LogoutResponse', async () => {
    await signIn('kim', ['bravo', 'alpha']);
    const start = spLogoutRequest({ sp: 'bravo', key: 'sp-b', user: 'kim', binding: 'soap' });
    const reply = await postSoap(idpServer.endpoints.sloSoap, start.soap!);
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/xml/);
    expect(lastResult().reply.kind).toBe('soap');

    const received = receiveSoap(reply.body, fromIdp(undefined, start.id));
    expect(received.signed).toBe(true);
    const response = parseLogoutResponse(received.xml);
    expect(response.inResponseTo).toBe(start.id);
    expect(response.status.code).toBe(statusCodes.Success);
    expect(lastResult().participants).toMatchObject([{ providerId: 'alpha', outcome: 'logged_out' }]);
    expect(sps.alpha.log.loggedOut).toHaveLength(1);
    expect(await sessionsOf('kim')).toEqual([]);
  });

  it('SP-initiated over SOAP cannot reach front-channel participants: PartialLogout, no_browser', async () => {
    await signIn('leo', ['bravo', 'charlie', 'delta']);
    const start = spLogoutRequest({ sp: 'bravo', key: 'sp-b', user: 'leo', binding: 'soap' });
    const reply = await postSoap(idpServer.endpoints.sloSoap, start.soap!);
    const response = parseLogoutResponse(receiveSoap(reply.body, fromIdp(undefined, start.id)).xml);
    expect(response.status).toMatchObject({
      code: statusCodes.Responder,
      subCode: statusCodes.PartialLogout,
    });
    const result = lastResult();
    expect(outcomeOf(result, 'charlie')).toMatchObject({ outcome: 'failed', reason: 'no_browser' });
    expect(outcomeOf(result, 'delta')).toMatchObject({ outcome: 'failed', reason: 'no_browser' });
  });

  it('IdP-initiated logout(userId) reaches back-channel, iframe and native participants', async () => {
    await signIn('mia', ['alpha', 'bravo', 'delta', 'charlie', 'echo']);
    const result = await idp.logout('mia', { returnTo: 'https://idp.e2e.test/goodbye' });

    expect(result.complete).toBe(false);
    expect(result.iframes.map((s) => [s.providerId, s.binding])).toEqual([['delta', 'redirect']]);
    expect(outcomeOf(result, 'alpha')?.outcome).toBe('logged_out');
    expect(outcomeOf(result, 'bravo')?.outcome).toBe('logged_out');
    expect(outcomeOf(result, 'delta')?.outcome).toBe('delegated');
    expect(outcomeOf(result, 'charlie')?.outcome).toBe('pending');
    expect(outcomeOf(result, 'echo')?.outcome).toBe('pending');
    expect(await sessionsOf('mia')).toEqual([]);

    for (const step of result.iframes)
      expect((await visit({ method: 'GET', url: step.url! })).status).toBe(200);
    const trail = await browse(navigationOf(result.reply));
    // charlie → IdP → echo → IdP, which ends the chain on its own page.
    expect(trail.map((v) => new URL(v.request.url).origin)).toEqual([
      sps.charlie.origin,
      idpServer.origin,
      sps.echo.origin,
      idpServer.origin,
    ]);
    expect(trail.at(-1)!.body).toContain('https://idp.e2e.test/goodbye');

    // Later hops do not hand the iframe steps out again.
    for (const later of idpServer.results) expect(later.iframes).toEqual([]);
    const final = lastResult();
    expect(final).toMatchObject({
      logoutId: result.logoutId,
      userId: 'mia',
      complete: true,
      status: 'Success',
      reply: { kind: 'done', returnTo: 'https://idp.e2e.test/goodbye' },
    });
    expect(final.participants.map((p) => [p.providerId, p.outcome]).sort()).toEqual([
      ['alpha', 'logged_out'],
      ['bravo', 'logged_out'],
      ['charlie', 'logged_out'],
      ['delta', 'delegated'],
      ['echo', 'logged_out'],
    ]);
    for (const sp of ['alpha', 'bravo', 'charlie', 'delta', 'echo'] as const) {
      expect(sps[sp].log.loggedOut).toHaveLength(1);
    }
  });

  it('onEvent receives typed events: received, logged out, failed, completed', async () => {
    await signIn('nina', ['charlie', 'alpha', 'foxtrot']);
    const { result } = await charlieLogsOut('nina');
    expect(events.map((e) => e.type)).toEqual([
      'logout_request_received',
      'participant_logged_out',
      'participant_failed',
      'logout_completed',
    ]);
    expect(events[0]).toMatchObject({
      logoutId: result.logoutId,
      providerId: 'charlie',
      binding: 'redirect',
    });
    expect(events[1]).toMatchObject({ logoutId: result.logoutId, outcome: { providerId: 'alpha' } });
    expect(events[2]).toMatchObject({
      outcome: { providerId: 'foxtrot', outcome: 'failed', reason: 'SAML_TRANSPORT_FAILED' },
    });
    expect(events[3]).toMatchObject({ type: 'logout_completed', userId: 'nina', status: 'PartialLogout' });
  });
});

describe('Single Logout end to end: regressions', () => {
  it("fix: the requesting SP's other sessions of the user are told, not silently dropped", async () => {
    // Two browsers signed in to alpha; alpha's node-saml ends the first session.
    await signIn('olga', ['alpha']);
    await idp.recordSession({
      providerId: 'alpha',
      userId: 'olga',
      nameId: nameIdOf('olga', 'alpha'),
      sessionIndex: '_s-olga-alpha-2',
    });
    const start = await nodeSamlLogout('alpha', 'olga', 'rs-o');
    const trail = await browse(start.nav);
    const { response } = idpResponseIn(finalVisitTo(trail, 'alpha').request, 'alpha', start.id);
    expect(response.status.success).toBe(true);
    expect(lastResult().participants).toMatchObject([{ providerId: 'alpha', outcome: 'logged_out' }]);
    expect(sps.alpha.log.loggedOut).toEqual([{ nameId: 'olga@alpha', sessionIndexes: ['_s-olga-alpha-2'] }]);
    expect(await sessionsOf('olga')).toEqual([]);
  });

  it('fix: a NameID without Format matches a session issued with the unspecified format', async () => {
    await idp.recordSession({
      providerId: 'echo',
      userId: 'pat',
      nameId: { value: 'pat', format: nameIdFormats.unspecified },
      sessionIndex: sessionIndexOf('pat', 'echo'),
    });
    await signIn('pat', ['alpha']);
    const start = await nodeSamlLogout('echo', 'pat', 'rs-p', {
      nameID: 'pat',
      nameIDFormat: undefined as never,
    });
    expect(inspectMessage({ method: 'GET', query: start.nav.url }).header.type).toBe('LogoutRequest');
    const trail = await browse(start.nav);
    const { response } = idpResponseIn(finalVisitTo(trail, 'echo').request, 'echo', start.id);
    expect(response.status).toMatchObject({ code: statusCodes.Success });
    expect(sps.echo.log.responses).toHaveLength(1);
    expect(await sessionsOf('pat')).toEqual([]);
  });

  it('fix: NameID qualifiers the SP leaves out stand for the IdP and the SP entity IDs', async () => {
    await idp.recordSession({
      providerId: 'alpha',
      userId: 'quinn',
      nameId: { ...nameIdOf('quinn', 'alpha'), nameQualifier: idpEntityId, spNameQualifier: entityIds.alpha },
      sessionIndex: sessionIndexOf('quinn', 'alpha'),
    });
    // node-saml sends the NameID without qualifiers, as many SPs do.
    const start = await nodeSamlLogout('alpha', 'quinn', 'rs-q');
    const trail = await browse(start.nav);
    const { response } = idpResponseIn(finalVisitTo(trail, 'alpha').request, 'alpha', start.id);
    expect(response.status).toMatchObject({ code: statusCodes.Success });
    expect(await sessionsOf('quinn')).toEqual([]);
  });

  it('NameID qualifiers naming another SP do not match (UnknownPrincipal)', async () => {
    await idp.recordSession({
      providerId: 'alpha',
      userId: 'rita',
      nameId: { ...nameIdOf('rita', 'alpha'), spNameQualifier: entityIds.alpha },
      sessionIndex: sessionIndexOf('rita', 'alpha'),
    });
    const start = await nodeSamlLogout('alpha', 'rita', 'rs-r', { spNameQualifier: entityIds.bravo });
    const trail = await browse(start.nav);
    const { response } = idpResponseIn(finalVisitTo(trail, 'alpha').request, 'alpha', start.id);
    expect(response.status).toMatchObject({
      code: statusCodes.Requester,
      subCode: statusCodes.UnknownPrincipal,
    });
    expect(await sessionsOf('rita')).toHaveLength(1);
  });
});
