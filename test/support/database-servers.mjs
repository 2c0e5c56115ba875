// Real redis-server and PostgreSQL instances for tests and the benchmark, each on 127.0.0.1 on a
// free port with its data in a new temporary directory. Two kinds, from one spawn helper:
// - throw-away (the default): no persistence, no fsync; `stop()` ends it and removes its data;
// - durable (`durable: true`): Redis appendonly with appendfsync always, PostgreSQL with fsync on;
//   `stop()` ends it (Redis: SIGKILL, a crash; PostgreSQL: fast shutdown) and keeps its data,
//   `start()` starts it again on the same port and data, as a real restart, and `destroy()`
//   stops it and removes its data. The outage tests use these.
// Plain JavaScript so bench/ can use it too. Nothing here is mocked: these are the real binaries.
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

/** Every server this process started, killed if the process exits without stopping them. */
const running = new Set();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function collect(child) {
  let log = '';
  child.stdout.on('data', (d) => {
    log += d;
  });
  child.stderr.on('data', (d) => {
    log += d;
  });
  return () => log;
}

/** Ends `child` with `signal` (SIGKILL after 10 s); resolves once it has exited. */
function end(child, signal) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/**
 * The one spawn helper: runs `launch(port)` (a spawned server process) until its log contains
 * `readyText` and its port accepts connections. The first start tries up to three free ports
 * (another process may take one between the probe and the bind); restarts reuse the port.
 * `url(port)` names the server. Returns `{ url, port, start, stop, destroy }`; with `keepData`
 * false, `stop` is `destroy`.
 */
async function startServer({ name, directory, launch, readyText, url, signal, keepData }) {
  let port;
  let current;
  const launchOn = async (candidate) => {
    const child = launch(candidate);
    running.add(child);
    child.once('exit', () => running.delete(child));
    current = child;
    const log = collect(child);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${log()}`);
      if (log().includes(readyText) && (await canConnect(candidate))) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    throw new Error(`${name} did not start within 30 s:\n${log()}`);
  };
  for (let attempt = 0; port === undefined; attempt++) {
    const candidate = await freePort();
    try {
      await launchOn(candidate);
      port = candidate;
    } catch (error) {
      await end(current, 'SIGKILL');
      if (attempt >= 2) {
        rmSync(directory, { recursive: true, force: true });
        throw error;
      }
    }
  }
  const stop = () => {
    const child = current;
    current = undefined;
    return end(child, signal);
  };
  let destroyed;
  const destroy = () => {
    destroyed ??= stop().then(() => rmSync(directory, { recursive: true, force: true }));
    return destroyed;
  };
  return {
    url: url(port),
    port,
    start: () => launchOn(port),
    stop: keepData ? stop : destroy,
    destroy,
  };
}

/**
 * Starts redis-server: throw-away (no persistence) by default, or with `durable: true`,
 * appendonly with appendfsync always (an acknowledged write survives a kill) and restartable.
 */
export async function startRedisServer({ binary = findRedisServer(), durable = false } = {}) {
  if (!binary) throw new Error('redis-server not found');
  const directory = mkdtempSync(join(tmpdir(), durable ? 'samlkit-durable-redis-' : 'samlkit-redis-'));
  const persistence = durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  return startServer({
    name: 'redis-server',
    directory,
    launch: (port) =>
      spawn(
        binary,
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', directory, '--save', '', ...persistence],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    readyText: 'Ready to accept connections',
    url: (port) => `redis://127.0.0.1:${port}`,
    // A durable server is stopped as a crash; a throw-away one politely.
    signal: durable ? 'SIGKILL' : 'SIGTERM',
    keepData: durable,
  });
}

/**
 * Starts a PostgreSQL cluster made for the occasion (trust auth on 127.0.0.1): throw-away (no
 * fsync) by default, or with `durable: true`, fsync on (durable commits) and restartable.
 * PostgreSQL refuses to run as root, so as root the cluster belongs to `nobody`.
 * The database is `postgres`, the user `postgres`.
 */
export async function startPostgresServer({ binaries = findPostgres(), durable = false } = {}) {
  if (!binaries) throw new Error('PostgreSQL (initdb, postgres) not found');
  const directory = mkdtempSync(join(tmpdir(), durable ? 'samlkit-durable-postgres-' : 'samlkit-postgres-'));
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? { uid: 65534, gid: 65534 } : {};
  if (asRoot) chownSync(directory, 65534, 65534);
  const data = join(directory, 'data');
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C', HOME: directory };
  const init = spawnSync(
    binaries.initdb,
    [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      ...(durable ? [] : ['--no-sync']),
      '--no-instructions',
    ],
    { ...user, env, cwd: directory, encoding: 'utf8' },
  );
  if (init.status !== 0) {
    rmSync(directory, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
  }
  const fast = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  return startServer({
    name: 'postgres',
    directory,
    launch: (port) =>
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
          ...(durable ? [] : fast),
          '-c',
          'max_connections=200',
        ],
        { ...user, env, cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    // A restart logs "ready" again: each launch collects its own log from empty.
    readyText: 'ready to accept connections',
    url: (port) => `postgres://postgres@127.0.0.1:${port}/postgres`,
    // SIGINT: fast shutdown, which ends every session with 57P01 (admin_shutdown).
    signal: 'SIGINT',
    keepData: durable,
  });
}

/** A throw-away redis-server. Returns `{ url, port, stop() }`; `stop()` removes its data. */
export function startRedis(binary = findRedisServer()) {
  return startRedisServer({ binary });
}

/** A throw-away PostgreSQL cluster. Returns `{ url, port, stop() }`; `stop()` removes its data. */
export function startPostgres(binaries = findPostgres()) {
  return startPostgresServer({ binaries });
}
