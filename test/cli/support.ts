/**
 * Runs the BUILT `samlkit` executable (dist/cli.cjs) as a subprocess, the way a
 * user does. `npm test` builds before vitest; when iterating on one file, run
 * `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as samlify from 'samlify';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { nameIdFormats } from '../../src/index.js';
import {
  idpEntityId,
  idpSloUrl,
  idpSsoUrl,
  postBinding,
  redirectBinding,
  spEntityId,
  spSloUrl,
} from '../interop/support.js';
import { certificatePem, fixturesDir, privateKeyPem } from '../support/keys.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cliPath = join(repoRoot, 'dist/cli.cjs');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Throws unless dist/cli.cjs exists and is newer than every file under src/. */
export function assertCliBuilt(): void {
  if (!existsSync(cliPath)) {
    throw new Error('dist/cli.cjs is missing: run `npm run build` (npm test builds before running vitest)');
  }
  if (statSync(cliPath).mtimeMs < newestSource(join(repoRoot, 'src'))) {
    throw new Error('dist/cli.cjs is older than src/: run `npm run build` before these tests');
  }
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `samlkit ...args` with `input` on standard input: the CLI's `main` in this process, with
 * the same argument parsing, commands and exit status as the executable, bound to captured
 * streams instead of the process's. Never rejects for a non-zero exit. A start of the executable
 * costs a Node startup (about half a second on a busy 2-core machine, and these suites make
 * hundreds of calls), so only {@link runCliProcess} starts it: help.test.ts (for the executable's
 * own behaviour), the documentation's
 * quick start and the package test run the built file, which is the same code bundled.
 * A run that needs its own working directory (`cwd`) starts the executable.
 */
export async function runCli(
  args: readonly string[],
  options: { input?: string; cwd?: string } = {},
): Promise<CliResult> {
  if (options.cwd !== undefined) return runCliProcess(args, options);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const input = Buffer.from(options.input ?? '', 'utf8');
  const io: Io = {
    out: (text) => void stdout.push(text),
    err: (text) => void stderr.push(text),
    readStdin: async () => input,
  };
  const status = await main(args, io);
  return { status, stdout: stdout.join(''), stderr: stderr.join('') };
}

/**
 * Runs `node dist/cli.cjs ...args`, with `input` on standard input, the way a user does. Never
 * rejects for a non-zero exit.
 */
export function runCliProcess(
  args: readonly string[],
  options: { input?: string; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      resolve({
        status,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs the CLI and resolves to stdout, rejecting with both streams shown when the exit status is not 0. */
export async function runCliOk(
  args: readonly string[],
  options: { input?: string; cwd?: string } = {},
): Promise<string> {
  const result = await runCli(args, options);
  if (result.status !== 0) {
    throw new Error(`samlkit ${args.join(' ')} exited ${result.status}\n${result.stderr}\n${result.stdout}`);
  }
  return result.stdout;
}

/** Path of a fixture key or certificate, e.g. `keyFile('idp.key')`. */
export function keyFile(name: string): string {
  return join(fixturesDir, 'keys', name);
}

/** Fixed message context so outputs are reproducible. */
export const fixedId = '_0123456789abcdef0123456789abcdef';
export const fixedInstant = '2026-04-20T10:00:00Z';
/** A `--now` that keeps messages issued at {@link fixedInstant} inside the accepted window. */
export const fixedNow = '2026-04-20T10:01:00Z';

/** Runs `fn` with a fresh temporary directory, removed once `fn` settles. */
export async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'samlkit-cli-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** samlify as the SP whose messages the CLI reads and checks (Redirect and POST logout). */
export function samlifySp() {
  return samlify.ServiceProvider({
    entityID: spEntityId,
    privateKey: privateKeyPem('sp-a'),
    signingCert: certificatePem('sp-a'),
    requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    nameIDFormat: [nameIdFormats.persistent],
    singleLogoutService: [
      { Binding: redirectBinding, Location: spSloUrl },
      { Binding: postBinding, Location: spSloUrl },
    ],
  });
}

/** samlify's view of samlkit's IdP, which the SP sends its logout messages to. */
export function samlifyIdp() {
  return samlify.IdentityProvider({
    entityID: idpEntityId,
    signingCert: certificatePem('idp'),
    singleSignOnService: [{ Binding: redirectBinding, Location: idpSsoUrl }],
    singleLogoutService: [
      { Binding: redirectBinding, Location: idpSloUrl },
      { Binding: postBinding, Location: idpSloUrl },
    ],
    wantLogoutRequestSigned: true,
  });
}
