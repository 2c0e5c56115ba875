/**
 * `npm run demo`: SP-initiated Single Logout on 127.0.0.1, end to end.
 *
 * An IdP built on `createIdentityProvider` and three Service Providers, each a
 * real HTTP server on a port the OS picks:
 *
 *   wiki  front channel: the user's browser carries its messages (SP logic on samlkit, EC key)
 *   crm   back channel, HTTP-POST: the IdP posts to it (a real @node-saml/node-saml SP)
 *   chat  back channel, SOAP: the IdP calls it and it answers a signed LogoutResponse (samlkit, RSA key)
 *
 * Alice has a session at all three. She clicks "Sign out" at the wiki; a
 * simulated browser follows every Location and submits every form between the
 * wiki and the IdP. The trace lists each message, who signed it, who verified
 * it with which certificate, each participant's outcome and the final status.
 *
 * It imports 'samlkit' by name, which resolves to the built package (dist/), so
 * `npm run demo` builds first.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { SAML } from '@node-saml/node-saml';
import {
  buildLogoutRequest,
  buildLogoutResponse,
  createFetchTransport,
  createIdentityProvider,
  createMemoryStore,
  encodePost,
  encodeSoap,
  encodeSoapFault,
  inspectMessage,
  isSamlError,
  loadKeyPair,
  nameIdFormats,
  parseLogoutRequest,
  parseLogoutResponse,
  parseProvider,
  receiveRedirect,
  receiveSoap,
  statusCodes,
} from 'samlkit';
import { createBrowser, createServerPool, sendText } from './loopback.mjs';
import { createTrace, describeCertificate } from './trace.mjs';

const usage = `Usage: npm run demo [-- <options>]
       node demo/slo.mjs [<options>]   (after npm run build)

SP-initiated Single Logout between a samlkit IdP and three SPs on 127.0.0.1.

Options:
  --fail-one      chat cannot end the session and says so (a signed Responder
                  LogoutResponse): the logout ends as PartialLogout
  --timeout <ms>  give up after this long (default 30000)
  -h, --help      show this help

Exit status: 0 when the run ended exactly as the chosen scenario says it must
(Success, or PartialLogout with --fail-one); 1 with the reason otherwise;
2 for a bad option.`;

export function parseArguments(argv) {
  const options = { failOne: false, timeoutMs: 30_000, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--fail-one') options.failOne = true;
    else if (arg === '-h' || arg === '--help') options.help = true;
    else if (arg === '--timeout' || arg.startsWith('--timeout=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      const ms = Number(value);
      if (!Number.isInteger(ms) || ms <= 0) throw new Error(`--timeout needs a positive whole number of ms`);
      options.timeoutMs = ms;
    } else throw new Error(`unknown option ${arg}`);
  }
  return options;
}

const keys = new URL('../fixtures/keys/', import.meta.url);
const keyPair = (name, withPrivateKey = true) =>
  loadKeyPair({
    certificate: readFileSync(new URL(`${name}.crt`, keys), 'utf8'),
    ...(withPrivateKey ? { privateKey: readFileSync(new URL(`${name}.key`, keys), 'utf8') } : {}),
  });

const user = 'alice';
const idpEntityId = 'https://idp.demo.test/metadata';
const entityIds = {
  wiki: 'https://wiki.demo.test/metadata',
  crm: 'https://crm.demo.test/metadata',
  chat: 'https://chat.demo.test/metadata',
};
const nameIdOf = (sp) => ({ value: `${user}@${sp}`, format: nameIdFormats.persistent });
const sessionIndexOf = (sp) => `_session-${user}-${sp}`;
const statusName = (uri) => uri?.slice(uri.lastIndexOf(':') + 1);
const errorText = (error) =>
  isSamlError(error) ? error.code : error instanceof Error ? error.message : String(error);

/** Runs the scenario; resolves with what happened and the trace, whatever the outcome. */
export async function runDemo({ failOne = false, signal }) {
  const pool = createServerPool(signal);
  try {
    return await scenario({ failOne, signal, pool });
  } finally {
    await pool.closeAll();
  }
}

