// One IdP node as its own process, on the BUILT package (dist/), for the multi-node tests.
// Configuration: the JSON in SAMLKIT_NODE = { store: { kind: 'redis', url, prefix } | { kind: 'postgres', url, schema },
// entityId, endpoints, queue?: { url, name } }. Serves on 127.0.0.1 (port on stdout as "READY <port>"):
//   GET|POST /slo/...      the facade (LogoutRequest or LogoutResponse); answers JSON { result } or 400 { code }
//   POST /control/session  recordSession(JSON body)  → { participant }
//   POST /control/logout   logout(body.userId)       → { result }
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createLogoutQueue } from '../../dist/bullmq.js';
import { createIdentityProvider, isSamlError, loadKeyPair } from '../../dist/index.js';
import { createPostgresStore } from '../../dist/postgres.js';
import { createRedisStore } from '../../dist/redis.js';

const config = JSON.parse(process.env.SAMLKIT_NODE ?? '{}');
const fixture = (name) => readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url), 'utf8');
const key = loadKeyPair({ certificate: fixture('idp.crt'), privateKey: fixture('idp.key') });

const closers = [];
let store;
if (config.store.kind === 'redis') {
  const client = new Redis(config.store.url);
  closers.push(() => client.quit());
  store = createRedisStore({ client, prefix: config.store.prefix });
} else {
  const pool = new pg.Pool({ connectionString: config.store.url, max: 4 });
  closers.push(() => pool.end());
  store = createPostgresStore({ pool, schema: config.store.schema });
}
let deliveryQueue;
if (config.queue) {
  const connection = new Redis(config.queue.url, { maxRetriesPerRequest: null });
  deliveryQueue = createLogoutQueue({ connection, name: config.queue.name, attempts: 3, backoffMs: 50 });
  closers.push(async () => {
    await deliveryQueue.close();
    await connection.quit();
  });
}

const idp = createIdentityProvider({
  entityId: config.entityId,
  signing: { key },
  store,
  endpoints: config.endpoints,
  backchannel: { allowTargets: ['127.0.0.1'], unsafeAllowHttp: true }, // the SPs listen on http://127.0.0.1
  ...(deliveryQueue ? { deliveryQueue } : {}),
});

const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '/';
    try {
      if (url === '/control/session')
        return json(res, 200, { participant: await idp.recordSession(JSON.parse(body)) });
      if (url === '/control/logout')
        return json(res, 200, { result: await idp.logout(JSON.parse(body).userId) });
      const method = req.method ?? 'GET';
      const contentType = req.headers['content-type'];
      const input = {
        method,
        query: url,
        ...(method === 'POST' ? { body } : {}),
        ...(contentType ? { contentType } : {}),
      };
      const isResponse =
        method === 'GET' ? /[?&]SAMLResponse=/.test(url) : new URLSearchParams(body).has('SAMLResponse');
      const result = isResponse
        ? await idp.handleLogoutResponse(input)
        : await idp.handleLogoutRequest(input);
      json(res, 200, { result });
    } catch (error) {
      json(res, isSamlError(error) ? 400 : 500, { code: isSamlError(error) ? error.code : String(error) });
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${server.address().port}\n`);
});

process.on('SIGTERM', () => {
  server.close();
  Promise.allSettled(closers.map((close) => close())).then(() => process.exit(0));
});
