// samlkit benchmark: samlkit vs samlify vs node-saml vs raw node:crypto, in one process.
// `npm run bench` (full) or `npm run bench -- --quick` (CI smoke: few iterations, same code paths).
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { SAML } from '@node-saml/node-saml';
import * as samlify from 'samlify';
import { Bench } from 'tinybench';
import * as samlkit from '../dist/index.js';
import { measureLimitRatios } from './limit-ratios.mjs';
import { samlifySlo, splitRedirectQuery } from './message-fixtures.mjs';
import { ssoRows } from './sso-rows.mjs';
import { formatStoreRows, measureStoreRows } from './store-rows.mjs';

const quick = process.argv.includes('--quick');
const keys = new URL('../fixtures/keys/', import.meta.url);
const read = (name) => readFileSync(new URL(name, keys), 'utf8');

const IDP = 'https://idp.example.com/metadata';
const SP = 'https://sp.example.com/metadata';
const SP_SLO = 'https://sp.example.com/slo';
const IDP_SLO = 'https://idp.example.com/slo';
const RSA_SHA256 = samlkit.signatureAlgorithms.rsaSha256;
const nameId = 'alice@example.com';
const sessionIndex = '_3b5c9f1e2a7d4c8b9e0f1a2b3c4d5e6f';
const relayState = 'https://app.example.com/after-logout';

const rsa = samlkit.loadKeyPair({ certificate: read('idp.crt'), privateKey: read('idp.key') });
const rsaCert = samlkit.loadKeyPair({ certificate: read('idp.crt') });
const ec = samlkit.loadKeyPair({
  certificate: read('idp-ec-p-256.crt'),
  privateKey: read('idp-ec-p-256.key'),
});
const ecCert = samlkit.loadKeyPair({ certificate: read('idp-ec-p-256.crt') });
const rawPrivate = createPrivateKey(read('idp.key'));
const rawPublic = createPublicKey(read('idp.crt'));

// --- samlkit operations
const build = () =>
  samlkit.buildLogoutRequest({
    issuer: IDP,
    destination: SP_SLO,
    nameId: { value: nameId, format: samlkit.nameIdFormats.emailAddress },
    sessionIndex,
  });
// The builder's result itself is encoded, as the logout engine does: the signer takes its tree.
const kitRedirect = (key) => () =>
  samlkit.encodeRedirect({
    type: 'SAMLRequest',
    xml: build(),
    destination: SP_SLO,
    relayState,
    sign: { key },
  });
const kitPost = (key) => () =>
  samlkit.encodePost({
    type: 'SAMLRequest',
    xml: build(),
    destination: SP_SLO,
    relayState,
    sign: { key },
  });
const redirectUrl = kitRedirect(rsa)();
const postForm = kitPost(rsa)();
const ecRedirectUrl = kitRedirect(ec)();
const ecPostForm = kitPost(ec)();
// parse* takes the receive result and reads the parse of the verified bytes it carries.
const receiveRedirect = (url, cert) => () =>
  samlkit.parseLogoutRequest(samlkit.receiveRedirect(url, { trust: [cert] }));
const receivePost = (form, cert) => () =>
  samlkit.parseLogoutRequest(samlkit.receivePost(form.fields, { trust: [cert] }));

// --- samlify: the IdP sends (createLogoutRequest) and the SP side receives (parseLogoutRequest)
samlify.setSchemaValidator({ validate: async () => 'skipped' });
const binding = samlkit.bindingUris;
const samlifyIdp = samlify.IdentityProvider({
  entityID: IDP,
  privateKey: read('idp.key'),
  signingCert: read('idp.crt'),
  singleSignOnService: [{ Binding: binding.redirect, Location: 'https://idp.example.com/sso' }],
  singleLogoutService: samlifySlo(samlkit, IDP_SLO),
  requestSignatureAlgorithm: RSA_SHA256,
  wantLogoutRequestSigned: true,
  wantLogoutResponseSigned: true,
});
const samlifySp = samlify.ServiceProvider({
  entityID: SP,
  privateKey: read('sp-a.key'),
  signingCert: read('sp-a.crt'),
  singleLogoutService: samlifySlo(samlkit, SP_SLO),
  wantLogoutRequestSigned: true,
  wantLogoutResponseSigned: true,
  nameIDFormat: [samlkit.nameIdFormats.emailAddress],
});
const user = { logoutNameID: nameId, sessionIndex };
const samlifyRedirect = () => samlifyIdp.createLogoutRequest(samlifySp, 'redirect', user, relayState);
const samlifyPost = () => samlifyIdp.createLogoutRequest(samlifySp, 'post', user, relayState);
const kitSplit = splitRedirectQuery(redirectUrl);
const samlifyReceiveRedirect = () =>
  samlifySp.parseLogoutRequest(samlifyIdp, 'redirect', {
    query: kitSplit.query,
    octetString: kitSplit.octetString,
  });
