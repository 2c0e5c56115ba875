import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm test` builds before running vitest; this checks what a user installs.
const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const expected = [
  'SamlError',
  'isSamlError',
  'parseProvider',
  'parseDuration',
  'loadKeyPair',
  'idpEndpoints',
  'buildLogoutRequest',
  'buildLogoutResponse',
  'parseLogoutRequest',
  'parseLogoutResponse',
  'encodeRedirect',
  'receiveRedirect',
  'encodePost',
  'receivePost',
  'encodeSoap',
  'receiveSoap',
];

/** The optional entry points, each behind its own optional peer dependency. */
const subpaths: Record<string, string[]> = {
  './redis': ['createRedisStore'],
  './postgres': ['createPostgresStore', 'migrate'],
  './bullmq': ['createLogoutQueue', 'createLogoutWorker'],
};
const optionalPeers = ['ioredis', 'pg', 'bullmq'];

describe('built package', () => {
  it('has every file the exports map names', () => {
    for (const subpath of ['.', ...Object.keys(subpaths)]) {
      const entry = pkg.exports[subpath];
      for (const target of [
        entry.import.types,
        entry.import.default,
        entry.require.types,
        entry.require.default,
      ]) {
        expect(existsSync(new URL(target, root)), target).toBe(true);
      }
    }
    expect(existsSync(new URL('sql/001_init.sql', root))).toBe(true);
    expect(pkg.files).toContain('sql');
  });

  it('keeps ioredis, pg and bullmq optional peers, out of the core', () => {
    for (const name of optionalPeers) {
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(pkg.peerDependencies[name], name).toBeDefined();
      expect(pkg.peerDependenciesMeta[name]?.optional, name).toBe(true);
      expect(pkg.devDependencies[name], name).toBeDefined();
    }
    // Nothing samlkit's main entry loads (itself and its chunks) imports an optional peer.
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(new URL(`dist/${file}`, root), 'utf8');
      for (const name of optionalPeers) {
        expect(source, `${file} imports ${name}`).not.toMatch(
          new RegExp(`from ['"]${name}['"]|require\\(['"]${name}['"]\\)`),
        );
      }
      for (const [, next] of source.matchAll(/from ['"]\.\/([^'"]+)['"]/g)) visit(next!);
    };
    visit('index.js');
    expect(seen.size).toBeGreaterThan(1);
  });

  it('loads every optional entry point as ESM and CJS, sharing one SamlError with the core', async () => {
    const require = createRequire(new URL('package.json', root));
    const coreEsm = await import(new URL(pkg.exports['.'].import.default, root).href);
    const coreCjs = require(new URL(pkg.exports['.'].require.default, root).pathname);
    for (const [subpath, names] of Object.entries(subpaths)) {
      const esm = await import(new URL(pkg.exports[subpath].import.default, root).href);
      const cjs = require(new URL(pkg.exports[subpath].require.default, root).pathname);
      for (const name of names) {
        expect(typeof esm[name], `${subpath} ${name}`).toBe('function');
        expect(typeof cjs[name], `${subpath} ${name}`).toBe('function');
      }
      // Bad options throw the core's own SamlError class, in each module system.
      for (const [entry, core] of [
        [esm, coreEsm],
        [cjs, coreCjs],
      ]) {
        let error: unknown;
        try {
          entry[names[0]!]({});
        } catch (e) {
          error = e;
        }
        expect(error, subpath).toBeInstanceOf(core.SamlError);
        expect(core.isSamlError(error, 'SAML_CONFIG_INVALID'), subpath).toBe(true);
      }
    }
  });

  it('loads samlkit/http as ESM and CJS, and its handlers refuse with the core SamlError of each', async () => {
    const require = createRequire(new URL('package.json', root));
    for (const [http, core] of [
      [
        await import(new URL(pkg.exports['./http'].import.default, root).href),
        await import(new URL(pkg.exports['.'].import.default, root).href),
      ],
      [
        require(new URL(pkg.exports['./http'].require.default, root).pathname),
        require(new URL(pkg.exports['.'].require.default, root).pathname),
      ],
    ]) {
      for (const name of ['createIdpHandlers', 'toNodeHandler', 'readNodeRequest', 'respondWithLogoutResult'])
        expect(typeof http[name], name).toBe('function');
      const refuse = () => Promise.reject(new core.SamlError('SAML_SIGNATURE_INVALID', 'refused'));
      const handlers = http.createIdpHandlers({
        receiveLogoutRequest: refuse,
        receiveLogoutResponse: refuse,
      });
      const response = await handlers.slo(new Request('http://idp.test/slo?SAMLRequest=x'));
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('SAML_SIGNATURE_INVALID');
    }
    for (const target of Object.values(pkg.exports['./http']).flatMap((c) => Object.values(c as object)))
      expect(existsSync(new URL(target as string, root)), target as string).toBe(true);
  });

  it('loads samlkit/serve as ESM and CJS: a bad config file is the core SamlError, and the IdP runs', async () => {
    const require = createRequire(new URL('package.json', root));
    const dir = await mkdtemp(join(tmpdir(), 'samlkit-exports-'));
    try {
      const badConfig = join(dir, 'serve.json');
      await writeFile(badConfig, JSON.stringify({ port: 'eighty' }));
      for (const [serve, core] of [
        [
          await import(new URL(pkg.exports['./serve'].import.default, root).href),
          await import(new URL(pkg.exports['.'].import.default, root).href),
        ],
        [
          require(new URL(pkg.exports['./serve'].require.default, root).pathname),
          require(new URL(pkg.exports['.'].require.default, root).pathname),
        ],
      ]) {
        for (const name of ['startIdp', 'loadServeConfig']) expect(typeof serve[name], name).toBe('function');
        expect(serve.misbehaviours.length).toBeGreaterThan(0);

        const error = await serve.loadServeConfig(badConfig).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(core.SamlError);
        expect(core.isSamlError(error, 'SAML_CONFIG_INVALID')).toBe(true);
        // Options in code are the caller's own: misuse, not a SamlError.
        await expect(serve.startIdp({ mode: 'loud' })).rejects.toBeInstanceOf(TypeError);

        // The bundle finds its own files (pages, keys) from either module system.
        const idp = await serve.startIdp({ mode: 'test', port: 0 });
        try {
          const metadata = await fetch(`${idp.url}/metadata`);
          expect(metadata.status).toBe(200);
          expect(await metadata.text()).toBe(idp.metadata);
          expect(idp.metadata).toContain(`entityID="${idp.entityId}"`);
        } finally {
          await idp.close();
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const target of Object.values(pkg.exports['./serve']).flatMap((c) => Object.values(c as object)))
      expect(existsSync(new URL(target as string, root)), target as string).toBe(true);
  });

  it('loads samlkit/testing as ESM and CJS, each reading XML the same way', async () => {
    const require = createRequire(new URL('package.json', root));
    const xml = '<a xmlns="urn:x"><b  c="1"/><b c="2"/></a>';
    const readings: unknown[] = [];
    for (const testing of [
      await import(new URL(pkg.exports['./testing'].import.default, root).href),
      require(new URL(pkg.exports['./testing'].require.default, root).pathname),
    ]) {
      for (const name of [
        'decodeMessage',
        'normalizeXml',
        'select',
        'selectText',
        'assertSigned',
        'validateSchema',
      ])
        expect(typeof testing[name], name).toBe('function');
      readings.push({
        normalized: testing.normalizeXml(xml),
        count: testing.select(xml, '//x:b', { prefixes: { x: 'urn:x' } }).length,
      });
    }
    expect(readings[1]).toEqual(readings[0]);
    expect(readings[0]).toMatchObject({ count: 2 });
    for (const target of Object.values(pkg.exports['./testing']).flatMap((c) => Object.values(c as object)))
      expect(existsSync(new URL(target as string, root)), target as string).toBe(true);
  });

  it('loads every entry of the exports map in a test of this file', () => {
    const loaded = ['.', './http', './serve', './testing', ...Object.keys(subpaths)];
    const code = Object.keys(pkg.exports).filter(
      (subpath) => subpath !== './package.json' && subpath !== './sql/*',
    );
    expect(code.sort()).toEqual(loaded.sort());
  });

  it('imports as ESM with every public function', async () => {
    const esm = await import(new URL(pkg.exports['.'].import.default, root).href);
    for (const name of expected) expect(typeof esm[name], name).toBe('function');
  });

  it('requires as CJS with every public function', () => {
    const require = createRequire(new URL('package.json', root));
    const cjs = require(new URL(pkg.exports['.'].require.default, root).pathname);
    for (const name of expected) expect(typeof cjs[name], name).toBe('function');
  });

  it('ships every executable package.json "bin" names, with a node shebang', () => {
    const bins = Object.values(pkg.bin as Record<string, string>);
    expect(bins.length).toBeGreaterThan(0);
    for (const target of bins) {
      expect(
        pkg.files.some((entry: string) => target.replace(/^\.\//, '').startsWith(`${entry}/`)),
        target,
      ).toBe(true);
      expect(readFileSync(new URL(target, root), 'utf8').startsWith('#!/usr/bin/env node\n'), target).toBe(
        true,
      );
    }
  });

  it('keeps zod types out of the public declarations', () => {
    for (const file of ['dist/index.d.ts', 'dist/index.d.cts']) {
      expect(readFileSync(new URL(file, root), 'utf8')).not.toMatch(/from ['"]zod['"]|Zod[A-Z]/);
    }
  });
});
