/**
 * Two `startIdp` instances on one real Redis (and one PostgreSQL), one data
 * directory, as two `samlkit serve` processes behind a load balancer: a login
 * on one is a session on the other, a request held by one is answered by the
 * other, and "Log out everywhere" on one ends the session for both.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningIdp, type ServeStoreOption, startIdp } from '../../src/serve/index.js';
import { postgresUrl, redisUrl, skipLoudly, uniqueName } from '../support/database-clients.js';
import { Browser, type NodeSamlSp, readFormOf, startNodeSamlSp } from './support.js';

function describeShared(kind: string, store: () => ServeStoreOption) {
  describe(`two IdPs sharing ${kind}`, () => {
    let left: RunningIdp;
    let right: RunningIdp;
    let sp: NodeSamlSp;
    let dataDir: string;
    let rightPort = 0;
    beforeAll(async () => {
      rightPort = await freePort();
      dataDir = await mkdtemp(join(tmpdir(), 'samlkit-shared-'));
      sp = await startNodeSamlSp('shared');
      const chosen = store();
      const users = [
        { username: 'alice', password: 'wonderland', attributes: { email: 'alice@example.org' } },
      ];
      left = await startIdp({ dataDir, store: chosen, users, serviceProviders: [sp.metadata] });
      // Behind a load balancer both answer on one public URL: the second takes the first's base URL.
      right = await startIdp({
        port: rightPort,
        dataDir,
        store: chosen,
        users,
        baseUrl: left.url,
        serviceProviders: [sp.metadata],
      });
      sp.trust(left);
    });
    afterAll(async () => {
      await Promise.all([left?.close(), right?.close()]);
      await rm(dataDir, { recursive: true, force: true });
    });

    /** The same URL on the other node (what a load balancer would pick). */
    const onRight = (url: string) => url.replace(left.url, `http://127.0.0.1:${rightPort}`);

    it('shares keys, and a login on one node is a session on the other', async () => {
      expect(right.certificate).toBe(left.certificate);
      expect(right.entityId).toBe(left.entityId);
      const browser = new Browser();
      // The SP sends the browser to the left node; the login form is served and posted on the right.
      const toIdp = await browser.request(`${sp.origin}/login`);
      const sso = await browser.request(toIdp.headers.get('location')!);
      expect(sso.status).toBe(303);
      const loginUrl = new URL(sso.headers.get('location')!, left.url).toString();
      const login = await browser.open(onRight(loginUrl));
      const form = readFormOf(login.html);
      const landed = await browser.open(onRight(new URL(form.action, left.url).toString()), {
        form: { ...form.fields, username: 'alice', password: 'wonderland' },
      });
      expect(landed.html).toBe('shared: welcome alice@example.org (relay /home)');
      // The session cookie set by the right node is known to the left one (same host, shared jar).
      const session = await browser.open(`${left.url}/session`);
      expect(session.html).toContain('Signed in as <strong>alice</strong>');
      expect(session.html).toContain(`<li>${sp.entityId}</li>`);

      // Log out everywhere on the right: the left no longer knows the session.
      const cookie = browser.cookie(left.url, 'samlkit_session')!;
      expect(cookie).toMatch(/^[0-9a-f]{64}$/);
      const onRightSession = await browser.open(onRight(`${left.url}/session`));
      const logout = readFormOf(onRightSession.html);
      await browser.open(onRight(`${left.url}${logout.action}`), { form: logout.fields });
      const replayed = await fetch(`${left.url}/session`, {
        headers: { cookie: `samlkit_session=${cookie}` },
      });
      expect(await replayed.text()).toContain('You are not signed in.');
      expect((await browser.open(`${sp.origin}/home`)).status).toBe(401);
    });
  });
}

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

if (!redisUrl) skipLoudly('redis-server');
else describeShared('Redis', () => ({ redis: redisUrl, prefix: `${uniqueName('serve')}:` }));
if (!postgresUrl) skipLoudly('PostgreSQL');
else describeShared('PostgreSQL', () => ({ postgres: postgresUrl, prefix: uniqueName('serve') }));
