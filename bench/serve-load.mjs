// `samlkit serve` under load: SP-initiated logins per second through a running IdP over HTTP,
// next to the machine's signing limit and to a samlify-based IdP in the same harness, and the
// memory one active session costs. `npm run bench:serve` (builds first); `-- --quick` for a smoke run.
//
// - The IdP under test runs in this process (one event loop: one core). The load generator,
//   bench/serve-load-client.mjs, runs in a child process on the other core(s): many concurrent
//   clients over keep-alive connections, each a loop of GET /sso?SAMLRequest=… (a pre-built,
//   unsigned AuthnRequest of its own ID, HTTP-Redirect) answered with the page posting the signed
//   Response. In test mode serve signs the user in at once: every request is a whole login.
// - Signing limit of the machine = cores ÷ the time of one raw RSA-2048 SHA-256 signature
//   (node:crypto sign in a loop, timed before each round in CPU time, the least kept, on the same key size). A login that signs
//   the Response and the assertion (the provider default) makes two signatures, so its limit in
//   logins/s is half that; the table gives both, and the ratio per signature.
// - The same harness drives: serve as shipped (Response and assertion signed); the facade behind
//   samlkit/http's handlers (what serve is built on, without its session pages) signing the
//   assertion only, and both; samlify's IdentityProvider behind node:http, signing both and the
//   assertion only.
// - The harness's ceiling, "bare signer": node:http answering each request with exactly the raw
//   signatures of a login (as many as serve's Response carries, node:crypto sign of a payload the
//   size of a SignedInfo) and a page as long as serve's, nothing else. No IdP can do more logins/s
//   in this harness on this machine; serve's logins/s is also given as a share of it.
// - Memory: 100,000 active sessions written into the facade's memory store the way a login
//   through serve leaves them (a login-session record and one SP session participant), heap
//   delta with --expose-gc; and the heap each login retained during the serve run.
import { fork } from 'node:child_process';
import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { deflateRawSync } from 'node:zlib';
import * as samlify from 'samlify';
import * as http from '../dist/http.js';
import * as samlkit from '../dist/index.js';
import { startIdp } from '../dist/serve.js';

const quick = process.argv.includes('--quick');
const option = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const clients = option('clients', 32);
const durationMs = option('seconds', quick ? 1 : 8) * 1000;
const warmupMs = quick ? 500 : 2000;
const sessions = option('sessions', quick ? 10_000 : 100_000);
const rounds = option('rounds', quick ? 1 : 2);
const cores = availableParallelism();
// The facade and samlify sign with the same RSA-2048 fixture key (serve makes its own, also RSA-2048).
const keys = new URL('../fixtures/keys/', import.meta.url);
const read = (name) => readFileSync(new URL(name, keys), 'utf8');

const SP = 'https://sp.bench.example/metadata';
const ACS = 'https://sp.bench.example/acs';
const POST = samlkit.bindingUris.post;
const REDIRECT = samlkit.bindingUris.redirect;
const spMetadata =
  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${SP}">` +
  '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
  `<md:AssertionConsumerService Binding="${POST}" Location="${ACS}" index="0"/>` +
  '</md:SPSSODescriptor></md:EntityDescriptor>';
// serve's built-in demo user, released the same way by the facade-only server.
const demo = { email: 'demo@example.org', displayName: 'Demo User', groups: ['staff'] };

// --- the signing limit: raw RSA-2048 signatures per second of one core, measured now
const rawSigningKey = createPrivateKey(read('idp.key'));
// About the size of the SignedInfo a signature covers (the digest is over the canonical form).
const signedInfoSized = Buffer.alloc(700, 'x');
/** One raw RSA-2048 SHA-256 signature: what the signing limit counts, and all the bare signer does. */
const signRaw = () => cryptoSign('sha256', signedInfoSized, rawSigningKey);

