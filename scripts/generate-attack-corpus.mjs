// Writes fixtures/attacks/ (one file per case and index.json) from scripts/attack-corpus.mjs.
// Run: node scripts/generate-attack-corpus.mjs, then review the diff.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attackManifest, generateAttackCorpus } from './attack-corpus.mjs';

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
