/**
 * Private redis-server and PostgreSQL instances for the outage tests: each on its own
 * free port with its data in its own temporary directory, durable (Redis appendonly with
 * appendfsync always; PostgreSQL with fsync on), and able to stop and start again on the
 * same port and data, as a real server restart. Real binaries, nothing mocked.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgres, findRedisServer } from './database-servers.mjs';

export interface RestartableServer {
  url: string;
  port: number;
  /** Stops the server (Redis: SIGKILL, a crash; PostgreSQL: fast shutdown, clients get 57P01). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function restartable(
  port: number,
  url: string,
  directory: string,
  launch: () => { child: ChildProcess; ready: () => boolean; log: () => string },
  signal: NodeJS.Signals,
): RestartableServer {
  let current: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const { child, ready, log } = launch();
    running.add(child);
    child.once('exit', () => running.delete(child));
    current = child;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${log()}`);
      if (ready() && (await canConnect(port))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`server did not start within 30 s:\n${log()}`);
  };
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      const child = current;
      current = undefined;
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  return {
    url,
    port,
    start,
    stop,
    destroy: async () => {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function collect(child: ChildProcess): () => string {
  let log = '';
  child.stdout?.on('data', (d) => {
    log += d;
  });
  child.stderr?.on('data', (d) => {
    log += d;
  });
  return () => log;
}

/** redis-server with appendonly yes and appendfsync always: an acknowledged write survives a kill. */
export async function startRestartableRedis(): Promise<RestartableServer> {
  const binary = findRedisServer();
  if (!binary) throw new Error('redis-server not found');
  const directory = mkdtempSync(join(tmpdir(), 'samlkit-outage-redis-'));
  const port = await freePort();
  const server = restartable(
    port,
    `redis://127.0.0.1:${port}`,
    directory,
    () => {
      const child = spawn(
        binary,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          directory,
          '--save',
          '',
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const log = collect(child);
      return { child, log, ready: () => log().includes('Ready to accept connections') };
    },
    'SIGKILL',
  );
  await server.start();
  return server;
}

/** A PostgreSQL cluster with fsync on (durable commits); as root it runs as `nobody`. */
export async function startRestartablePostgres(): Promise<RestartableServer> {
  const binaries = findPostgres();
  if (!binaries) throw new Error('PostgreSQL not found');
  const directory = mkdtempSync(join(tmpdir(), 'samlkit-outage-postgres-'));
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? { uid: 65534, gid: 65534 } : {};
  if (asRoot) chownSync(directory, 65534, 65534);
  const data = join(directory, 'data');
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C', HOME: directory };
  const init = spawnSync(
    binaries.initdb,
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions'],
    { ...user, env, cwd: directory, encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
  const port = await freePort();
  const server = restartable(
    port,
    `postgres://postgres@127.0.0.1:${port}/postgres`,
    directory,
    () => {
      const child = spawn(
        binaries.postgres,
        ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', directory],
        {
          ...user,
          env,
          cwd: directory,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const log = collect(child);
      // A restart logs "ready" again: count from this launch only (collect starts empty).
      return { child, log, ready: () => log().includes('ready to accept connections') };
    },
    // SIGINT: fast shutdown, which ends every session with 57P01 (admin_shutdown).
    'SIGINT',
  );
  await server.start();
  return server;
}
