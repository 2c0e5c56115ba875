// The "at the limit" ratios, measured the way a shared machine allows: every operation runs in
// short interleaved batches, round after round, and each ratio is taken within one round (samlkit
// and the raw key operation measured seconds apart) before the median over rounds is reported.
// Used by bench/limits.mjs (these ratios alone) and bench/run.mjs (the targets of `npm run bench`).
import { sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import {
  ACS,
  IDP,
  messageFixtures,
  readKey as read,
  SP,
  SP_SLO,
  samlifySlo,
  splitRedirectQuery,
} from './message-fixtures.mjs';

/** [label, measured operation, operation it is set against, limit, 'max' | 'min'] */
export const ratioDefinitions = [
  ['Redirect build+sign+encode / raw sign', 'redirect build', 'raw sign', 1.15, 'max'],
  ['POST build+sign+encode / raw sign', 'post build', 'raw sign', 1.15, 'max'],
  ['Redirect receive+verify+parse / raw verify', 'redirect receive', 'raw verify', 3, 'max'],
  ['POST receive+verify+parse / raw verify', 'post receive', 'raw verify', 4, 'max'],
  ['SSO Response (assertion signed) build+encode / raw sign', 'sso build', 'raw sign', 1.3, 'max'],
  ['node-saml / samlkit, Redirect receive', 'node-saml redirect receive', 'redirect receive', 10, 'min'],
  ['samlify / samlkit, Redirect receive', 'samlify redirect receive', 'redirect receive', 10, 'min'],
  ['node-saml / samlkit, POST receive', 'node-saml post receive', 'post receive', 15, 'min'],
  ['samlify / samlkit, POST receive', 'samlify post receive', 'post receive', 15, 'min'],
];

/** The peers' receive operations on samlkit's own signed messages. */
async function peerOperations(samlkit, { redirectUrl, postForm }) {
  const { SAML } = await import('@node-saml/node-saml');
  const samlify = await import('samlify');
  samlify.setSchemaValidator({ validate: async () => 'skipped' });
  const samlifyIdp = samlify.IdentityProvider({
    entityID: IDP,
    signingCert: read('idp.crt'),
    singleSignOnService: [{ Binding: samlkit.bindingUris.redirect, Location: 'https://idp.example.com/sso' }],
    singleLogoutService: samlifySlo(samlkit, 'https://idp.example.com/slo'),
    wantLogoutRequestSigned: true,
  });
  const samlifySp = samlify.ServiceProvider({
    entityID: SP,
    singleLogoutService: samlifySlo(samlkit, SP_SLO),
    wantLogoutRequestSigned: true,
  });
  const { raw, query, octetString } = splitRedirectQuery(redirectUrl);
  const nodeSaml = new SAML({
    callbackUrl: ACS,
    issuer: SP,
    idpCert: read('idp.crt'),
    idpIssuer: IDP,
    entryPoint: 'https://idp.example.com/sso',
    acceptedClockSkewMs: -1,
  });
  return [
    ['node-saml redirect receive', [() => nodeSaml.validateRedirectAsync(query, raw), true]],
    ['node-saml post receive', [() => nodeSaml.validatePostRequestAsync(postForm.fields), true]],
    [
      'samlify redirect receive',
      [() => samlifySp.parseLogoutRequest(samlifyIdp, 'redirect', { query, octetString }), true],
    ],
    [
      'samlify post receive',
      [() => samlifySp.parseLogoutRequest(samlifyIdp, 'post', { body: postForm.fields }), true],
    ],
  ];
}

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * Runs the operations in `rounds` interleaved rounds of about `batchMs` each and returns, per
 * operation, its µs per call (median and spread over rounds), and per ratio its median over rounds,
 * its spread and whether it meets its limit. `cpuTime` measures the process's CPU time instead of
 * the wall clock. With `withPeers`, the peers' receives run in `peerRounds` rounds of their own
 * with samlkit's receives: their garbage, collected during whatever runs next, would otherwise
 * land in samlkit's batches (it raised a receive ratio by a third).
 */
export async function measureLimitRatios(
  samlkit,
  { rounds = 15, withPeers = false, peerRounds = rounds, cpuTime = false, batchMs = 60 } = {},
) {
  const now = cpuTime
    ? () => {
        const { user, system } = process.cpuUsage();
        return (user + system) / 1000;
      }
    : () => performance.now();
  const fixtures = messageFixtures(samlkit);
  const { rawPrivate, rawPublic, payload } = fixtures;
  const rawSignature = cryptoSign('sha256', payload, rawPrivate);
  /** name → [operation, async?] */
  const operations = new Map([
    ['raw sign', [() => cryptoSign('sha256', payload, rawPrivate)]],
    ['raw verify', [() => cryptoVerify('sha256', payload, rawPublic, rawSignature)]],
    ...Object.entries(fixtures.operations).map(([name, operation]) => [name, [operation]]),
  ]);
  const peers = new Map(withPeers ? await peerOperations(samlkit, fixtures) : []);

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

  const samples = new Map();
  const perRound = new Map();
  /** `count` interleaved rounds of `set`, for the ratios whose both operations it holds. */
  async function runRounds(set, count, sampleName = (name) => name) {
    for (const op of set.values()) await time(op, 100); // warm-up
    const definitions = ratioDefinitions.filter(([, a, b]) => set.has(a) && set.has(b));
    for (const [label] of definitions) perRound.set(label, []);
    for (let round = 0; round < count; round++) {
      const us = new Map();
      for (const [name, op] of set) us.set(name, await time(op, batchMs));
      for (const [name, value] of us) {
        const key = sampleName(name);
        if (!samples.has(key)) samples.set(key, []);
        samples.get(key).push(value);
      }
      for (const [label, a, b] of definitions) perRound.get(label).push(us.get(a) / us.get(b));
    }
  }
  await runRounds(operations, rounds);
  if (peers.size > 0) {
    // The peer ratios are set against samlkit's receives measured in the same rounds.
    const receives = ['redirect receive', 'post receive'].map((name) => [name, operations.get(name)]);
    await runRounds(new Map([...receives, ...peers]), peerRounds, (name) =>
      operations.has(name) ? `${name} (with the peers)` : name,
    );
  }
  const definitions = ratioDefinitions.filter(([label]) => perRound.has(label));
  const ratios = definitions.map(([label, , , limit, kind]) => {
    const values = perRound.get(label);
    const value = median(values);
    return {
      label,
      limit,
      kind,
      value,
      min: Math.min(...values),
      max: Math.max(...values),
      met: kind === 'max' ? value <= limit : value >= limit,
    };
  });
  const operationsUs = new Map(
    [...samples].map(([name, values]) => [
      name,
      { median: median(values), min: Math.min(...values), max: Math.max(...values) },
    ]),
  );
  return { rounds, peerRounds: peers.size > 0 ? peerRounds : 0, cpuTime, operations: operationsUs, ratios };
}