function measureRawSign() {
  for (let i = 0; i < 50; i++) signRaw();
  let count = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const until = start + BigInt(quick ? 300e6 : 1500e6);
  let now = start;
  while (now < until) {
    for (let i = 0; i < 20; i++) signRaw();
    count += 20;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpuStart);
  // µs per signature: CPU time, like the IdP's CPU per login it is compared with (on a shared
  // machine the wall time also counts the time other work held the core), and wall time.
  return { cpu: (cpu.user + cpu.system) / count, wall: Number(now - start) / 1e3 / count };
}

// --- the load generator in its own process
function drive(url) {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./serve-load-client.mjs', import.meta.url), [], { stdio: 'inherit' });
    child.once('message', (message) => {
      child.kill();
      if (message.error) reject(new Error(message.error));
      else resolve(message.result);
    });
    child.once('error', reject);
    child.send({
      url,
      spEntityId: SP,
      acsUrl: ACS,
      clients,
      warmupMs,
      durationMs,
      // Enough distinct AuthnRequests for ~2,500 logins/s; each is used once.
      pool: Math.ceil(((warmupMs + durationMs) / 1000) * 2500),
    });
  });
}

/**
 * One login through the IdP: the signatures in the Response it answers (what a login costs in
 * signatures) and the length of the page, in bytes.
 */
async function probeLogin(url) {
  const xml =
    '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ' +
    `ID="_probe${Date.now()}" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${url}/sso" ` +
    `AssertionConsumerServiceURL="${ACS}" ProtocolBinding="${POST}"><saml:Issuer>${SP}</saml:Issuer></samlp:AuthnRequest>`;
  const query = encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'));
  const page = await (await fetch(`${url}/sso?SAMLRequest=${query}&RelayState=bench`)).text();
  const value = /name="SAMLResponse" value="([^"]+)"/.exec(page)?.[1];
  if (!value) throw new Error(`${url}: no SAMLResponse in\n${page.slice(0, 500)}`);
  const response = Buffer.from(value, 'base64').toString('utf8');
  return {
    signatures: (response.match(/SignatureValue>/g) ?? []).length / 2,
    pageBytes: Buffer.byteLength(page),
  };
}

function listen(handler) {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      handler(req, res).catch((error) => {
        res.writeHead(500).end(String(error));
      });
    });
    server.keepAliveTimeout = 30_000;
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        server,
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((done) => server.close(done) && server.closeAllConnections()),
      });
    });
  });
}

// --- the IdPs under test
async function startServe() {
  const idp = await startIdp({ mode: 'test', signInAs: 'demo', serviceProviders: [spMetadata] });
  return { url: idp.url, close: () => idp.close() };
}

/** What one login through serve costs in signatures and page bytes: the bare signer's work. */
async function probeServe() {
  const idp = await startServe();
  try {
    return await probeLogin(idp.url);
  } finally {
    await idp.close();
  }
}

/**
 * The harness's ceiling: node:http, the raw signatures of a login and a page as long as serve's
 * (one the load generator counts as a login), nothing else: no SAML, no store, no XML.
 */
async function startBareSigner({ signatures, pageBytes }) {
  const head = '<!DOCTYPE html><input type="hidden" name="SAMLResponse" value="';
  const tail = '">';
  const page = head + 'x'.repeat(Math.max(0, pageBytes - head.length - tail.length)) + tail;
  const headers = { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) };
  return listen(async (_req, res) => {
    for (let i = 0; i < signatures; i++) signRaw();
    res.writeHead(200, headers).end(page);
  });
}

