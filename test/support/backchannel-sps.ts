/**
 * Back-channel Service Providers on 127.0.0.1 for the queue and multi-node
 * tests: each verifies the IdP's signed LogoutRequest (POST form or SOAP) with
 * the IdP certificate, logs it, and answers as the test tells it to.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  buildLogoutResponse,
  encodeSoap,
  type Provider,
  parseLogoutRequest,
  parseProvider,
  receivePost,
  receiveSoap,
} from '../../src/index.js';
import { listen, text } from '../e2e/support.js';
import { certificatePem, keyPair } from './keys.js';

export const idpEntityId = 'https://idp.nodes.test/metadata';
/** The public SLO URLs every IdP node is configured with (as behind a load balancer). */
export const idpEndpoints = {
  sloRedirect: 'https://idp.nodes.test/slo/redirect',
  sloPost: 'https://idp.nodes.test/slo/post',
  sloSoap: 'https://idp.nodes.test/slo/soap',
};

/** What an SP does with the next request: answer 2xx (`ok`), answer this HTTP status, or hold it open. */
export type SpBehaviour = 'ok' | number | 'hold';

export interface BackchannelSp {
  name: string;
  entityId: string;
  url: string;
  binding: 'post' | 'soap';
  /** Every request that arrived, verified or not. */
  hits: number;
  /** Verified LogoutRequests, in arrival order. */
  received: { nameId: string; sessionIndexes: string[]; id: string }[];
  /** Refusals (bad signature, …): a test expects none. */
  refused: string[];
  /** Decides the answer of hit number `hit` (1-based). Default: always `ok`. */
  behave: (hit: number) => SpBehaviour;
  /** Resolves when at least `count` requests arrived. */
  waitForHits(count: number): Promise<void>;
  /** Answers every held request with 200 (those whose client is gone are dropped). */
  release(): void;
  provider(): Provider;
  close(): Promise<void>;
}

/** The fixture key each kind of SP signs with (its provider's verification certificate). */
export const spKeys = { post: 'sp-a', soap: 'sp-b' } as const;

export async function startBackchannelSp(name: string, binding: 'post' | 'soap'): Promise<BackchannelSp> {
  const entityId = `https://${name}.nodes.test/metadata`;
  const held: ServerResponse[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const answer = (res: ServerResponse) => {
    if (res.writableEnded || res.destroyed) return;
    if (binding === 'post') return text(res, 200, 'logged out');
    const request = (res as ServerResponse & { samlRequestId?: string }).samlRequestId!;
    const response = buildLogoutResponse({ issuer: entityId, inResponseTo: request });
    text(res, 200, encodeSoap(response.xml, { sign: { key: keyPair(spKeys[binding]) } }), 'text/xml');
  };
  const sp: BackchannelSp = {
    name,
    entityId,
    url: '',
    binding,
    hits: 0,
    received: [],
    refused: [],
    behave: () => 'ok',
    waitForHits: (count) =>
      new Promise<void>((resolve) => {
        if (sp.hits >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    release() {
      for (const res of held.splice(0)) answer(res);
    },
    provider: () =>
      parseProvider({
        entityId,
        acsUrl: `${server.origin}/acs`,
        slsUrl: sp.url,
        slsBinding: binding,
        logoutMethod: 'backchannel',
        verificationCertificates: [certificatePem(spKeys[binding])],
        signAssertion: false,
      }),
    close: () => server.close(),
  };
  const server = await listen((_req: IncomingMessage, body: string, res: ServerResponse) => {
    sp.hits += 1;
    const hit = sp.hits;
    for (const waiter of waiters.filter((w) => sp.hits >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    let request: ReturnType<typeof parseLogoutRequest>;
    try {
      const options = {
        trust: [certificatePem('idp')],
        expect: { issuer: idpEntityId, ...(binding === 'post' ? { destination: sp.url } : {}) },
      };
      const received =
        binding === 'post'
          ? receivePost(body, options)
          : receiveSoap(body, { ...options, messageTypes: ['LogoutRequest'] });
      request = parseLogoutRequest(received.xml);
    } catch (error) {
      sp.refused.push(error instanceof Error ? error.message : String(error));
      text(res, 400, 'refused');
      return;
    }
    (res as ServerResponse & { samlRequestId?: string }).samlRequestId = request.id;
    const behaviour = sp.behave(hit);
    if (typeof behaviour === 'number') return text(res, behaviour, 'not now');
    sp.received.push({
      nameId: request.nameId?.value ?? '',
      sessionIndexes: request.sessionIndexes,
      id: request.id,
    });
    if (behaviour === 'hold') held.push(res);
    else answer(res);
  });
  sp.url = `${server.origin}/slo`;
  return sp;
}

/** The usual set: two HTTP-POST back-channel SPs and one SOAP SP, named `${prefix}post1` and so on. */
export type BackchannelTrio = Record<'post1' | 'post2' | 'soap', BackchannelSp>;

export async function startBackchannelTrio(prefix: string): Promise<BackchannelTrio> {
  return {
    post1: await startBackchannelSp(`${prefix}post1`, 'post'),
    post2: await startBackchannelSp(`${prefix}post2`, 'post'),
    soap: await startBackchannelSp(`${prefix}soap`, 'soap'),
  };
}
