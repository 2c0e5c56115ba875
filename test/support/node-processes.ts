/**
 * Starts the scripts of test/support/*-process.mjs as real node processes on
 * the built package, and talks to them: the multi-node tests run the IdP the
 * way it is deployed, several processes sharing one database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

const dist = new URL('../../dist/', import.meta.url);

/** The scripts import dist/: `npm test` builds before vitest runs. */
export function assertBuilt(): void {
  for (const entry of ['index.js', 'redis.js', 'postgres.js', 'bullmq.js']) {
    if (!existsSync(new URL(entry, dist))) {
      throw new Error(`dist/${entry} is missing: run \`npm run build\` before the multi-process tests`);
    }
  }
}

export interface NodeProcess {
  child: ChildProcess;
  /** Every stdout line so far. */
  lines: string[];
  /** The port of "READY <port>", when the script prints one. */
  port: number | undefined;
  /** Resolves with the first stdout line (past or future) that `match` accepts. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Sends `signal` and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<NodeProcess>();
afterAll(async () => {
  await Promise.all([...running].map((p) => p.stop('SIGKILL')));
});

export async function startNodeProcess(script: string, env: Record<string, string>): Promise<NodeProcess> {
  assertBuilt();
  const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines: string[] = [];
  const listeners = new Set<(line: string) => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const listener of listeners) listener(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const node: NodeProcess = {
    child,
    lines,
    port: undefined,
    waitForLine(match, timeoutMs = 20_000) {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const done = (error: Error | undefined, line?: string) => {
          clearTimeout(timer);
          listeners.delete(listener);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve(line!);
        };
        const listener = (line: string) => {
          if (match(line)) done(undefined, line);
        };
        const onExit = (code: number | null) =>
          done(new Error(`${script} exited (${code}) before the line:\n${stderr}`));
        const timer = setTimeout(
          () => done(new Error(`${script}: no such line within ${timeoutMs} ms\n${stderr}`)),
          timeoutMs,
        );
        listeners.add(listener);
        child.once('exit', onExit);
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      running.delete(node);
    },
  };
  running.add(node);
  const ready = await node.waitForLine((line) => line.startsWith('READY'));
  const port = Number(ready.split(' ')[1]);
  node.port = Number.isInteger(port) && port > 0 ? port : undefined;
  return node;
}

/** Calls an IdP node process: JSON in, `{ status, body }` out. */
export async function callNode(
  node: NodeProcess,
  path: string,
  init: { method?: 'GET' | 'POST'; json?: unknown; form?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${node.port}${path}`, {
    method: init.method ?? (init.json !== undefined || init.form !== undefined ? 'POST' : 'GET'),
    ...(init.json !== undefined
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.json) }
      : init.form !== undefined
        ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: init.form }
        : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
