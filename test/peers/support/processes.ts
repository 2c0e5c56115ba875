/**
 * Starting and stopping the real SPs: finding their binaries (a missing one
 * skips loudly, and fails under CI=true), free ports, child processes in their
 * own process group, and readiness polled without sleeping blindly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The absolute paths of a peer's binaries, or undefined when one is missing.
 * Missing binaries print a warning naming the Debian packages; under CI they throw:
 * interop coverage must never vanish silently there.
 */
export function findPeer(peer: string, binaries: readonly string[], packages: string): string[] | undefined {
  const missing = binaries.filter((path) => {
    try {
      accessSync(path, constants.R_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return [...binaries];
  const message = `${peer} not installed (${missing.join(', ')} missing): apt-get install ${packages}`;
  if (process.env.CI) throw new Error(`${message}; the ${peer} interop suite must run on CI`);
  console.warn(`\n[samlkit tests] SKIPPING the ${peer} interop suite: ${message}\n`);
  return undefined;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `samlkit-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export interface PeerProcess {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Kills the whole process group and waits for the leader to exit. */
  stop(): Promise<void>;
}

/** Starts `command` in its own process group (Apache signals its whole group when it stops). */
export function startProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): PeerProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    child,
    output: () => output,
    async stop() {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Polls `ready` every 25 ms until it returns true, failing after `timeoutMs`
 * or as soon as `process` exits (with its output in the error).
 */
export async function waitUntil(
  what: string,
  ready: () => Promise<boolean> | boolean,
  options: { timeoutMs?: number; process?: PeerProcess; log?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (await Promise.resolve(ready()).catch(() => false)) return;
    const child = options.process?.child;
    if (child && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(`${what}: the process exited\n${options.process!.output()}${options.log?.() ?? ''}`);
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not ready in time\n${options.process?.output() ?? ''}${options.log?.() ?? ''}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
