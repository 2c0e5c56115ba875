/**
 * The Service Providers of the end-to-end suite, each a real HTTP server on
 * 127.0.0.1. Two are @node-saml/node-saml, the others run their SP logic on
 * samlkit's public API with their own keys.
 *
 * | SP      | logout method        | binding  | SP logic              | key           |
 * |---------|----------------------|----------|-----------------------|---------------|
 * | alpha   | backchannel          | POST     | node-saml             | sp-a          |
 * | bravo   | backchannel          | SOAP     | samlkit               | sp-b          |
 * | charlie | frontchannel_native  | Redirect | samlkit               | sp-ec (P-256) |
 * | echo    | frontchannel_native  | Redirect | node-saml             | idp-rollover¹ |
 * | delta   | frontchannel_iframe  | Redirect | samlkit               | none          |
 *
 * ¹ any RSA pair no other party uses; node-saml cannot sign with EC.
 */
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import {
  buildLogoutResponse,
  encodeRedirect,
  encodeSoap,
  type LogoutRequest,
  type Provider,
  type ProviderInput,
  parseLogoutRequest,
  parseProvider,
  receiveRedirect,
  receiveSoap,
  type StatusInput,
} from '../../src/index.js';
import { certificatePem, keyPair, privateKeyPem } from '../support/keys.js';
import {
  closedPortUrl,
  type IdpEndpoints,
  type LoopbackServer,
  listen,
  rawQuery,
  redirect,
  text,
} from './support.js';

export const idpEntityId = 'https://idp.e2e.test/metadata';

export const entityIds = {
  alpha: 'https://alpha.e2e.test/metadata',
  bravo: 'https://bravo.e2e.test/metadata',
  charlie: 'https://charlie.e2e.test/metadata',
  echo: 'https://echo.e2e.test/metadata',
  delta: 'https://delta.e2e.test/metadata',
  foxtrot: 'https://foxtrot.e2e.test/metadata',
} as const;

export type SpName = keyof typeof entityIds;

/** What an SP server saw; tests assert on it to prove the SP really verified our messages. */
export interface SpLog {
  /** LogoutRequests the SP verified and acted on. */
  loggedOut: { nameId: string; sessionIndexes: string[] }[];
  /** LogoutResponses (to its own requests) the SP verified. */
  responses: { inResponseTo?: string; status?: string }[];
  /** Messages the SP refused, with its reason. */
  refused: string[];
}

const newLog = (): SpLog => ({ loggedOut: [], responses: [], refused: [] });

export type BravoMode = 'ok' | 'slow' | 'evil' | 'responder';

