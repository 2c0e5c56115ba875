// A back-channel logout worker as its own process, on the BUILT package (dist/), for the
// multi-process tests. Configuration: the JSON in SAMLKIT_WORKER = { redisUrl, queueName, storePrefix,
// entityId, lockDurationMs, stalledIntervalMs }. Prints "READY" once it takes jobs, then one line
// "EVENT <json>" per onEvent event.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createLogoutWorker } from '../../dist/bullmq.js';
import { createFetchTransport, loadKeyPair } from '../../dist/index.js';
import { createRedisStore } from '../../dist/redis.js';

const config = JSON.parse(process.env.SAMLKIT_WORKER ?? '{}');
const fixture = (name) => readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url), 'utf8');

const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
const store = createRedisStore({ client: new Redis(config.redisUrl), prefix: config.storePrefix });
const { worker, close } = createLogoutWorker({
  connection,
  name: config.queueName,
  entityId: config.entityId,
  signing: { key: loadKeyPair({ certificate: fixture('idp.crt'), privateKey: fixture('idp.key') }) },
  store,
  // The SPs listen on http://127.0.0.1.
  transport: createFetchTransport({ attempts: 1, allowTargets: ['127.0.0.1'], unsafeAllowHttp: true }),
  backchannelTimeoutMs: 30_000,
  onEvent: (event) => process.stdout.write(`EVENT ${JSON.stringify(event)}\n`),
  workerOptions: { lockDuration: config.lockDurationMs, stalledInterval: config.stalledIntervalMs },
});
await worker.waitUntilReady();
process.stdout.write('READY\n');

process.on('SIGTERM', () => {
  close().then(() => process.exit(0));
});
