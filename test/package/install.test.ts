/**
 * Installs samlkit the way a user can before it is published: a fresh, unbuilt copy of the
 * repository (the files git tracks, no dist/) is packed with `npm pack`, which runs `prepare`
 * and so builds dist/; the tarball is installed into an empty project, which then uses it from
 * ESM, CommonJS and TypeScript (node16 and bundler module resolution), runs `samlkit serve` and
 * starts an IdP with `startIdp` from a test file of its own.
 *
 * The clone borrows this repository's node_modules (what `npm install` in it would give) so the
 * test needs no devDependency download; the empty project installs samlkit's runtime
 * dependencies from the npm cache when it holds them, else from the registry.
 */
import { execFile, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const minute = 60_000;
const spMetadata = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.example.com/metadata">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example.com/acs" index="0"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
`;

let workDir: string;
let project: string;
let tarball: string;

async function inProject(command: string, args: string[]) {
  return run(command, args, { cwd: project, timeout: 2 * minute, encoding: 'utf8' });
}

/** Copies the files git tracks or would (not ignored), as a clone has them: dist/ is ignored. */
async function freshClone(target: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const file of stdout.split('\0')) {
    if (file === '' || file === 'node_modules' || !existsSync(join(repoRoot, file))) continue;
    mkdirSync(dirname(join(target, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(target, file));
  }
  symlinkSync(realpathSync(join(repoRoot, 'node_modules')), join(target, 'node_modules'), 'dir');
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'samlkit-install-'));
  const clone = join(workDir, 'clone');
  await freshClone(clone);
  expect(existsSync(join(clone, 'dist'))).toBe(false);
  // `npm pack` runs `prepare`, which builds the unbuilt clone.
  const packs = join(workDir, 'packs');
  mkdirSync(packs);
  await run(npm, ['pack', '--silent', '--pack-destination', packs], {
    cwd: clone,
    timeout: 4 * minute,
    encoding: 'utf8',
  });
  const [file] = readdirSync(packs);
  tarball = join(packs, file!);

  project = join(workDir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-samlkit', private: true }));
  const install = ['install', '--no-audit', '--no-fund', '--no-save', tarball];
  try {
    await inProject(npm, [...install, '--offline']);
  } catch {
    await inProject(npm, [...install, '--prefer-offline']);
  }
}, 8 * minute);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('npm pack of an unbuilt clone, installed into an empty project', () => {
  it('holds dist/, sql/ and no sources or tests', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball], { encoding: 'utf8' });
    const files = stdout.split('\n').filter(Boolean);
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.cjs');
    expect(files).toContain('package/dist/index.d.ts');
    expect(files).toContain('package/dist/cli.cjs');
    expect(files).toContain('package/sql/001_init.sql');
    // The XSDs ship for samlkit/testing's validateSchema; no other fixture does.
    expect(files).toContain('package/fixtures/schemas/saml-schema-protocol-2.0.xsd');
    expect(files.filter((f) => /^package\/(src|test|fixtures\/(?!schemas\/))/.test(f))).toEqual([]);
  });

  it('works from ESM', async () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      `import { parseDuration, buildLogoutRequest, isSamlError } from 'samlkit';
import { createRedisStore } from 'samlkit/redis';
const { xml } = buildLogoutRequest({ issuer: 'https://idp.example.com', destination: 'https://sp.example.com/slo', nameId: { value: 'alice' } });
console.log(parseDuration('minutes=5'), xml.startsWith('<samlp:LogoutRequest'), typeof createRedisStore, isSamlError(new Error()));
`,
    );
    const { stdout } = await inProject(process.execPath, ['esm.mjs']);
    expect(stdout.trim()).toBe('300000 true function false');
  });

  it('works from CommonJS', async () => {
    writeFileSync(
      join(project, 'cjs.cjs'),
      `const { parseDuration, SamlError, isSamlError } = require('samlkit');
const { migrate } = require('samlkit/postgres');
let code;
try { parseDuration('hours=x'); } catch (e) { code = isSamlError(e) && e instanceof SamlError ? e.code : 'other'; }
console.log(parseDuration('hours=1'), code, typeof migrate);
`,
    );
    const { stdout } = await inProject(process.execPath, ['cjs.cjs']);
    expect(stdout.trim()).toBe('3600000 SAML_CONFIG_INVALID function');
  });

  it('runs the samlkit executable from node_modules/.bin', async () => {
    const { stdout } = await inProject(join(project, 'node_modules', '.bin', 'samlkit'), ['--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it(
    'runs `npx samlkit serve --sp sp-metadata.xml`: metadata served, stopped by SIGTERM',
    async () => {
      writeFileSync(join(project, 'sp-metadata.xml'), spMetadata);
      const child = spawn(
        npm.replace(/npm/, 'npx'),
        ['--no-install', 'samlkit', 'serve', '--sp', 'sp-metadata.xml', '--port', '0'],
        {
          cwd: project,
          stdio: ['ignore', 'pipe', 'pipe'],
          // Its own process group, so SIGTERM reaches npx and the samlkit process it started.
          detached: true,
        },
      );
      const stop = (signal: NodeJS.Signals) => {
        if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, signal);
      };
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let output = '';
          const collect = (chunk: Buffer) => {
            output += chunk.toString();
            const found = /identity provider at (\S+)/.exec(output)?.[1];
            if (found && output.includes('Stop with')) resolve(found);
          };
          child.stdout.on('data', collect);
          child.stderr.on('data', collect);
          child.once('exit', (status) =>
            reject(new Error(`serve exited ${status} before starting:\n${output}`)),
          );
        });
        const response = await fetch(`${url}/metadata`);
        expect(response.status).toBe(200);
        expect(await response.text()).toContain(`entityID="${url}/metadata"`);
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        stop('SIGTERM');
        await exited;
        // The server stopped with it: its port no longer answers.
        await expect(fetch(`${url}/metadata`)).rejects.toThrow();
      } finally {
        stop('SIGKILL');
      }
    },
    2 * minute,
  );

  it('starts an IdP with startIdp in a test file (node:test) of the empty project', async () => {
    writeFileSync(
      join(project, 'idp.test.mjs'),
      `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startIdp } from 'samlkit/serve';