const samlifyReceivePost = () => samlifySp.parseLogoutRequest(samlifyIdp, 'post', { body: postForm.fields });

// --- node-saml: builds and signs a Redirect LogoutRequest (it has no POST logout builder) and verifies both
const nodeSaml = new SAML({
  callbackUrl: 'https://sp.example.com/acs',
  issuer: SP,
  idpCert: read('idp.crt'),
  idpIssuer: IDP,
  entryPoint: 'https://idp.example.com/sso',
  logoutUrl: IDP_SLO,
  privateKey: read('idp.key'),
  signatureAlgorithm: 'sha256',
  acceptedClockSkewMs: -1,
});
const profile = {
  nameID: nameId,
  nameIDFormat: samlkit.nameIdFormats.emailAddress,
  sessionIndex,
  ID: '_x',
  issuer: IDP,
};
const nodeSamlRedirect = () => nodeSaml.getLogoutUrlAsync(profile, relayState, {});
const nodeSamlReceiveRedirect = () => nodeSaml.validateRedirectAsync(kitSplit.query, kitSplit.raw);
const nodeSamlReceivePost = () => nodeSaml.validatePostRequestAsync(postForm.fields);

// --- raw limits over a payload of the same size as the signed bytes
const payload = Buffer.from('x'.repeat(build().xml.length));
const rawSignature = cryptoSign('sha256', payload, rawPrivate);
const rawSign = () => cryptoSign('sha256', payload, rawPrivate);
const rawVerify = () => cryptoVerify('sha256', payload, rawPublic, rawSignature);

// Sanity: every peer accepts what samlkit emits, so the rows measure real work.
await samlifyReceiveRedirect();
await samlifyReceivePost();
await nodeSamlReceiveRedirect();
await nodeSamlReceivePost();
receiveRedirect(ecRedirectUrl, ecCert)();
receivePost(ecPostForm, ecCert)();

const rows = [
  {
    id: 'redirect-build-sign',
    label: 'Redirect: build + sign + encode',
    samlkit: kitRedirect(rsa),
    samlify: samlifyRedirect,
    nodeSaml: nodeSamlRedirect,
    raw: 'sign',
  },
  {
    id: 'post-build-sign',
    label: 'POST: build + sign + encode',
    samlkit: kitPost(rsa),
    samlify: samlifyPost,
    raw: 'sign',
  },
  {
    id: 'redirect-receive',
    label: 'Redirect: receive + verify + parse',
    samlkit: receiveRedirect(redirectUrl, rsaCert),
    samlify: samlifyReceiveRedirect,
    nodeSaml: nodeSamlReceiveRedirect,
    raw: 'verify',
  },
  {
    id: 'post-receive',
    label: 'POST: receive + verify + parse',
    samlkit: receivePost(postForm, rsaCert),
    samlify: samlifyReceivePost,
    nodeSaml: nodeSamlReceivePost,
    raw: 'verify',
  },
  { id: 'raw-rsa-sign', label: 'raw RSA-2048 SHA-256 sign', raw: 'sign', only: rawSign },
  { id: 'raw-rsa-verify', label: 'raw RSA-2048 SHA-256 verify', raw: 'verify', only: rawVerify },
  { id: 'ec-redirect-build-sign', label: 'ECDSA P-256 Redirect: build + sign', samlkit: kitRedirect(ec) },
  { id: 'ec-post-build-sign', label: 'ECDSA P-256 POST: build + sign', samlkit: kitPost(ec) },
  {
    id: 'ec-redirect-receive',
    label: 'ECDSA P-256 Redirect: receive',
    samlkit: receiveRedirect(ecRedirectUrl, ecCert),
  },
  { id: 'ec-post-receive', label: 'ECDSA P-256 POST: receive', samlkit: receivePost(ecPostForm, ecCert) },
  ...(await ssoRows({ samlkit, read })),
];

