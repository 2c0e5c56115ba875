// The load generator of bench/serve-load.mjs, in its own process so the IdP under test keeps its
// core: many concurrent clients, each a loop of SP-initiated logins over keep-alive connections.
// One login = GET <idp>/sso?SAMLRequest=… (HTTP-Redirect binding, a pre-built AuthnRequest with
// its own ID) answered 200 with the page that posts the signed Response. The parent sends one
// message { url, spEntityId, acsUrl, clients, warmupMs, durationMs, pool } and gets back the counts.
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { deflateRawSync } from 'node:zlib';

/** An AuthnRequest of the SP (SAMLCore §3.4.1), unsigned, as the query of the Redirect binding. */
function authnRequestQuery({ url, spEntityId, acsUrl }) {
  const id = `_${randomBytes(16).toString('hex')}`;
  const xml =
    '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ' +
    'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ' +
    `ID="${id}" Version="2.0" IssueInstant="${new Date().toISOString()}" ` +
    `Destination="${url}/sso" AssertionConsumerServiceURL="${acsUrl}" ` +
    'ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">' +
    `<saml:Issuer>${spEntityId}</saml:Issuer>` +
    '<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" AllowCreate="true"/>' +
    '</samlp:AuthnRequest>';
  const encoded = deflateRawSync(Buffer.from(xml)).toString('base64');
  return `/sso?SAMLRequest=${encodeURIComponent(encoded)}&RelayState=bench`;
}

function login(agent, base, path) {
  return new Promise((resolve) => {
    const req = request(new URL(path, base), { agent, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('name="SAMLResponse"')));
      res.on('error', () => resolve(false));
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function run(job) {
  // Built before the clock starts: the client's own work stays out of the measured window.
  const pool = Array.from({ length: job.pool }, () => authnRequestQuery(job));
  const agent = new Agent({ keepAlive: true, maxSockets: job.clients });
  let next = 0;
  let ok = 0;
  let failed = 0;
  let counting = false;
  const started = Date.now();
  const warmEnd = started + job.warmupMs;
  const end = warmEnd + job.durationMs;
  let measuredFrom = 0;
  const client = async () => {
    while (Date.now() < end) {
      const path = pool[next++ % pool.length];
      const passed = await login(agent, job.url, path);
      if (!counting && Date.now() >= warmEnd) {
        counting = true;
        measuredFrom = Date.now();
      }
      if (counting) {
        if (passed) ok += 1;
        else failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: job.clients }, client));
  const seconds = (Date.now() - measuredFrom) / 1000;
  agent.destroy();
  return { ok, failed, seconds, used: next, pool: job.pool };
}

process.once('message', async (job) => {
  try {
    process.send({ result: await run(job) });
  } catch (error) {
    process.send({ error: String(error?.stack ?? error) });
  }
});
