// Worst time per request before authentication, at the default size limit (256 KiB of XML), for
// each entry point that takes untrusted input and each adversarial shape of bench/hostile-shapes.mjs.
// `npm run build && node bench/pre-auth.mjs` (add `--quick` for fewer repetitions).
// Reports, per entry point, the slowest shape and its best-of-N CPU time per call.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import * as samlkit from '../dist/index.js';
import { shapes } from './hostile-shapes.mjs';

const quick = process.argv.includes('--quick');
const repetitions = quick ? 2 : 5;
const limit = 256 * 1024;
const keys = new URL('../fixtures/keys/', import.meta.url);
const read = (name) => readFileSync(new URL(name, keys), 'utf8');
const cliPath = new URL('../dist/cli.cjs', import.meta.url).pathname;

const IDP = 'https://idp.example.com/metadata';
const SP = 'https://sp-a.example.com/metadata';
const SLO = 'https://idp.example.com/slo';
const SSO = 'https://idp.example.com/sso';
const now = new Date('2026-04-20T10:00:00Z');
const clock = () => now;
const spCert = samlkit.loadKeyPair({ certificate: read('sp-a.crt') });
const ns = samlkit.namespaces;

const logoutRequest = (extensions) =>
  `<samlp:LogoutRequest xmlns:samlp="${ns.samlp}" xmlns:saml="${ns.saml}" ID="_b" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${SLO}"><saml:Issuer>${SP}</saml:Issuer><samlp:Extensions>${extensions}</samlp:Extensions><saml:NameID>alice@example.com</saml:NameID><samlp:SessionIndex>_s1</samlp:SessionIndex></samlp:LogoutRequest>`;
const authnRequest = (extensions) =>
  `<samlp:AuthnRequest xmlns:samlp="${ns.samlp}" xmlns:saml="${ns.saml}" ID="_a" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${SSO}"><saml:Issuer>${SP}</saml:Issuer><samlp:Extensions>${extensions}</samlp:Extensions></samlp:AuthnRequest>`;
const metadata = (extensions) =>
  `<md:EntityDescriptor xmlns:md="${ns.md}" xmlns:ds="${ns.ds}" entityID="${SP}"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:Extensions>${extensions}</md:Extensions><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${spCert.certificateBase64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp-a.example.com/acs" index="0"/></md:SPSSODescriptor></md:EntityDescriptor>`;

/** Content that fills the document up to (just under) the default limit. */
function filling(shape, wrap) {
  const overhead = wrap('').length + 64;
  return wrap(shape.content(limit - overhead)).slice(0, Number.POSITIVE_INFINITY);
}

const base64 = (xml) => Buffer.from(xml, 'utf8').toString('base64');
const query = (xml) =>
  `SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`;
const form = (xml) => `SAMLRequest=${encodeURIComponent(base64(xml))}`;
const soap = (xml) =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${xml}</soapenv:Body></soapenv:Envelope>`;

const store = samlkit.createMemoryStore();
await store.putProvider(
  'sp-a',
  samlkit.parseProvider({
    entityId: SP,
    acsUrl: 'https://sp-a.example.com/acs',
    slsUrl: 'https://sp-a.example.com/slo',
    signAssertion: false,
    verificationCertificates: [spCert],
  }),
);
const idp = samlkit.createIdentityProvider({
  entityId: IDP,
  signing: { key: samlkit.loadKeyPair({ certificate: read('idp.crt'), privateKey: read('idp.key') }) },
  store,
  endpoints: { sloRedirect: SLO, sloPost: SLO, sloSoap: SLO, ssoRedirect: SSO, ssoPost: SSO },
  sso: { secret: 'a benchmark secret of at least thirty-two bytes' },
  clock,
});
const receiveOptions = { trust: [spCert], clock, requireSignature: false };
const formInput = (body) => ({ method: 'POST', body, contentType: 'application/x-www-form-urlencoded' });

const entryPoints = [
  [
    'receiveRedirect',
    logoutRequest,
    (xml) => {
      const q = query(xml);
      return () => samlkit.receiveRedirect(q, receiveOptions);
    },
  ],
  [
    'receivePost',
    logoutRequest,
    (xml) => {
      const f = form(xml);
      return () => samlkit.receivePost(f, receiveOptions);
    },
  ],
  [
    'receiveSoap',
    logoutRequest,
    (xml) => {
      const s = soap(xml);
      return () => samlkit.receiveSoap(s, receiveOptions);
    },
  ],
  [
    'receiveLogoutRequest (redirect)',
    logoutRequest,
    (xml) => {
      const q = query(xml);
      return () => idp.receiveLogoutRequest({ method: 'GET', query: q });
    },
  ],
  [
    'receiveLogoutRequest (post)',
    logoutRequest,
    (xml) => {
      const f = form(xml);
      return () => idp.receiveLogoutRequest(formInput(f));
    },
  ],
  [
    'receiveLogoutRequest (soap)',
    logoutRequest,
    (xml) => {
      const s = soap(xml);
      return () => idp.receiveLogoutRequest({ method: 'POST', body: s, contentType: 'text/xml' });
    },
  ],
  [
    'receiveAuthnRequest (post)',
    authnRequest,
    (xml) => {
      const f = form(xml);
      return () => idp.receiveAuthnRequest(formInput(f));
    },
  ],
  [
    'parseSpMetadata',
    metadata,
    (xml) => () => samlkit.parseSpMetadata(xml, { requireSignature: false, clock }),
  ],
];

function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

// The facade's receive* return a refusal as a result (ADR 0014); bindings and parsers throw it.
async function best(fn) {
  let result = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repetitions; i++) {
    const start = cpuMs();
    try {
      await fn();
    } catch (error) {
      if (!samlkit.isSamlError(error)) throw error;
    }
    result = Math.min(result, cpuMs() - start);
  }
  return result;
}

const rows = [];
for (const [name, wrap, make] of entryPoints) {
  let worst = { ms: 0, shape: '' };
  for (const shape of shapes) {
    const ms = await best(make(filling(shape, wrap)));
    if (ms > worst.ms) worst = { ms, shape: shape.name };
  }
  rows.push([name, worst.ms, worst.shape]);
}

// The CLI runs as a process: its time is the run's minus the time of `--version` (start-up).
function cliMs(args, input) {
  let result = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repetitions; i++) {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, [cliPath, ...args], { input });
    result = Math.min(result, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return result;
}
const startup = cliMs(['--version'], '');
for (const [name, args] of [
  ['samlkit decode', ['decode', '-']],
  ['samlkit verify', ['verify', '-', '--cert', new URL('sp-a.crt', keys).pathname]],
]) {
  let worst = { ms: 0, shape: '' };
  for (const shape of shapes) {
    const ms = cliMs(args, form(filling(shape, logoutRequest))) - startup;
    if (ms > worst.ms) worst = { ms, shape: shape.name };
  }
  rows.push([`${name} (wall, minus start-up)`, worst.ms, worst.shape]);
}

console.log(
  `Worst pre-authentication time per request at the default limit (${limit / 1024} KiB), best of ${repetitions}:\n`,
);
console.log('| entry point | worst (ms) | shape |\n|---|---:|---|');
for (const [name, ms, shape] of rows) console.log(`| ${name} | ${ms.toFixed(1)} | ${shape} |`);