// --- the at-the-limit ratios, interleaved (bench/limit-ratios.mjs): samlkit and the raw key
// operation, and the peers' receives, in alternating short batches with each ratio taken within a
// round. The rows below are measured a minute apart, which on a shared machine moves a ratio to
// one signature by more than the 15 % these targets allow. They run first, in a fresh process:
// after the rows, the peers' retained heap and the stores' servers and sockets weigh on every
// batch (the POST receive ratio read 4.2 there against 3.3 here).
let limitRatios;
if (!process.argv.includes('--fanout-only')) {
  const limits = await measureLimitRatios(samlkit, {
    rounds: quick ? 3 : 45,
    withPeers: true,
    peerRounds: quick ? 2 : 15,
    batchMs: quick ? 10 : 60,
  });
  limitRatios = { ...limits, operations: Object.fromEntries(limits.operations) };
}

// Several short rounds, and each operation's best round: a shared, noisy machine only ever
// makes an operation slower, so the minimum is the steadiest estimate of its own cost.
const rounds = quick ? 1 : 3;
const best = new Map();
for (let round = 0; round < rounds && !process.argv.includes('--fanout-only'); round++) {
  const bench = new Bench({
    time: quick ? 20 : 500,
    warmupTime: quick ? 5 : 100,
    iterations: quick ? 5 : 32,
  });
  for (const row of rows) {
    for (const lib of ['samlkit', 'samlify', 'nodeSaml', 'only'])
      if (row[lib]) bench.add(`${row.id}:${lib}`, row[lib]);
  }
  await bench.run();
  for (const task of bench.tasks) {
    const ms = task.result?.latency?.mean ?? task.result?.mean;
    if (ms !== undefined)
      best.set(task.name, Math.min(best.get(task.name) ?? Number.POSITIVE_INFINITY, ms * 1000));
  }
}
const mean = (name) => best.get(name);
const results = { quick, node: process.version, rows: [], limits: limitRatios };
const rawSignUs = mean('raw-rsa-sign:only');
const rawVerifyUs = mean('raw-rsa-verify:only');
for (const row of rows) {
  const us = {
    samlkit: mean(`${row.id}:samlkit`),
    samlify: mean(`${row.id}:samlify`),
    nodeSaml: mean(`${row.id}:nodeSaml`),
    raw: mean(`${row.id}:only`),
  };
  const rawUs = row.raw === 'sign' ? rawSignUs : rawVerifyUs;
  results.rows.push({
    id: row.id,
    label: row.label,
    us,
    samlkitOverRaw: us.samlkit && row.raw && !row.only ? us.samlkit / rawUs : undefined,
    samlifyOverSamlkit: us.samlify && us.samlkit ? us.samlify / us.samlkit : undefined,
    nodeSamlOverSamlkit: us.nodeSaml && us.samlkit ? us.nodeSaml / us.samlkit : undefined,
  });
}

// --- memory: 100,000 session participants in the memory store
async function measureMemory() {
  const count = quick ? 10_000 : 100_000;
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const store = samlkit.createMemoryStore();
  for (let i = 0; i < count; i++) {
    await store.recordParticipant({
      id: `_p${i.toString(16).padStart(32, '0')}`,
      providerId: `sp-${i % 20}`,
      userId: `user-${i >> 2}`,
      nameId: { value: `user-${i >> 2}@example.com`, format: samlkit.nameIdFormats.emailAddress },
      sessionIndex: `_s${i.toString(16).padStart(32, '0')}`,
      createdAt: Date.now(),
      expiresAt: Date.now() + 86_400_000,
    });
  }
  globalThis.__benchStore = store; // keep it reachable across the collection below
  global.gc?.();
  const after = process.memoryUsage().heapUsed;
  delete globalThis.__benchStore;
  return {
    participants: count,
    heapDeltaMB: (after - before) / 1024 / 1024,
    gcExposed: typeof global.gc === 'function',
  };
}

