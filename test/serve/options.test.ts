import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSamlError } from '../../src/index.js';
import { loadServeConfig, startIdp } from '../../src/serve/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samlkit-serve-options-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('startIdp options', () => {
  it.each([
    [{ port: -1 }, /port must be from 0 to 65535/],
    [{ mode: 'demo' }, /mode must be "interactive" or "test"/],
    [{ signInAs: 'demo' }, /signInAs is only available in test mode/],
    [{ users: [{ username: 'a b' }] }, /users\.0\.username must not contain spaces/],
    [{ store: { memcached: 'x' } }, /store must be/],
    [{ baseUrl: 'ftp://idp.example' }, /baseUrl must be an http\(s\) URL/],
    [{ colour: 'blue' }, /Unrecognized key/],
  ])('%j is a TypeError naming the problem', async (options, message) => {
    await expect(startIdp(options as never)).rejects.toThrow(TypeError);
    await expect(startIdp(options as never)).rejects.toThrow(message);
  });

  it('signInAs must name a user', async () => {
    await expect(startIdp({ mode: 'test', signInAs: 'nobody' })).rejects.toThrow(/signInAs names no user/);
  });

  it('a users file with a repeated username is SAML_CONFIG_INVALID', async () => {
    const path = join(dir, 'users.json');
    await writeFile(path, JSON.stringify([{ username: 'a' }, { username: 'a' }]));
    const error = await startIdp({ users: path }).catch((caught: unknown) => caught);
    expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('repeats "a"');
  });

  it('an SP metadata document that does not parse is a SamlError, and startIdp cleans up', async () => {
    const error = await startIdp({ serviceProviders: ['<md:EntityDescriptor/>'] }).catch(
      (caught: unknown) => caught,
    );
    expect(isSamlError(error)).toBe(true);
  });

  it('creates development keys in dataDir once and never overwrites them', async () => {
    const dataDir = join(dir, 'data');
    const first = await startIdp({ dataDir });
    await first.close();
    const key = await readFile(join(dataDir, 'signing-key.pem'), 'utf8');
    expect((await stat(join(dataDir, 'signing-key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'secret'))).mode & 0o777).toBe(0o600);
    const second = await startIdp({ dataDir });
    await second.close();
    expect(second.certificate).toBe(first.certificate);
    expect(await readFile(join(dataDir, 'signing-key.pem'), 'utf8')).toBe(key);
    // close() leaves a given data directory in place.
    expect((await stat(dataDir)).isDirectory()).toBe(true);
  });

  it('removes its temporary data directory on close', async () => {
    const idp = await startIdp();
    await stat(idp.dataDir);
    await idp.close();
    await expect(stat(idp.dataDir)).rejects.toThrow(/ENOENT/);
  });
});

describe('loadServeConfig', () => {
  it('reads a JSON config, paths relative to the file', async () => {
    const path = join(dir, 'serve.json');
    await writeFile(
      path,
      JSON.stringify({
        port: 7001,
        dataDir: 'state',
        users: 'users.json',
        serviceProviders: ['sp.xml', 'https://sp.example/md'],
        mode: 'test',
      }),
    );
    expect(await loadServeConfig(path)).toEqual({
      port: 7001,
      dataDir: join(dir, 'state'),
      users: join(dir, 'users.json'),
      serviceProviders: [join(dir, 'sp.xml'), 'https://sp.example/md'],
      mode: 'test',
    });
  });

  it('names every problem of a bad config with SAML_CONFIG_INVALID', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(
      path,
      JSON.stringify({ port: 'x', store: { redis: 'http://nope' }, tls: { certificate: 'c' } }),
    );
    const error = await loadServeConfig(path).catch((caught: unknown) => caught);
    expect(isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
    const issues = (error as { details: { issues: { path: unknown[] }[] } }).details.issues.map((issue) =>
      issue.path.join('.'),
    );
    expect(issues).toEqual(expect.arrayContaining(['port', 'tls.privateKey']));
  });

  it('refuses a file that is not JSON', async () => {
    const path = join(dir, 'notjson.json');
    await writeFile(path, '{ port: 1');
    await expect(loadServeConfig(path)).rejects.toThrow(/is not JSON/);
  });
});

describe('SP metadata from a URL', () => {
  it('is fetched once at start; a document over 1 MiB or an error status is SAML_METADATA_INVALID', async () => {
    const { createServer } = await import('node:http');
    const { startNodeSamlSp } = await import('./support.js');
    const sp = await startNodeSamlSp('remote');
    let fetches = 0;
    const server = createServer((req, res) => {
      fetches += 1;
      if (req.url === '/metadata') res.writeHead(200, { 'content-type': 'application/xml' }).end(sp.metadata);
      else if (req.url === '/huge') res.writeHead(200).end(`<x>${'a'.repeat(1024 * 1024 + 1)}</x>`);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const idp = await startIdp({ serviceProviders: [`${origin}/metadata`] });
      expect(idp.serviceProviders).toEqual([sp.entityId]);
      await fetch(`${idp.url}/`);
      await idp.close();
      expect(fetches).toBe(1);
      for (const path of ['/huge', '/missing']) {
        const error = await startIdp({ serviceProviders: [`${origin}${path}`] }).catch(
          (caught: unknown) => caught,
        );
        expect(isSamlError(error, 'SAML_METADATA_INVALID'), path).toBe(true);
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
