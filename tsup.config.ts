import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig([
  {
    // samlkit and one entry per optional integration, each behind its own optional peer dependency.
    entry: {
      index: 'src/index.ts',
      http: 'src/http/index.ts',
      redis: 'src/redis.ts',
      postgres: 'src/postgres.ts',
      bullmq: 'src/bullmq.ts',
      testing: 'src/testing/index.ts',
      serve: 'src/serve/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    // Both configs build in parallel into dist/: leave the CLI's files to the second one.
    clean: ['!cli.cjs', '!cli.cjs.map'],
    sourcemap: true,
    target: 'node20',
    // Shared code goes to common chunks, so every entry uses one copy of samlkit (one SamlError class).
    splitting: true,
    treeshake: true,
    // `samlkit/testing` finds the schemas it ships from its own location (import.meta.url in CJS too).
    shims: true,
  },
  {
    // The `samlkit` executable: one CommonJS file with the library bundled in and the dependencies
    // left external. CommonJS because Node starts it about twice as fast as ESM importing the
    // CommonJS dependencies (xml-crypto, @xmldom/xmldom, xpath).
    entry: { cli: 'src/cli/index.ts' },
    format: ['cjs'],
    dts: false,
    clean: false,
    sourcemap: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
    banner: { js: '#!/usr/bin/env node' },
    define: { __SAMLKIT_VERSION__: JSON.stringify(version) },
  },
]);