// --- fan-out: IdP-initiated logout to 50 back-channel SPs on loopback, each answering after 200 ms
async function measureFanOut() {
  const spCount = quick ? 10 : 50;
  const latency = 200;
  const servers = [];
  for (let i = 0; i < spCount; i++) {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end('ok'), latency));
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  const store = samlkit.createMemoryStore();
  const idp = samlkit.createIdentityProvider({
    entityId: IDP,
    signing: { key: rsa },
    store,
    endpoints: { sloRedirect: IDP_SLO, sloPost: IDP_SLO },
    // The bench SPs listen on plain http://127.0.0.1, which the default guard refuses.
    transport: samlkit.createFetchTransport({
      timeoutMs: 5_000,
      attempts: 1,
      allowTargets: ['127.0.0.1'],
      unsafeAllowHttp: true,
    }),
    ...(process.env.BENCH_CONCURRENCY ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
  });
  for (let i = 0; i < spCount; i++) {
    const entityId = `https://sp${i}.example.com`;
    await store.putProvider(
      `sp${i}`,
      samlkit.parseProvider({
        entityId,
        acsUrl: `${entityId}/acs`,
        signAssertion: false,
        logoutMethod: 'backchannel',
        slsBinding: 'post',
        slsUrl: `http://127.0.0.1:${servers[i].address().port}/slo`,
        verificationCertificates: [read('sp-a.crt')],
      }),
    );
    await idp.recordSession({
      providerId: `sp${i}`,
      userId: 'alice',
      nameId: { value: nameId },
      sessionIndex: `_s${i}`,
    });
  }
  // Warm up the HTTP client (fetch loads lazily) with one throw-away logout, as a running IdP would be.
  await idp.recordSession({
    providerId: 'sp0',
    userId: 'warm-up',
    nameId: { value: 'warm-up' },
    sessionIndex: '_warm',
  });
  await idp.logout('warm-up');
  const started = performance.now();
  const result = await idp.logout('alice');
  const elapsed = performance.now() - started;
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  const ok = result.participants.filter((p) => p.outcome === 'logged_out').length;
  return {
    sps: spCount,
    latencyMs: latency,
    elapsedMs: elapsed,
    loggedOut: ok,
    overOneSp: elapsed / latency,
    serialMs: spCount * latency,
  };
}

results.memory = await measureMemory();
results.fanOut = await measureFanOut();
results.stores = await measureStoreRows({ quick });