async function startFacade({ signResponse }) {
  let handle;
  const listening = await listen((req, res) => handle(req, res));
  const { url } = listening;
  const key = samlkit.loadKeyPair({ certificate: read('idp.crt'), privateKey: read('idp.key') });
  const store = samlkit.createMemoryStore();
  const entityId = `${url}/metadata`;
  const endpoints = {
    ssoRedirect: `${url}/sso`,
    ssoPost: `${url}/sso`,
    sloRedirect: `${url}/slo`,
    sloPost: `${url}/slo`,
  };
  const idp = samlkit.createIdentityProvider({
    entityId,
    signing: { key },
    store,
    endpoints,
    sso: { secret: 'bench: a fixed secret of at least 32 bytes, not for production' },
  });
  await store.putProvider(
    SP,
    samlkit.parseProvider({ entityId: SP, acsUrl: ACS, spBinding: 'post', issuer: entityId, signResponse }),
  );
  let sessions = 0;
  const handlers = http.createIdpHandlers(idp, {
    login: (pending) => {
      sessions += 1;
      return handlers.completeLogin(pending, {
        user: {
          id: 'demo',
          email: demo.email,
          sessionId: `s${sessions}`,
          authnInstant: new Date(),
          attributes: Object.entries(demo).map(([name, values]) => ({ name, values })),
        },
      });
    },
  });
  handle = http.toNodeHandler(handlers.sso);
  return listening;
}

async function startSamlify({ signResponse }) {
  let handle;
  const listening = await listen((req, res) => handle(req, res));
  const { url } = listening;
  // samlify needs a schema validator (its own are separate packages); with none, it checks no schema.
  samlify.setSchemaValidator({ validate: async () => 'skipped' });
  const idp = samlify.IdentityProvider({
    entityID: `${url}/metadata`,
    privateKey: read('idp.key'),
    signingCert: read('idp.crt'),
    nameIDFormat: [samlkit.nameIdFormats.emailAddress],
    singleSignOnService: [{ Binding: REDIRECT, Location: `${url}/sso` }],
  });
  const sp = samlify.ServiceProvider({
    entityID: SP,
    assertionConsumerService: [{ Binding: POST, Location: ACS }],
    wantAssertionsSigned: true,
    wantMessageSigned: signResponse,
  });
  handle = async (req, res) => {
    const query = Object.fromEntries(new URL(req.url, url).searchParams);
    const request = await idp.parseLoginRequest(sp, 'redirect', { query, octetString: '' });
    const reply = await idp.createLoginResponse(
      sp,
      request,
      'post',
      { email: demo.email },
      {
        relayState: query.RelayState,
      },
    );
    const html =
      `<!DOCTYPE html><form method="post" action="${reply.entityEndpoint}">` +
      `<input type="hidden" name="SAMLResponse" value="${reply.context}">` +
      `<input type="hidden" name="RelayState" value="${reply.relayState ?? ''}">` +
      '<button type="submit">Continue</button></form>';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  };
  return listening;
}

/** One row: `signatures` is given for the bare signer, whose page carries no Response to count them in. */
async function measure({ label, start, signatures: given }) {
  const idp = await start();
  try {
    const signatures = given ?? (await probeLogin(idp.url)).signatures;
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    // CPU time of this process (the IdP) over the whole run, warm-up included, per login served:
    // unlike logins/s it does not depend on how much of the machine other work takes.
    const cpuBefore = process.cpuUsage();
    const result = await drive(idp.url);
    const cpu = process.cpuUsage(cpuBefore);
    // Every request the client started, warm-up included (the last few in flight are a rounding error).
    const served = result.used;
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    const logins = result.ok / result.seconds;
    return {
      label,
      logins,
      signatures,
      failed: result.failed,
      cpuUsPerLogin: served > 0 ? (cpu.user + cpu.system) / served : Number.NaN,
      retainedPerLogin: (heapAfter - heapBefore) / Math.max(1, result.ok),
    };
  } finally {
    await idp.close();
    await sleep(200);
  }
}

