// Throw-away Redis and PostgreSQL servers for tests and the benchmark: each on 127.0.0.1, on a free
// port, with its data in a new temporary directory that is removed when it stops. Plain JavaScript so
// bench/ can use it too. Nothing here is mocked: these are the real server binaries.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The first executable among `names` on PATH or in `dirs`, or undefined. */
function findBinary(names, dirs = []) {
  for (const name of names) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
    for (const dir of dirs) if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Debian installs PostgreSQL outside PATH, one directory per major version; the newest wins. */
function postgresDirs() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(root, v, 'bin'));
}

export function findRedisServer() {
  return findBinary(['redis-server']);
}

export function findPostgres() {
  // initdb and postgres from the same directory, so their versions match.
  for (const dir of postgresDirs()) {
    const initdb = join(dir, 'initdb');
    const postgres = join(dir, 'postgres');
    if (existsSync(initdb) && existsSync(postgres)) return { initdb, postgres };
  }
  const initdb = findBinary(['initdb']);
  const postgres = findBinary(['postgres']);
  return initdb && postgres ? { initdb, postgres } : undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
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

/** Waits until `port` accepts connections and `ready()` agrees, or the process exits. */
async function waitUntilUp(child, port, name, output, ready = async () => true) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output()}`);
    if ((await canConnect(port)) && (await ready())) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not start within 30 s:\n${output()}`);
}

function stopper(child, directory, signal) {
  let stopped;
  return () => {
    stopped ??= new Promise((resolve) => {
      const done = () => {
        rmSync(directory, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      child.kill(signal);
    });
    return stopped;
  };
}

/** Every server this process started, killed if the process exits without stopping them. */
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function track(child) {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Starts redis-server without persistence. Returns `{ url, port, stop() }`. */
export async function startRedis(binary = findRedisServer()) {
  if (!binary) throw new Error('redis-server not found');
  const directory = mkdtempSync(join(tmpdir(), 'samlkit-redis-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    let log = '';
    const child = track(
      spawn(
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
          'no',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    child.stdout.on('data', (d) => {
      log += d;
    });
    child.stderr.on('data', (d) => {
      log += d;
    });
    try {
      await waitUntilUp(child, port, 'redis-server', () => log);
      return { url: `redis://127.0.0.1:${port}`, port, stop: stopper(child, directory, 'SIGTERM') };
    } catch (error) {
      // Another process may have taken the port between the probe and the bind: try another.
      if (attempt >= 2) {
        rmSync(directory, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

/**
 * Starts a PostgreSQL cluster made for the occasion (trust auth on 127.0.0.1, no fsync).
 * PostgreSQL refuses to run as root, so as root the cluster belongs to `nobody`.
 * Returns `{ url, port, stop() }`; the database is `postgres`, the user `postgres`.
 */
export async function startPostgres(binaries = findPostgres()) {
  if (!binaries) throw new Error('PostgreSQL (initdb, postgres) not found');
  const directory = mkdtempSync(join(tmpdir(), 'samlkit-postgres-'));
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? { uid: 65534, gid: 65534 } : {};
  if (asRoot) chownSync(directory, 65534, 65534);
  const data = join(directory, 'data');
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C', HOME: directory };
  const init = spawnSync(
    binaries.initdb,
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'],
    { ...user, env, cwd: directory, encoding: 'utf8' },
  );
  if (init.status !== 0) {
    rmSync(directory, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
  }
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    let log = '';
    const child = track(
      spawn(
        binaries.postgres,
        [
          '-D',
          data,
          '-p',
          String(port),
          '-h',
          '127.0.0.1',
          '-k',
          directory,
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
          '-c',
          'max_connections=200',
        ],
        { ...user, env, cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    child.stdout.on('data', (d) => {
      log += d;
    });
    child.stderr.on('data', (d) => {
      log += d;
    });
    try {
      await waitUntilUp(
        child,
        port,
        'postgres',
        () => log,
        async () => log.includes('ready to accept connections'),
      );
      // SIGINT: PostgreSQL's fast shutdown (disconnects clients instead of waiting for them).
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        port,
        stop: stopper(child, directory, 'SIGINT'),
      };
    } catch (error) {
      if (attempt >= 2) {
        rmSync(directory, { recursive: true, force: true });
        throw error;
      }
    }
  }
}