export interface ServiceProviders {
  alpha: LoopbackServer & { log: SpLog; saml: SAML };
  /** Set `state.mode` to change how bravo answers; `reset()` puts it back to `ok`. */
  bravo: LoopbackServer & { log: SpLog; state: { mode: BravoMode } };
  charlie: LoopbackServer & { log: SpLog };
  echo: LoopbackServer & { log: SpLog; saml: SAML };
  delta: LoopbackServer & { log: SpLog };
  /** Back-channel SLS URL on a port nobody listens on. */
  foxtrotUrl: string;
  reset(): void;
  close(): Promise<void>;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** node-saml configured as an SP that trusts our IdP certificate and checks our Issuer. */
function nodeSaml(entityId: string, idp: IdpEndpoints, key: string, origin: string): SAML {
  return new SAML({
    callbackUrl: `${origin}/acs`,
    issuer: entityId,
    idpCert: certificatePem('idp'),
    idpIssuer: idpEntityId,
    entryPoint: idp.sloRedirect,
    logoutUrl: idp.sloRedirect,
    privateKey: privateKeyPem(key),
    signatureAlgorithm: 'sha256',
    validateInResponseTo: ValidateInResponseTo.ifPresent,
    acceptedClockSkewMs: 5_000,
  });
}

/** Verifies an IdP LogoutRequest arriving over HTTP-Redirect with samlkit, as an SP would. */
function receiveIdpRedirect(url: string, sls: string) {
  const received = receiveRedirect(url, {
    trust: [certificatePem('idp')],
    expect: { issuer: idpEntityId, destination: sls },
  });
  return { received, request: parseLogoutRequest(received.xml) };
}

const logRequest = (log: SpLog, request: LogoutRequest) =>
  log.loggedOut.push({ nameId: request.nameId?.value ?? '', sessionIndexes: request.sessionIndexes });

export async function startServiceProviders(idp: IdpEndpoints): Promise<ServiceProviders> {
  // alpha: node-saml. Back-channel POST LogoutRequests in; our LogoutResponses (POST) to its own requests.
  const alphaLog = newLog();
  let alphaSaml: SAML | undefined;
  const alpha = await listen(async (req, body, res) => {
    const fields = Object.fromEntries(new URLSearchParams(body));
    try {
      if (req.method === 'POST' && fields.SAMLRequest) {
        const { profile } = await alphaSaml!.validatePostRequestAsync(fields);
        alphaLog.loggedOut.push({
          nameId: profile!.nameID,
          sessionIndexes: profile!.sessionIndex ? [profile!.sessionIndex] : [],
        });
        text(res, 200, 'ok');
      } else if (req.method === 'POST' && fields.SAMLResponse) {
        await alphaSaml!.validatePostResponseAsync(fields);
        alphaLog.responses.push({});
        text(res, 200, 'alpha: logged out');
      } else text(res, 404, 'not found');
    } catch (error) {
      alphaLog.refused.push(message(error));
      text(res, 400, 'refused');
    }
  });
  alphaSaml = nodeSaml(entityIds.alpha, idp, 'sp-a', alpha.origin);

  // bravo: SOAP back channel on samlkit, signs its LogoutResponse with sp-b (or the attacker's key).
  const bravoLog = newLog();
  const bravoState = { mode: 'ok' as BravoMode };
  const timers = new Set<NodeJS.Timeout>();
  const bravo = await listen((_req, body, res) => {
    let request: LogoutRequest;
    try {
      const received = receiveSoap(body, {
        trust: [certificatePem('idp')],
        expect: { issuer: idpEntityId, destination: `${bravo.origin}/soap` },
      });
      request = parseLogoutRequest(received.xml);
    } catch (error) {
      bravoLog.refused.push(message(error));
      text(res, 400, 'refused');
      return;
    }
    const mode = bravoState.mode;
    const status: StatusInput = mode === 'responder' ? { code: 'Responder' } : { code: 'Success' };
    if (mode !== 'responder') logRequest(bravoLog, request);
    const response = buildLogoutResponse({ issuer: entityIds.bravo, inResponseTo: request.id, status });
    const envelope = encodeSoap(response.xml, { sign: { key: keyPair(mode === 'evil' ? 'evil' : 'sp-b') } });
    if (mode === 'slow') {
      const timer = setTimeout(() => text(res, 200, envelope, 'text/xml'), 5_000);
      timers.add(timer);
      res.on('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
      });
      return;
    }
    text(res, 200, envelope, 'text/xml');
  });

  // charlie: front-channel native on samlkit, answers over HTTP-Redirect signed with an EC key.
  const charlieLog = newLog();
  const charlie = await listen((req, _body, res) => {
    const url = req.url ?? '';
    if (!/[?&]SAMLRequest=/.test(url)) {
      // Its own logout finished: the IdP's LogoutResponse arrives here.
      try {
        const received = receiveRedirect(url, {
          trust: [certificatePem('idp')],
          expect: { issuer: idpEntityId, destination: `${charlie.origin}/slo` },
        });
        charlieLog.responses.push({
          ...(received.header.inResponseTo ? { inResponseTo: received.header.inResponseTo } : {}),
        });
        text(res, 200, 'charlie: logged out');
      } catch (error) {
        charlieLog.refused.push(message(error));
        text(res, 400, 'refused');
      }
      return;
    }
    let received: ReturnType<typeof receiveIdpRedirect>;
    try {
      received = receiveIdpRedirect(url, `${charlie.origin}/slo`);
    } catch (error) {
      charlieLog.refused.push(message(error));
      text(res, 400, 'refused');
      return;
    }
    logRequest(charlieLog, received.request);
    const response = buildLogoutResponse({
      issuer: entityIds.charlie,
      destination: idp.sloRedirect,
      inResponseTo: received.request.id,
    });
    redirect(
      res,
      encodeRedirect({
        type: 'SAMLResponse',
        xml: response.xml,
        destination: idp.sloRedirect,
        ...(received.received.relayState ? { relayState: received.received.relayState } : {}),
        sign: { key: keyPair('sp-ec') },
      }),
    );
  });