async function scenario({ failOne, signal, pool }) {
  const idpKey = keyPair('idp');
  const wikiKey = keyPair('sp-ec');
  const chatKey = keyPair('sp-b');
  const idpCertificate = keyPair('idp', false);
  const trace = createTrace({
    idp: { name: 'IdP', certificate: idpCertificate },
    wiki: { name: 'wiki', certificate: keyPair('sp-ec', false) },
    chat: { name: 'chat', certificate: keyPair('sp-b', false) },
    crm: { name: 'crm' },
  });
  const names = new Map();
  const nameOf = (origin) => names.get(origin) ?? origin;
  const idpResults = [];

  // Each SP's own view of alice's session, ended when it accepts a LogoutRequest.
  const spSessions = { wiki: true, crm: true, chat: true };

  // ---------------------------------------------------------------- the IdP
  let idp;
  const idpOrigin = await pool.listen(async (req, body, res) => {
    const method = req.method ?? 'GET';
    const contentType = req.headers['content-type'];
    const input = {
      method,
      query: req.url ?? '',
      ...(method === 'POST' ? { body } : {}),
      ...(contentType ? { contentType } : {}),
    };
    let inspected;
    try {
      inspected = inspectMessage(input);
    } catch (error) {
      sendText(res, 400, `not a SAML message: ${errorText(error)}`);
      return;
    }
    try {
      const result =
        inspected.type === 'SAMLResponse'
          ? await idp.receiveLogoutResponse(input)
          : await idp.receiveLogoutRequest(input);
      if (!result.ok) {
        trace.verdict(inspected.header.id, { accepted: false, reason: errorText(result.error) });
        sendText(res, 400, `refused: ${errorText(result.error)}`);
        return;
      }
      // The facade verified the message with that provider's registered certificates only.
      const sender = await store.findProviderByEntityId(inspected.header.issuer?.value ?? '');
      const certificate = sender?.provider.verificationCertificates[0];
      trace.verdict(inspected.header.id, {
        accepted: true,
        with: `${sender?.id}'s registered certificate ${certificate ? describeCertificate(certificate) : '?'}`,
      });
      idpResults.push(result);
      const reply = result.reply;
      if (reply.kind === 'redirect') {
        res.writeHead(302, { location: reply.url });
        res.end();
      } else if (reply.kind === 'post') sendText(res, 200, reply.form.html, 'text/html');
      else if (reply.kind === 'soap') sendText(res, 200, reply.body, 'text/xml');
      else sendText(res, 200, 'You are signed out.', 'text/html');
    } catch (error) {
      trace.verdict(inspected.header.id, { accepted: false, reason: errorText(error) });
      sendText(res, 400, `refused: ${errorText(error)}`);
    }
  });
  names.set(idpOrigin, 'IdP');
  const endpoints = {
    sloRedirect: `${idpOrigin}/slo/redirect`,
    sloPost: `${idpOrigin}/slo/post`,
    sloSoap: `${idpOrigin}/slo/soap`,
  };

  // ------------------------------------------------ wiki: front channel, samlkit
  let wikiRequestId;
  let wikiSaw;
  const wikiOrigin = await pool.listen((req, _body, res) => {
    const path = new URL(req.url ?? '/', 'http://wiki').pathname;
    if (path === '/logout') {
      // "Sign out": a LogoutRequest signed with the wiki's key, carried by the browser as an HTTP-POST form.
      const request = buildLogoutRequest({
        issuer: entityIds.wiki,
        destination: endpoints.sloPost,
        nameId: nameIdOf('wiki'),
        sessionIndex: sessionIndexOf('wiki'),
      });
      wikiRequestId = request.id;
      spSessions.wiki = false;
      const form = encodePost({
        type: 'SAMLRequest',
        xml: request.xml,
        destination: endpoints.sloPost,
        relayState: '/goodbye',
        sign: { key: wikiKey },
      });
      sendText(res, 200, form.html, 'text/html');
      return;
    }
    if (path !== '/slo') return sendText(res, 404, 'not found');
    // The IdP's LogoutResponse comes back over HTTP-Redirect: verify it against the IdP certificate.
    const id = safeId({ method: 'GET', query: req.url ?? '' });
    try {
      const received = receiveRedirect(req.url ?? '', {
        trust: [idpCertificate],
        expect: { issuer: idpEntityId, destination: `${wikiOrigin}/slo`, inResponseTo: wikiRequestId },
      });
      const { status } = parseLogoutResponse(received.xml);
      trace.verdict(id, {
        accepted: true,
        with: `the IdP's certificate ${describeCertificate(received.certificate)}`,
      });
      wikiSaw = { status, inResponseTo: received.header.inResponseTo, relayState: received.relayState };
      sendText(
        res,
        200,
        status.success
          ? '<!DOCTYPE html><title>Signed out</title><p>You are signed out everywhere.'
          : '<!DOCTYPE html><title>Signed out here</title><p>You are signed out here, but not everywhere.',
        'text/html',
      );
    } catch (error) {
      trace.verdict(id, { accepted: false, reason: errorText(error) });
      sendText(res, 400, 'refused');
    }
  });
  names.set(wikiOrigin, 'wiki');

  // ---------------------------------- crm: back channel HTTP-POST, @node-saml/node-saml
  let crmSaml;
  const crmOrigin = await pool.listen(async (_req, body, res) => {
    const fields = Object.fromEntries(new URLSearchParams(body));
    const id = safeId({ method: 'POST', body: fields });
    try {
      // node-saml checks the enveloped signature against idpCert, the Issuer and the timestamps.
      const { profile } = await crmSaml.validatePostRequestAsync(fields);
      trace.verdict(id, {
        accepted: true,
        with: `the IdP's certificate ${describeCertificate(idpCertificate)} (by @node-saml/node-saml)`,
      });
      if (profile?.nameID === nameIdOf('crm').value && profile.sessionIndex === sessionIndexOf('crm')) {
        spSessions.crm = false;
      }
      sendText(res, 200, 'ok');
    } catch (error) {
      trace.verdict(id, { accepted: false, reason: `node-saml: ${errorText(error)}` });
      sendText(res, 400, 'refused');
    }
  });
  names.set(crmOrigin, 'crm');
  crmSaml = new SAML({
    issuer: entityIds.crm,
    callbackUrl: `${crmOrigin}/acs`,
    idpCert: idpCertificate.certificatePem,
    idpIssuer: idpEntityId,
  });

  // --------------------------------------------- chat: back channel SOAP, samlkit
  const chatOrigin = await pool.listen((_req, body, res) => {
    const id = safeId({ method: 'POST', body, contentType: 'text/xml' });
    let request;
    try {
      const received = receiveSoap(body, {
        trust: [idpCertificate],
        expect: { issuer: idpEntityId, destination: `${chatOrigin}/soap` },
      });
      request = parseLogoutRequest(received.xml);
      trace.verdict(id, {
        accepted: true,
        with: `the IdP's certificate ${describeCertificate(received.certificate)}`,
      });
    } catch (error) {
      trace.verdict(id, { accepted: false, reason: errorText(error) });
      sendText(res, 500, encodeSoapFault('Client', 'request refused'), 'text/xml');
      return;
    }
    const ours = request.nameId?.value === nameIdOf('chat').value;
    if (ours && !failOne) spSessions.chat = false;
    const status = failOne
      ? { code: 'Responder', message: 'session store unavailable' }
      : ours
        ? { code: 'Success' }
        : { code: 'Requester', subCode: 'UnknownPrincipal' };
    const response = buildLogoutResponse({ issuer: entityIds.chat, inResponseTo: request.id, status });
    sendText(res, 200, encodeSoap(response.xml, { sign: { key: chatKey } }), 'text/xml');
  });
  names.set(chatOrigin, 'chat');

  // ------------------------------------------- the IdP facade and its providers
  const store = createMemoryStore();
  // signAssertion: false because this demo has no SSO; the IdP's default key signs every logout message.
  const common = { signAssertion: false };
  await store.putProvider(
    'wiki',
    parseProvider({
      ...common,
      entityId: entityIds.wiki,
      acsUrl: `${wikiOrigin}/acs`,
      slsUrl: `${wikiOrigin}/slo`,
      slsBinding: 'redirect',
      logoutMethod: 'frontchannel_native',
      verificationCertificates: [wikiKey.certificatePem],
    }),
  );
  await store.putProvider(
    'crm',
    parseProvider({
      ...common,
      entityId: entityIds.crm,
      acsUrl: `${crmOrigin}/acs`,
      slsUrl: `${crmOrigin}/slo`,
      slsBinding: 'post',
      logoutMethod: 'backchannel',
    }),
  );
  await store.putProvider(
    'chat',
    parseProvider({
      ...common,
      entityId: entityIds.chat,
      acsUrl: `${chatOrigin}/acs`,
      slsUrl: `${chatOrigin}/soap`,
      slsBinding: 'soap',
      logoutMethod: 'backchannel',
      verificationCertificates: [chatKey.certificatePem],
    }),
  );

  // The back channel goes through the Transport port; this one records what passes and delegates to fetch.
  const fetchTransport = createFetchTransport({
    attempts: 2,
    timeoutMs: 5_000,
    backoff: { baseMs: 5, maxMs: 20 },
    // The demo's SPs listen on http://127.0.0.1, which the guard refuses unless named.
    allowTargets: ['127.0.0.1'],
    unsafeAllowHttp: true,
  });
  const soapResponses = new Map();
  const transport = {
    async send(request) {
      const to = nameOf(new URL(request.url).origin);
      const soap = (request.headers['content-type'] ?? '').includes('xml');
      recordSafely(() =>
        trace.message({
          from: 'IdP',
          to,
          channel: 'back',
          wire: soap
            ? { binding: 'soap', body: request.body }
            : { binding: 'post', fields: Object.fromEntries(new URLSearchParams(request.body)) },
        }),
      );
      const response = await fetchTransport.send({ ...request, signal: request.signal ?? signal });
      if (soap && response.status >= 200 && response.status < 300) {
        const entry = recordSafely(() =>
          trace.message({
            from: to,
            to: 'IdP',
            channel: 'back',
            wire: { binding: 'soap', body: response.body },
          }),
        );
        if (entry) soapResponses.set(to, entry);
      } else if (!soap) {
        trace.note(
          `${to} answered the back-channel POST with HTTP ${response.status} (that binding has no SAML reply)`,
        );
      }
      return response;
    },
  };
  const recordSafely = (record) => {
    try {
      return record();
    } catch (error) {
      // Tracing must never change the protocol run.
      trace.note(`could not trace a message: ${errorText(error)}`);
      return undefined;
    }
  };

  const events = [];
  idp = createIdentityProvider({
    entityId: idpEntityId,
    signing: { key: idpKey },
    store,
    endpoints,
    transport,
    backchannelTimeoutMs: 5_000,
    onEvent: (event) => events.push(event),
  });

  // ------------------------------------------------ alice's sessions (SSO time)
  for (const sp of ['wiki', 'crm', 'chat']) {
    await idp.recordSession({
      providerId: sp,
      userId: user,
      nameId: nameIdOf(sp),
      sessionIndex: sessionIndexOf(sp),
    });
  }

  // --------------------------------------- alice clicks "Sign out" at the wiki
  let lastPage;
  const browse = createBrowser({
    signal,
    onRequest: (request) => {
      const url = new URL(request.url);
      const carries = (name) => url.searchParams.has(name) || (request.fields && name in request.fields);
      if (carries('SAMLRequest') || carries('SAMLResponse')) {
        recordSafely(() =>
          trace.message({
            from: lastPage ? nameOf(lastPage) : 'browser',
            to: nameOf(url.origin),
            channel: 'browser',
            wire:
              request.method === 'GET'
                ? { binding: 'redirect', url: request.url }
                : { binding: 'post', fields: request.fields },
          }),
        );
      }
      lastPage = url.origin;
    },
  });
  const hops = await browse({ method: 'GET', url: `${wikiOrigin}/logout` });

  // A SOAP answer is verified against that SP's registered certificates before its status is
  // read, so an outcome with a status (Success or not) means the signature held.
  const result = idpResults.at(-1);
  for (const outcome of result?.participants ?? []) {
    const entry = soapResponses.get(outcome.providerId);
    if (!entry) continue;
    const verified = outcome.outcome === 'logged_out' || outcome.reason?.startsWith('urn:');
    const certificate = (await store.getProvider(outcome.providerId))?.verificationCertificates[0];
    trace.verdict(entry.header.id, {
      accepted: verified,
      ...(verified
        ? { with: `${outcome.providerId}'s registered certificate ${describeCertificate(certificate)}` }
        : { reason: outcome.reason }),
    });
  }

  const left = await store.listParticipantsByUser(user, Date.now());
  return {
    failOne,
    origins: { IdP: idpOrigin, wiki: wikiOrigin, crm: crmOrigin, chat: chatOrigin },
    result,
    wikiRequestId,
    wikiSaw,
    spSessions,
    idpSessionsLeft: left.length,
    hops,
    finalPage: hops.at(-1),
    events: events.map((e) => e.type),
    trace,
    nameOf,
    keys: { idp: idpKey, wiki: wikiKey, chat: chatKey },
  };
}