// --- memory per active session, through the facade's memory store
async function measureSessions() {
  const store = samlkit.createMemoryStore();
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const now = Date.now();
  const hex = (i) => i.toString(16).padStart(64, '0');
  for (let i = 0; i < sessions; i++) {
    // serve's login session: a 64-hex ID, the user, the instant and the method.
    await store.createTransaction(
      {
        id: `serve-session:${hex(i)}`,
        version: 1,
        expiresAt: now + 8 * 3_600_000,
        state: { username: `user-${i}`, authnInstant: now, method: 'password' },
      },
      now,
    );
    // …and the SP session the facade records at the login's Response.
    await store.recordParticipant({
      id: `_${hex(i).slice(0, 32)}`,
      providerId: SP,
      userId: `user-${i}`,
      nameId: { value: `user-${i}@example.org`, format: samlkit.nameIdFormats.emailAddress },
      sessionIndex: `_${hex(i + 1).slice(0, 32)}`,
      createdAt: now,
      expiresAt: now + 86_400_000,
    });
  }
  globalThis.__benchStore = store;
  global.gc?.();
  const after = process.memoryUsage().heapUsed;
  delete globalThis.__benchStore;
  return { sessions, bytesPerSession: (after - before) / sessions, totalMB: (after - before) / 1048576 };
}

