// The "at the limit" ratios only, measured the way a shared machine allows: every operation runs in
// short interleaved batches, round after round, and each ratio is taken within one round (samlkit
// and the raw key operation measured seconds apart) before the median over rounds is reported.
// `npm run build && node bench/limits.mjs [--rounds N] [--peers] [--cpu]` (peers: node-saml and
// samlify receive rows too; cpu: the process's CPU time instead of the wall clock, which leaves out
// the time other processes held the core but counts the collector's helper threads).
// BENCH_DIST=path/to/dist/index.js measures another build of samlkit.
import { sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { ACS, IDP, messageFixtures, readKey as read, SP, SP_SLO } from './message-fixtures.mjs';

const argument = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const rounds = argument('--rounds', 15);
const withPeers = process.argv.includes('--peers');
const cpuTime = process.argv.includes('--cpu');
const now = cpuTime
  ? () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    }
  : () => performance.now();
const samlkit = await import(
  process.env.BENCH_DIST ? pathToFileURL(process.env.BENCH_DIST).href : '../dist/index.js'
);
const {
  redirectUrl,
  postForm,
  rawPrivate,
  rawPublic,
  payload,
  operations: measured,
} = messageFixtures(samlkit);
const rawSignature = cryptoSign('sha256', payload, rawPrivate);

/** name → [operation, async?] */
const operations = new Map([
  ['raw sign', [() => cryptoSign('sha256', payload, rawPrivate)]],
  ['raw verify', [() => cryptoVerify('sha256', payload, rawPublic, rawSignature)]],
  ...Object.entries(measured).map(([name, operation]) => [name, [operation]]),
]);

if (withPeers) {
  const { SAML } = await import('@node-saml/node-saml');
  const samlify = await import('samlify');
  samlify.setSchemaValidator({ validate: async () => 'skipped' });
  const binding = samlkit.bindingUris;
  const slo = (url) => [
    { Binding: binding.redirect, Location: url },
    { Binding: binding.post, Location: url },
  ];
  const samlifyIdp = samlify.IdentityProvider({
    entityID: IDP,
    signingCert: read('idp.crt'),
    singleSignOnService: [{ Binding: binding.redirect, Location: 'https://idp.example.com/sso' }],
    singleLogoutService: slo('https://idp.example.com/slo'),
    wantLogoutRequestSigned: true,
  });
  const samlifySp = samlify.ServiceProvider({
    entityID: SP,
    singleLogoutService: slo(SP_SLO),
    wantLogoutRequestSigned: true,
  });
  const raw = redirectUrl.slice(redirectUrl.indexOf('?') + 1);
  const query = Object.fromEntries(new URLSearchParams(raw));
  const octetString = raw
    .split('&')
    .filter((p) => !p.startsWith('Signature='))
    .join('&');
  const nodeSaml = new SAML({
    callbackUrl: ACS,
    issuer: SP,
    idpCert: read('idp.crt'),
    idpIssuer: IDP,
    entryPoint: 'https://idp.example.com/sso',
    acceptedClockSkewMs: -1,
  });
  operations.set('node-saml redirect receive', [() => nodeSaml.validateRedirectAsync(query, raw), true]);
  operations.set('node-saml post receive', [() => nodeSaml.validatePostRequestAsync(postForm.fields), true]);
  operations.set('samlify redirect receive', [
    () => samlifySp.parseLogoutRequest(samlifyIdp, 'redirect', { query, octetString }),
    true,
  ]);
  operations.set('samlify post receive', [
    () => samlifySp.parseLogoutRequest(samlifyIdp, 'post', { body: postForm.fields }),
    true,
  ]);
}

/** µs per call over a batch of about `ms` milliseconds. */
async function time([operation, isAsync], ms) {
  let calls = 0;
  const started = now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 8; i++) {
      if (isAsync) await operation();
      else operation();
    }
    calls += 8;
    elapsed = now() - started;
  } while (elapsed < ms);
  return (elapsed * 1000) / calls;
}

for (const op of operations.values()) await time(op, 100); // warm-up
const samples = new Map([...operations.keys()].map((name) => [name, []]));
const ratioDefinitions = [
  ['Redirect build+sign+encode / raw sign', 'redirect build', 'raw sign', 1.15, 'max'],
  ['POST build+sign+encode / raw sign', 'post build', 'raw sign', 1.15, 'max'],
  ['Redirect receive+verify+parse / raw verify', 'redirect receive', 'raw verify', 3, 'max'],
  ['POST receive+verify+parse / raw verify', 'post receive', 'raw verify', 4, 'max'],
  ['SSO Response (assertion signed) build+encode / raw sign', 'sso build', 'raw sign', 1.3, 'max'],
  ['node-saml / samlkit, Redirect receive', 'node-saml redirect receive', 'redirect receive', 10, 'min'],
  ['samlify / samlkit, Redirect receive', 'samlify redirect receive', 'redirect receive', 10, 'min'],
  ['node-saml / samlkit, POST receive', 'node-saml post receive', 'post receive', 15, 'min'],
  ['samlify / samlkit, POST receive', 'samlify post receive', 'post receive', 15, 'min'],
].filter(([, a, b]) => operations.has(a) && operations.has(b));
const ratios = new Map(ratioDefinitions.map(([label]) => [label, []]));
for (let round = 0; round < rounds; round++) {
  const us = new Map();
  for (const [name, op] of operations) us.set(name, await time(op, 60));
  for (const [name, value] of us) samples.get(name).push(value);
  for (const [label, a, b] of ratioDefinitions) ratios.get(label).push(us.get(a) / us.get(b));
}
const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
console.log(
  `${rounds} interleaved rounds, ${cpuTime ? 'CPU time' : 'wall clock'}, Node ${process.version}; medians (min–max over rounds)`,
);
for (const [name, values] of samples)
  console.log(
    `${name.padEnd(28)} ${median(values).toFixed(1).padStart(8)} µs  (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`,
  );
console.log('');
for (const [label, , , limit, kind] of ratioDefinitions) {
  const values = ratios.get(label);
  const value = median(values);
  const met = kind === 'max' ? value <= limit : value >= limit;
  console.log(
    `${label.padEnd(58)} ${value.toFixed(2).padStart(6)} ${kind === 'max' ? '≤' : '≥'} ${limit}  ${met ? 'PASS' : 'MISS'}  (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`,
  );
}
