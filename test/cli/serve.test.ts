/**
 * `samlkit serve`, the built executable: starts on a free port, serves its
 * metadata and a working SSO, keeps its development key across runs, and exits
 * cleanly on SIGTERM. Test-mode flags are refused without --test-mode.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Browser, startNodeSamlSp } from '../serve/support.js';
import { assertCliBuilt, cliPath, inTempDir, runCliProcess } from './support.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

beforeAll(assertCliBuilt);

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  /** Sends SIGTERM and resolves to the exit status. */
  stop(): Promise<number | null>;
}

/** Starts `samlkit serve …args` in `cwd` and waits for the line naming its URL. */
function startServe(args: readonly string[], cwd: string): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'serve', ...args], {
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (status) => done(status)));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /identity provider at (\S+)/.exec(stdout)?.[1];
      if (url && stdout.includes('Stop with'))
        resolve({
          child,
          url,
          stdout: () => stdout,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
    });
    void exited.then((status) =>
      reject(new Error(`serve exited ${status} before starting:\n${stderr}${stdout}`)),
    );
  });
}

describe('samlkit serve', () => {
  it('--help documents every flag', async () => {
    const { status, stdout } = await runCliProcess(['serve', '--help']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: samlkit serve/);
    for (const flag of [
      '--sp',
      '--sp-iframe',
      '--users',
      '--config',
      '--host',
      '--port',
      '--base-url',
      '--data-dir',
      '--redis',
      '--postgres',
      '--store-prefix',
      '--cert',
      '--key',
      '--test-mode',
      '--sign-in-as',
      '--misbehave',
      'expired-assertion, wrong-audience, wrong-signing-key, unsigned, replayed-response',
      'Exit status:',
    ])
      expect(stdout, flag).toContain(flag);
    expect((await runCliProcess(['--help'])).stdout).toMatch(/^ {2}serve +Run an identity provider/m);
  });

  it.each([
    [['--sign-in-as', 'demo'], /'--sign-in-as' needs --test-mode/],
    [['--misbehave', 'unsigned'], /'--misbehave' needs --test-mode/],
    [['--test-mode', '--misbehave', 'forged'], /'--misbehave' must be one of: expired-assertion/],
    [['--cert', 'c.pem'], /'--cert' and '--key' go together/],
    [['--port', '70000'], /'--port' must be a port number/],
    [['--redis', 'redis://x', '--postgres', 'postgres://y'], /exclude each other/],
  ])('refuses %j with exit status 2', async (args, message) => {
    const { status, stderr } = await runCliProcess(['serve', ...args]);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain("Run 'samlkit serve --help'");
  });

  it('a bad config file is SAML_CONFIG_INVALID, exit 1, naming the field', async () => {
    await inTempDir(async (dir) => {
      writeFileSync(join(dir, 'serve.json'), JSON.stringify({ port: 'seven', mode: 'demo' }));
      const { status, stderr } = await runCliProcess(['serve', '--config', 'serve.json'], { cwd: dir });
      expect(status).toBe(1);
      expect(stderr).toContain('SAML_CONFIG_INVALID');
      expect(stderr).toContain('- port: must be a port number');
      expect(stderr).toContain('- mode: must be "interactive" or "test"');
    });
  });

  it('starts on a free port, serves metadata and SSO to an SP, keeps its key, and exits 0 on SIGTERM', async () => {
    const sp = await startNodeSamlSp('cli');
    await inTempDir(async (dir) => {
      writeFileSync(join(dir, 'sp-metadata.xml'), sp.metadata);
      const first = await startServe(
        ['--sp', 'sp-metadata.xml', '--port', '0', '--test-mode', '--sign-in-as', 'demo'],
        dir,
      );
      let certificate: string;
      try {
        expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(first.stdout()).toContain(`service providers:    ${sp.entityId}`);
        expect(first.stdout()).toContain('TEST MODE: signed in automatically as demo');
        const response = await fetch(`${first.url}/metadata`);
        expect(response.status).toBe(200);
        const metadata = await response.text();
        expect(metadata).toContain(`entityID="${first.url}/metadata"`);
        certificate = readFileSync(join(dir, '.samlkit', 'signing-cert.pem'), 'utf8');
        expect(statSync(join(dir, '.samlkit', 'signing-key.pem')).mode & 0o777).toBe(0o600);
        sp.trust({ url: first.url, entityId: `${first.url}/metadata`, certificate });
        const visit = await new Browser().open(`${sp.origin}/login`);
        expect(visit.html).toBe('cli: welcome demo@example.org (relay /home)');
      } catch (error) {
        await first.stop();
        throw error;
      }
      expect(await first.stop()).toBe(0);
      expect(first.stdout()).toContain('samlkit serve: stopped (SIGTERM)');

      // A second run reads the same key: SPs that trusted the certificate keep trusting it.
      const second = await startServe(['--port', '0'], dir);
      try {
        const metadata = await (await fetch(`${second.url}/metadata`)).text();
        const base64 = certificate.replace(/-----[^-]+-----|\s/g, '');
        expect(metadata.replace(/\s/g, '')).toContain(base64);
        expect(second.stdout()).toContain('users:                demo (password demo)');
      } finally {
        expect(await second.stop()).toBe(0);
      }
    });
  });

  it('exits 1 with EADDRINUSE when the port is taken', async () => {
    await inTempDir(async (dir) => {
      const first = await startServe(['--port', '0'], dir);
      try {
        const port = new URL(first.url).port;
        const { status, stderr } = await runCliProcess(['serve', '--port', port], { cwd: dir });
        expect(status).toBe(1);
        expect(stderr).toContain('EADDRINUSE');
      } finally {
        await first.stop();
      }
    });
  });
});