test('an IdP for this suite', async () => {
  const idp = await startIdp({ mode: 'test', signInAs: 'demo' });
  try {
    const response = await fetch(idp.url + '/metadata');
    assert.equal(response.status, 200);
    assert.ok((await response.text()).includes('entityID="' + idp.entityId + '"'));
  } finally {
    await idp.close();
  }
});
`,
    );
    const { stdout } = await inProject(process.execPath, ['--test', 'idp.test.mjs']);
    expect(stdout).toMatch(/^# pass 1$/m);
    expect(stdout).toMatch(/^# fail 0$/m);
  });

  for (const resolution of ['node16', 'bundler'] as const) {
    it(
      `type-checks with moduleResolution ${resolution}`,
      async () => {
        const source = `import { parseProvider, isSamlError, type Provider } from 'samlkit';
export function load(json: string): Provider | string {
  try {
    return parseProvider(JSON.parse(json));
  } catch (error) {
    if (isSamlError(error, 'SAML_CONFIG_INVALID')) return error.code;
    throw error;
  }
}
// A compile error proves the types are read, not ignored.
// @ts-expect-error parseDuration takes a string
import('samlkit').then((m) => m.parseDuration(5));
`;
        const dir = join(project, resolution);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, resolution === 'node16' ? 'check.mts' : 'check.ts'), source);
        writeFileSync(
          join(dir, 'tsconfig.json'),
          JSON.stringify({
            compilerOptions: {
              strict: true,
              noEmit: true,
              target: 'es2022',
              module: resolution === 'node16' ? 'node16' : 'esnext',
              moduleResolution: resolution,
              // The project installs only samlkit; Node's types come from this repository's install.
              typeRoots: [join(repoRoot, 'node_modules', '@types')],
              types: ['node'],
              skipLibCheck: false,
            },
            include: ['*.ts', '*.mts'],
          }),
        );
        const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
        const result = await run(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' }).catch(
          (error: { stdout: string; stderr: string }) => error,
        );
        expect(`${result.stdout}${result.stderr}`).toBe('');
      },
      2 * minute,
    );
  }
});