  // echo: node-saml as a front-channel native SP; its LogoutResponse comes from getLogoutResponseUrlAsync.
  const echoLog = newLog();
  let echoSaml: SAML | undefined;
  const echo = await listen(async (req, _body, res) => {
    const raw = rawQuery(req.url ?? '');
    const query = Object.fromEntries(new URLSearchParams(raw));
    try {
      const result = await echoSaml!.validateRedirectAsync(query, raw);
      if (query.SAMLRequest) {
        echoLog.loggedOut.push({
          nameId: result.profile!.nameID,
          sessionIndexes: result.profile!.sessionIndex ? [result.profile!.sessionIndex] : [],
        });
        redirect(
          res,
          await echoSaml!.getLogoutResponseUrlAsync(result.profile!, query.RelayState ?? '', {}, true),
        );
      } else {
        echoLog.responses.push({});
        text(res, 200, 'echo: logged out');
      }
    } catch (error) {
      echoLog.refused.push(message(error));
      text(res, 400, 'refused');
    }
  });
  echoSaml = nodeSaml(entityIds.echo, idp, 'idp-rollover', echo.origin);

  // delta: front-channel iframe; what it answers is not observable by the IdP.
  const deltaLog = newLog();
  const delta = await listen((req, _body, res) => {
    try {
      logRequest(deltaLog, receiveIdpRedirect(req.url ?? '', `${delta.origin}/slo`).request);
      text(res, 200, '<!DOCTYPE html><title>delta: logged out</title>', 'text/html');
    } catch (error) {
      deltaLog.refused.push(message(error));
      text(res, 400, 'refused');
    }
  });

  const foxtrotUrl = await closedPortUrl('/slo');
  const logs = [alphaLog, bravoLog, charlieLog, echoLog, deltaLog];

  return {
    alpha: Object.assign(alpha, { log: alphaLog, saml: alphaSaml }),
    bravo: Object.assign(bravo, { log: bravoLog, state: bravoState }),
    charlie: Object.assign(charlie, { log: charlieLog }),
    echo: Object.assign(echo, { log: echoLog, saml: echoSaml }),
    delta: Object.assign(delta, { log: deltaLog }),
    foxtrotUrl,
    reset() {
      bravoState.mode = 'ok';
      for (const log of logs) {
        log.loggedOut.length = 0;
        log.responses.length = 0;
        log.refused.length = 0;
      }
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await Promise.all([alpha.close(), bravo.close(), charlie.close(), echo.close(), delta.close()]);
    },
  };
}

/** The providers as the IdP registers them; `overrides` adjusts single fields per test. */
export function providerConfigs(
  sps: ServiceProviders,
  overrides: Partial<Record<SpName, Partial<ProviderInput>>> = {},
): Record<SpName, Provider> {
  const base: Record<SpName, ProviderInput> = {
    alpha: {
      entityId: entityIds.alpha,
      acsUrl: `${sps.alpha.origin}/acs`,
      slsUrl: `${sps.alpha.origin}/slo`,
      slsBinding: 'post',
      logoutMethod: 'backchannel',
      verificationCertificates: [certificatePem('sp-a')],
    },
    bravo: {
      entityId: entityIds.bravo,
      acsUrl: `${sps.bravo.origin}/acs`,
      slsUrl: `${sps.bravo.origin}/soap`,
      slsBinding: 'soap',
      logoutMethod: 'backchannel',
      verificationCertificates: [certificatePem('sp-b')],
    },
    charlie: {
      entityId: entityIds.charlie,
      acsUrl: `${sps.charlie.origin}/acs`,
      slsUrl: `${sps.charlie.origin}/slo`,
      slsBinding: 'redirect',
      logoutMethod: 'frontchannel_native',
      verificationCertificates: [certificatePem('sp-ec')],
    },
    echo: {
      entityId: entityIds.echo,
      acsUrl: `${sps.echo.origin}/acs`,
      slsUrl: `${sps.echo.origin}/slo`,
      slsBinding: 'redirect',
      logoutMethod: 'frontchannel_native',
      verificationCertificates: [certificatePem('idp-rollover')],
    },
    delta: {
      entityId: entityIds.delta,
      acsUrl: `${sps.delta.origin}/acs`,
      slsUrl: `${sps.delta.origin}/slo`,
      slsBinding: 'redirect',
      logoutMethod: 'frontchannel_iframe',
    },
    foxtrot: {
      entityId: entityIds.foxtrot,
      acsUrl: 'https://foxtrot.e2e.test/acs',
      slsUrl: sps.foxtrotUrl,
      slsBinding: 'post',
      logoutMethod: 'backchannel',
    },
  };
  const result = {} as Record<SpName, Provider>;
  for (const name of Object.keys(base) as SpName[]) {
    result[name] = parseProvider({ signAssertion: false, ...base[name], ...overrides[name] });
  }
  return result;
}
