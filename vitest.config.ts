import { readFileSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

// Tests that need a real Redis or PostgreSQL are named *.db.test.ts; their project starts both
// servers once per run (test/support/database-setup.ts), and only when one of them is selected.
const databaseTests = ['test/**/*.db.test.ts'];

export default defineConfig({
  // What tsup writes into the executable; the CLI tests run its `main` in-process from src/.
  define: { __SAMLKIT_VERSION__: JSON.stringify(version) },
  test: {
    testTimeout: 20_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...databaseTests],
        },
      },
      {
        extends: true,
        test: { name: 'databases', include: databaseTests, globalSetup: ['test/support/database-setup.ts'] },
      },
    ],
  },
});
