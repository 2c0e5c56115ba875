// A focused CPU profile of one operation of bench/limits.mjs: runs it in a loop under the V8
// sampling profiler and prints the functions by self time and by inclusive time (a function counted
// once per sample however deep it recurses).
// `npm run build && node bench/profile.mjs <redirect-build|post-build|redirect-receive|post-receive|sso-build> [calls]`
// Add `--save file.cpuprofile` to keep the profile for a viewer (Chrome DevTools, speedscope).
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import * as samlkit from '../dist/index.js';

const [which = 'redirect-receive', callsArgument] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const calls = Number(callsArgument ?? 20_000);
const keys = new URL('../fixtures/keys/', import.meta.url);
const read = (name) => readFileSync(new URL(name, keys), 'utf8');
const IDP = 'https://idp.example.com/metadata';
const SP_SLO = 'https://sp.example.com/slo';
const ACS = 'https://sp.example.com/acs';
const rsa = samlkit.loadKeyPair({ certificate: read('idp.crt'), privateKey: read('idp.key') });
const rsaCert = samlkit.loadKeyPair({ certificate: read('idp.crt') });
const build = () =>
  samlkit.buildLogoutRequest({
    issuer: IDP,
    destination: SP_SLO,
    nameId: { value: 'alice@example.com', format: samlkit.nameIdFormats.emailAddress },
    sessionIndex: '_3b5c9f1e2a7d4c8b9e0f1a2b3c4d5e6f',
  });
const encode = (encoder) => () =>
  encoder({
    type: 'SAMLRequest',
    xml: build().xml,
    destination: SP_SLO,
    relayState: 'https://app.example.com/after-logout',
    sign: { key: rsa },
  });
const redirectUrl = encode(samlkit.encodeRedirect)();
const postForm = encode(samlkit.encodePost)();
const provider = samlkit.parseProvider({
  entityId: 'https://sp.example.com/metadata',
  acsUrl: ACS,
  spBinding: 'post',
  issuer: IDP,
  signingKeyPair: rsa,
  signAssertion: true,
  signResponse: false,
});
const assertion = { nameId: { value: 'alice@example.com' }, sessionIndex: '_s1' };
const operations = {
  'redirect-build': encode(samlkit.encodeRedirect),
  'post-build': encode(samlkit.encodePost),
  'redirect-receive': () =>
    samlkit.parseLogoutRequest(samlkit.receiveRedirect(redirectUrl, { trust: [rsaCert] })),
  'post-receive': () =>
    samlkit.parseLogoutRequest(samlkit.receivePost(postForm.fields, { trust: [rsaCert] })),
  'sso-build': () =>
    samlkit.encodePost({
      type: 'SAMLResponse',
      xml: samlkit.buildResponse({ provider, inResponseTo: '_r1', assertion }).xml,
      destination: ACS,
    }),
};
const operation = operations[which];
if (!operation) throw new TypeError(`operation is one of ${Object.keys(operations).join(', ')}`);

for (let i = 0; i < 2000; i++) operation(); // let V8 optimize before sampling
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 50 });
await session.post('Profiler.start');
const started = performance.now();
for (let i = 0; i < calls; i++) operation();
const elapsed = performance.now() - started;
const { profile } = await session.post('Profiler.stop');
const save = process.argv.indexOf('--save');
if (save !== -1) writeFileSync(process.argv[save + 1], JSON.stringify(profile));

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const label = ({ callFrame: f }) =>
  `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}`;
const self = new Map();
const inclusive = new Map();
let total = 0;
for (const id of profile.samples) {
  total++;
  const leaf = label(byId.get(id));
  self.set(leaf, (self.get(leaf) ?? 0) + 1);
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) seen.add(label(byId.get(at)));
  for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
}
const idle = (self.get('(idle) :0') ?? 0) + (self.get('(program) :0') ?? 0);
console.log(`${which}: ${((elapsed * 1000) / calls).toFixed(1)} µs per call over ${calls} calls`);
const show = (title, map, count) => {
  console.log(`\n${title}`);
  for (const [name, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count))
    console.log(`${((100 * n) / total).toFixed(1).padStart(5)} %  ${name}`);
};
show('self', self, 30);
show('inclusive', inclusive, 45);
console.log(`\n(idle/program samples: ${((100 * idle) / total).toFixed(1)} %)`);
