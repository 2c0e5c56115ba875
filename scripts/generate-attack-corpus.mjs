// Writes fixtures/attacks/ (one file per case and index.json) from scripts/attack-corpus/.
// Run: node scripts/generate-attack-corpus.mjs, then review the diff.
// The corpus is TypeScript; Node 20 cannot run it, so esbuild (which tsup already brings)
// bundles it to a temporary module in its own folder, where its imports and paths resolve.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const bundle = `${here}/attack-corpus/.bundle-${process.pid}.mjs`;
await build({
  entryPoints: [`${here}/attack-corpus/index.ts`],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'error',
});
let corpusModule;
try {
  corpusModule = await import(pathToFileURL(bundle).href);
} finally {
  rmSync(bundle, { force: true });
}
const { attackManifest, generateAttackCorpus } = corpusModule;

const root = fileURLToPath(new URL('../fixtures/attacks/', import.meta.url));
const corpus = generateAttackCorpus();
rmSync(root, { recursive: true, force: true });
for (const { entry, content } of [...corpus.controls, ...corpus.cases]) {
  const path = root + entry.file;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}
writeFileSync(`${root}index.json`, `${JSON.stringify(attackManifest(corpus), null, 2)}\n`);
console.log(`fixtures/attacks: ${corpus.cases.length} cases, ${corpus.controls.length} controls`);