// --- targets: each with this run's value. For "faster than a peer" targets the ceiling is the
// peer's whole time over one raw key operation: samlkit must do that operation too, so no
// implementation can show a larger ratio on this machine in this run.
function evaluateTargets() {
  const row = (id) => results.rows.find((r) => r.id === id);
  const targets = [];
  const overPeer = (id, peer, label, limit) => {
    const r = row(id);
    const value = peer === 'samlify' ? r?.samlifyOverSamlkit : r?.nodeSamlOverSamlkit;
    const peerUs = peer === 'samlify' ? r?.us.samlify : r?.us.nodeSaml;
    const spec = rows.find((x) => x.id === id);
    const rawUs = (spec?.raw === 'sign' ? rawSignUs : rawVerifyUs) * (spec?.rawOps ?? 1);
    targets.push({
      target: `${label} ≥ ${limit} × faster than ${peer === 'samlify' ? 'samlify' : 'node-saml'}`,
      value,
      ceiling: peerUs === undefined ? undefined : peerUs / rawUs,
      met: value !== undefined && value >= limit,
    });
  };
  // At the limit: each build within 15 % of its one RSA signature, each receive within 3–4
  // verifications and 10–15 × faster than both peers, the Response within 30 % of its signature.
  // Interleaved medians, with the spread over rounds.
  for (const ratio of results.limits?.ratios ?? []) {
    targets.push({
      target: `${ratio.label} ${ratio.kind === 'max' ? '≤' : '≥'} ${ratio.limit} (interleaved, ${ratio.kind === 'max' ? results.limits.rounds : results.limits.peerRounds} rounds)`,
      value: ratio.value,
      spread: [ratio.min, ratio.max],
      met: ratio.met,
    });
  }
  overPeer('redirect-build-sign', 'samlify', 'Redirect build+sign', 3);
  overPeer('post-build-sign', 'samlify', 'POST build+sign', 4);
  for (const id of ['sso-response-signed-assertion', 'sso-response-signed-both', 'sso-response-encrypted'])
    overPeer(id, 'samlify', row(id)?.label ?? id, 3);
  const heap = results.memory.heapDeltaMB * (100_000 / results.memory.participants);
  targets.push({ target: '100,000 participants ≤ 150 MB more heap', value: heap, met: heap <= 150 });
  targets.push({
    target: `fan-out to ${results.fanOut.sps} SPs at ${results.fanOut.latencyMs} ms ≤ 3 × one SP`,
    value: results.fanOut.overOneSp,
    met: results.fanOut.overOneSp <= 3,
  });
  return targets;
}
results.targets = evaluateTargets();

// --- report
const fmt = (v, d = 1) => (v === undefined ? '—' : v.toFixed(d));
console.log(
  `samlkit benchmark (${quick ? 'quick smoke' : 'full'}), Node ${process.version}, RSA-2048 unless noted`,
);
console.log('');
console.log(
  '| operation | samlkit µs | samlify µs | node-saml µs | raw µs | samlkit/raw | samlify/samlkit | node-saml/samlkit |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results.rows) {
  const row = rows.find((x) => x.id === r.id);
  const rawUs = row.only
    ? r.us.raw
    : row.raw === 'verify'
      ? rawVerifyUs
      : row.raw === 'sign'
        ? rawSignUs
        : undefined;
  console.log(
    `| ${r.label} | ${fmt(r.us.samlkit)} | ${fmt(r.us.samlify)} | ${fmt(r.us.nodeSaml)} | ${fmt(rawUs)} | ${fmt(r.samlkitOverRaw, 2)} | ${fmt(r.samlifyOverSamlkit, 2)} | ${fmt(r.nodeSamlOverSamlkit, 2)} |`,
  );
}
console.log('');
console.log(
  `memory store: ${results.memory.participants} participants → +${fmt(results.memory.heapDeltaMB)} MB heap${results.memory.gcExposed ? '' : ' (run with --expose-gc for a precise figure)'}`,
);
console.log(
  `SLO fan-out: ${results.fanOut.sps} back-channel SPs × ${results.fanOut.latencyMs} ms → ${fmt(results.fanOut.elapsedMs, 0)} ms (${fmt(results.fanOut.overOneSp, 2)} × one SP; serial would be ${results.fanOut.serialMs} ms); ${results.fanOut.loggedOut} logged out`,
);
console.log('');
console.log(formatStoreRows(results.stores));
console.log('');
console.log(
  quick
    ? 'targets (quick smoke: too few iterations to judge them; run `npm run bench`):'
    : 'targets (ceiling: the peer time over the raw key operations samlkit must also do):',
);
console.log('');
console.log('| target | this run | ceiling on this machine | |');
console.log('|---|---:|---:|---|');
for (const t of results.targets) {
  const value = t.spread
    ? `${fmt(t.value, 2)} (${fmt(t.spread[0], 2)}–${fmt(t.spread[1], 2)})`
    : fmt(t.value, 2);
  console.log(
    `| ${t.target} | ${value} | ${t.ceiling === undefined ? '—' : `${fmt(t.ceiling, 2)} ×`} | ${t.met ? 'PASS' : 'MISS'} |`,
  );
}
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
if (results.fanOut.loggedOut !== results.fanOut.sps) {
  console.error('fan-out did not log every SP out');
  process.exitCode = 1;
}