// --- run
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const startedLoad = loadavg()[0];
console.log(
  `samlkit serve under load — ${cores} cores (${cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version}, ` +
    `${clients} clients, ${durationMs / 1000} s per row after ${warmupMs / 1000} s warm-up, best of ${rounds} interleaved rounds, load average ${startedLoad.toFixed(2)} at start` +
    `${typeof global.gc === 'function' ? '' : ' (run with --expose-gc for the memory figures)'}`,
);
// serve's login as the bare signer repeats it: its signatures and page length.
const serveLogin = await probeServe();
const idps = [
  {
    key: 'bare',
    label: `bare signer: node:http + ${serveLogin.signatures} raw signatures + a ${fmt(serveLogin.pageBytes)}-byte page (the harness's ceiling)`,
    signatures: serveLogin.signatures,
    start: () => startBareSigner(serveLogin),
  },
  {
    key: 'serve',
    label: 'samlkit serve (test mode; Response + assertion signed, the default)',
    start: startServe,
  },
  {
    key: 'facadeAssertion',
    label: 'samlkit facade + samlkit/http, assertion signed only',
    start: () => startFacade({ signResponse: false }),
  },
  {
    key: 'facadeBoth',
    label: 'samlkit facade + samlkit/http, Response + assertion signed',
    start: () => startFacade({ signResponse: true }),
  },
  {
    key: 'samlifyBoth',
    label: 'samlify IdentityProvider + node:http, Response + assertion signed',
    start: () => startSamlify({ signResponse: true }),
  },
  {
    key: 'samlifyAssertion',
    label: 'samlify IdentityProvider + node:http, assertion signed only',
    start: () => startSamlify({ signResponse: false }),
  },
];
// Each IdP runs `rounds` times, interleaved with the others; each keeps its best round (most
// logins/s, least CPU per login): on a shared machine interference only ever adds time.
// The raw signature is timed before each round too, and the least time kept, for the same reason:
// one timing taken while other work held the core would put the limit too low and every
// projection too high (past 100 % for the bare signer).
const rows = [];
const rawSigns = [];
for (let round = 0; round < rounds; round++) {
  rawSigns.push(measureRawSign());
  for (const [index, idp] of idps.entries()) {
    const measured = { key: idp.key, ...(await measure(idp)) };
    const best = rows[index];
    if (!best) rows[index] = measured;
    else
      rows[index] = {
        ...best,
        logins: Math.max(best.logins, measured.logins),
        cpuUsPerLogin: Math.min(best.cpuUsPerLogin, measured.cpuUsPerLogin),
        failed: best.failed + measured.failed,
        retainedPerLogin: Math.min(best.retainedPerLogin, measured.retainedPerLogin),
      };
  }
}
const signUs = Math.min(...rawSigns.map((each) => each.cpu));
const signaturesPerSecond = cores * (1e6 / signUs);
console.log(
  `raw RSA-2048 SHA-256 signature: ${fmt(signUs, 1)} µs of CPU, the least of ${rawSigns.length} timings, one before each round ` +
    `(${rawSigns.map((each) => `${fmt(each.cpu, 1)} µs CPU, ${fmt(each.wall, 1)} µs wall`).join('; ')}) ` +
    `→ signing limit ${fmt(signaturesPerSecond)} signatures/s on ${cores} cores (${fmt(1e6 / signUs)}/s on one)`,
);
const row = Object.fromEntries(rows.map((each) => [each.key, each]));
const percentOfLimit = (each) => (100 * each.logins * each.signatures) / signaturesPerSecond;
// The projection below: signatures × raw signature µs ÷ IdP CPU per login.
const signingShare = (each) => (100 * each.signatures * signUs) / each.cpuUsPerLogin;
console.log('');
console.log(
  '| IdP | logins/s | signatures per login | signatures/s | % of the signing limit (machine) | IdP CPU per login | signing share of that CPU | failed |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const each of rows) {
  console.log(
    `| ${each.label} | ${fmt(each.logins)} | ${each.signatures} | ${fmt(each.logins * each.signatures)} | ${fmt(percentOfLimit(each))} % | ${fmt(each.cpuUsPerLogin)} µs | ${fmt(signingShare(each))} % | ${each.failed} |`,
  );
}
// What the table cannot show on this machine: the load generator takes a core, and one serve
// process signs on one event loop. With the generator elsewhere and one serve process per core
// (on a shared store), every core would spend the CPU per login measured here, so the share of
// the signing limit reached would be the signing share of that CPU. A projection, not a measurement.
console.log('');
for (const each of [row.bare, row.serve, row.facadeAssertion, row.facadeBoth]) {
  console.log(
    `${each.label}: projected share of the signing limit with the load generator on another machine and one serve process per core ` +
      `(projection: signatures × raw signature µs ÷ IdP CPU per login) ${fmt(signingShare(each))} %; ` +
      `measured on this machine: ${fmt(percentOfLimit(each))} %`,
  );
}
// The bare signer does nothing a login could leave out: what it reaches is the most any IdP
// reaches in this harness on this machine, so serve's distance to it is serve's own.
console.log('');
console.log(
  `serve against the ceiling: ${fmt(percentOfLimit(row.serve))} % of the signing limit, ` +
    `${fmt((100 * row.serve.logins) / row.bare.logins)} % of the bare signer's logins/s ` +
    `(the bare signer itself: ${fmt(percentOfLimit(row.bare))} % of the signing limit); ` +
    `CPU per login ${fmt(row.serve.cpuUsPerLogin)} µs against the bare signer's ${fmt(row.bare.cpuUsPerLogin)} µs`,
);
const { serve, facadeAssertion, facadeBoth, samlifyBoth, samlifyAssertion } = row;
console.log(
  `serve ÷ samlify (both signed): ${fmt(serve.logins / samlifyBoth.logins, 2)}×; ` +
    `facade ÷ samlify (both signed): ${fmt(facadeBoth.logins / samlifyBoth.logins, 2)}×; ` +
    `facade ÷ samlify (assertion only): ${fmt(facadeAssertion.logins / samlifyAssertion.logins, 2)}× in logins/s`,
);
console.log(
  `samlify's CPU per login ÷ serve's (both signed): ${fmt(samlifyBoth.cpuUsPerLogin / serve.cpuUsPerLogin, 2)}×; ` +
    `÷ the facade's (both signed): ${fmt(samlifyBoth.cpuUsPerLogin / facadeBoth.cpuUsPerLogin, 2)}×; ` +
    `(assertion only): ${fmt(samlifyAssertion.cpuUsPerLogin / facadeAssertion.cpuUsPerLogin, 2)}×`,
);
if (typeof global.gc === 'function') {
  const memory = await measureSessions();
  console.log(
    `memory: ${fmt(memory.sessions)} active sessions in the memory store → +${fmt(memory.totalMB, 1)} MB heap, ${fmt(memory.bytesPerSession)} bytes per session; ` +
      `heap retained per login during the serve run: ${fmt(serve.retainedPerLogin)} bytes`,
  );
}
console.log(
  `load average ${loadavg()[0].toFixed(2)} at the end (the machine was ${startedLoad > 0.5 ? 'shared' : 'quiet'})`,
);
