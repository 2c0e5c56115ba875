/**
 * Builds dist/ with tsup, quietly, unless it is already newer than everything it is built from.
 *
 * `prepare` (installing from a git URL or a clone, `npm pack`) and `npm run demo` use it: a
 * current dist/ costs nothing, and a build prints nothing unless it fails. `npm run build`
 * always builds and shows tsup's output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// What one build writes: both formats and types of every entry, and the executable.
const outputs = ['index', 'redis', 'postgres', 'bullmq']
  .flatMap((entry) => [`${entry}.js`, `${entry}.cjs`, `${entry}.d.ts`, `${entry}.d.cts`])
  .concat('cli.cjs')
  .map((file) => join(root, 'dist', file));
const inputs = ['src', 'package.json', 'package-lock.json', 'tsup.config.ts', 'tsconfig.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function isCurrent() {
  if (!outputs.every((file) => existsSync(file))) return false;
  const oldestOutput = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  return inputs.every((input) => newestMtime(join(root, input)) <= oldestOutput);
}

if (process.argv.includes('--force') || !isCurrent()) {
  // tsup's own log (one line per file, about 80) and its bundler warnings stay hidden; on
  // failure everything it printed is shown.
  const tsup = join(dirname(createRequire(import.meta.url).resolve('tsup')), 'cli-default.js');
  const result = spawnSync(process.execPath, [tsup], { cwd: root, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    process.stderr.write(
      `${result.stdout}${result.stderr}samlkit: the build failed (npm run build shows its output)\n`,
    );
    process.exit(result.status ?? 1);
  }
}