/** The unverified ID of an incoming message, only to match it with the trace. */
function safeId(input) {
  try {
    return inspectMessage(input).header.id;
  } catch {
    return undefined;
  }
}

/** What the run must show; every difference is a reason to fail. */
export function checkRun(run) {
  const problems = [];
  const expect = (ok, message) => {
    if (!ok) problems.push(message);
  };
  const { result, failOne } = run;
  expect(result !== undefined, 'the IdP never completed a logout');
  if (!result) return problems;
  const outcome = (id) => result.participants.find((p) => p.providerId === id);
  expect(result.complete, 'the logout did not complete');
  expect(
    result.status === (failOne ? 'PartialLogout' : 'Success'),
    `the IdP reported ${result.status}, expected ${failOne ? 'PartialLogout' : 'Success'}`,
  );
  expect(outcome('crm')?.outcome === 'logged_out', `crm: ${outcome('crm')?.outcome ?? 'not told'}`);
  if (failOne) {
    expect(
      outcome('chat')?.outcome === 'failed' && outcome('chat')?.reason === statusCodes.Responder,
      `chat: expected failed (Responder), got ${outcome('chat')?.outcome} ${outcome('chat')?.reason ?? ''}`,
    );
  } else {
    expect(outcome('chat')?.outcome === 'logged_out', `chat: ${outcome('chat')?.outcome ?? 'not told'}`);
  }
  expect(run.wikiSaw !== undefined, 'the wiki never received a LogoutResponse it could verify');
  if (run.wikiSaw) {
    expect(run.wikiSaw.inResponseTo === run.wikiRequestId, 'the wiki got a response to another request');
    expect(run.wikiSaw.relayState === '/goodbye', 'the wiki did not get its RelayState back');
    const status = run.wikiSaw.status;
    expect(
      failOne
        ? status.code === statusCodes.Responder && status.subCode === statusCodes.PartialLogout
        : status.success,
      `the wiki was told ${statusName(status.code)}${status.subCode ? `/${statusName(status.subCode)}` : ''}`,
    );
  }
  expect(run.finalPage?.status === 200, `the browser ended on HTTP ${run.finalPage?.status}`);
  expect(run.idpSessionsLeft === 0, `the IdP still has ${run.idpSessionsLeft} session(s) for ${user}`);
  expect(!run.spSessions.wiki && !run.spSessions.crm, 'an SP kept its session');
  expect(
    run.spSessions.chat === failOne,
    failOne ? 'chat ended a session it said it could not' : 'chat kept its session',
  );
  for (const m of run.trace.messages) {
    expect(m.signer.party === m.from, `message ${m.n} (${m.type}) is not signed by ${m.from}`);
    expect(m.verdict?.accepted === true, `message ${m.n} (${m.type}) was not verified by ${m.to}`);
  }
  expect(run.trace.messages.length === 5, `expected 5 SAML messages, saw ${run.trace.messages.length}`);
  return problems;
}

