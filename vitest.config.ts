import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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
    // Peers' parsers report what they refuse on the console: samlify's copy of @xmldom/xmldom
    // prints `[xmldom error] entity not found` for each hostile document of the security corpus
    // (hundreds of lines), and samlify warns about endpoints the tests leave out on purpose. The
    // tests assert what each peer accepts or rejects; its console chatter is dropped here.
    onConsoleLog(log) {
      if (/^\[xmldom (error|warning)\]/.test(log)) return false;
      if (log.startsWith('Construct identity  provider - missing endpoint')) return false;
      return undefined;
    },
    testTimeout: 20_000,
    pool: 'forks',
    // One worker more than the cores: many files spend their time waiting on the servers they
    // start (Redis, PostgreSQL, shibd, php, chromium), and vitest's default (cores - 1) leaves a
    // 2-core machine running one file at a time.
    maxWorkers: Math.max(availableParallelism() + 1, 3),
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
