import { defineConfig } from 'tsup';

export default defineConfig({
  // samlkit and one entry per optional integration, each behind its own optional peer dependency.
  entry: {
    index: 'src/index.ts',
    redis: 'src/redis.ts',
    postgres: 'src/postgres.ts',
    bullmq: 'src/bullmq.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // Shared code goes to common chunks, so every entry uses one copy of samlkit (one SamlError class).
  splitting: true,
  treeshake: true,
});