export function render(run, problems) {
  const { origins, result, keys: k } = run;
  const lines = [];
  lines.push(
    `samlkit demo: SP-initiated Single Logout on 127.0.0.1${run.failOne ? ' (--fail-one: chat cannot log out)' : ''}`,
    '',
    'Participants',
    `  IdP   ${origins.IdP}  createIdentityProvider; signs with ${describeCertificate(k.idp)}`,
    `  wiki  ${origins.wiki}  frontchannel_native, HTTP-Redirect; SP on samlkit, key ${describeCertificate(k.wiki)}`,
    `  crm   ${origins.crm}  backchannel, HTTP-POST; SP on @node-saml/node-saml, no key of its own`,
    `  chat  ${origins.chat}  backchannel, SOAP; SP on samlkit, key ${describeCertificate(k.chat)}`,
    '',
    `Sessions recorded for ${user} at wiki, crm and chat. ${user} clicks "Sign out" at the wiki.`,
    '',
  );
  lines.push('Browser (a fetch-based user agent: follows Locations, submits forms)');
  run.hops.forEach((hop, i) => {
    const url = new URL(hop.request.url);
    const saml = ['SAMLRequest', 'SAMLResponse'].find(
      (name) => url.searchParams.has(name) || (hop.request.fields && name in hop.request.fields),
    );
    const what =
      hop.status >= 300 && hop.status < 400
        ? 'redirect'
        : /<form\b/i.test(hop.body)
          ? 'page with a form, submitted'
          : `page: ${hop.body
              .replace(/<title>[^<]*<\/title>/i, '')
              .replace(/<[^>]*>/g, ' ')
              .replace(/\s+/g, ' ')
              .trim()}`;
    const target = `${run.nameOf(url.origin)}${url.pathname}${saml ? ` (${saml})` : ''}`;
    lines.push(`  ${i + 1}. ${hop.request.method.padEnd(4)} ${target.padEnd(28)} → ${hop.status} ${what}`);
  });
  lines.push('', 'Messages', ...run.trace.render(), '');
  for (const note of run.trace.notes) lines.push(`  note: ${note}`);
  if (run.trace.notes.length > 0) lines.push('');
  lines.push('Outcome');
  if (run.wikiSaw) {
    const s = run.wikiSaw.status;
    lines.push(
      `  wiki  started the logout; the IdP answered ${statusName(s.code)}${s.subCode ? ` / ${statusName(s.subCode)}` : ''}`,
    );
  } else lines.push('  wiki  started the logout; no verified answer');
  for (const p of result?.participants ?? []) {
    const why = p.reason
      ? ` (${p.reason.startsWith('urn:') ? statusName(p.reason) : p.reason}${p.detail ? `: ${p.detail}` : ''})`
      : '';
    lines.push(`  ${p.providerId.padEnd(5)} ${p.outcome}${why}, ${p.method}`);
  }
  lines.push(`  IdP   sessions left for ${user}: ${run.idpSessionsLeft}`);
  lines.push(`  events: ${run.events.join(', ')}`);
  lines.push('');
  if (problems.length > 0) {
    lines.push(`Final status: ${result?.status ?? 'none'}, NOT what this scenario must show`);
  } else if (run.failOne) {
    lines.push(
      `Final status: PartialLogout. ${user} is signed out at the IdP, the wiki and crm; chat could not end its session and the wiki was told so.`,
    );
  } else {
    lines.push(`Final status: Success. ${user} is signed out at the IdP and at all three SPs.`);
  }
  return lines.join('\n');
}

async function main(argv) {
  let options;
  try {
    options = parseArguments(argv);
  } catch (error) {
    console.error(`demo: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    console.log(usage);
    return 0;
  }
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`timed out after ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  try {
    const run = await runDemo({ failOne: options.failOne, signal: controller.signal });
    const problems = checkRun(run);
    console.log(render(run, problems));
    if (problems.length > 0) {
      console.error(`\ndemo failed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
      return 1;
    }
    return 0;
  } catch (error) {
    const reason = controller.signal.aborted ? controller.signal.reason.message : errorText(error);
    console.error(`demo failed: ${reason}`);
    return 1;
  } finally {
    clearTimeout(timer);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
  // Every server is closed by now, so Node exits on its own. If something was left open, say so
  // instead of hanging (the timer is unref'd: it never keeps a clean process alive).
  setTimeout(() => {
    console.error('demo: a server or connection was still open after the run');
    process.exit(1);
  }, 2_000).unref();
}
