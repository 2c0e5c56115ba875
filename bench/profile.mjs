// A focused CPU profile of one operation of bench/limits.mjs: runs it in a loop under the V8
// sampling profiler and prints the functions by self time and by inclusive time (a function counted
// once per sample however deep it recurses).
// `npm run build && node bench/profile.mjs <redirect-build|post-build|redirect-receive|post-receive|sso-build> [calls]`
// Add `--save file.cpuprofile` to keep the profile for a viewer (Chrome DevTools, speedscope).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import * as samlkit from '../dist/index.js';
import { messageFixtures } from './message-fixtures.mjs';

const [which = 'redirect-receive', callsArgument] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const calls = Number(callsArgument ?? 20_000);
// The operations of bench/limits.mjs, named with dashes on the command line.
const operations = Object.fromEntries(
  Object.entries(messageFixtures(samlkit).operations).map(([name, operation]) => [
    name.replace(' ', '-'),
    operation,
  ]),
);
const operation = operations[which];
if (!operation) throw new TypeError(`operation is one of ${Object.keys(operations).join(', ')}`);

for (let i = 0; i < 2000; i++) operation(); // let V8 optimize before sampling
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 50 });
await session.post('Profiler.start');
const started = performance.now();
for (let i = 0; i < calls; i++) operation();
const elapsed = performance.now() - started;
const { profile } = await session.post('Profiler.stop');
const save = process.argv.indexOf('--save');
if (save !== -1) writeFileSync(process.argv[save + 1], JSON.stringify(profile));

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const label = ({ callFrame: f }) =>
  `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}`;
const self = new Map();
const inclusive = new Map();
let total = 0;
for (const id of profile.samples) {
  total++;
  const leaf = label(byId.get(id));
  self.set(leaf, (self.get(leaf) ?? 0) + 1);
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) seen.add(label(byId.get(at)));
  for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
}
const idle = (self.get('(idle) :0') ?? 0) + (self.get('(program) :0') ?? 0);
console.log(`${which}: ${((elapsed * 1000) / calls).toFixed(1)} µs per call over ${calls} calls`);
const show = (title, map, count) => {
  console.log(`\n${title}`);
  for (const [name, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count))
    console.log(`${((100 * n) / total).toFixed(1).padStart(5)} %  ${name}`);
};
show('self', self, 30);
show('inclusive', inclusive, 45);
console.log(`\n(idle/program samples: ${((100 * idle) / total).toFixed(1)} %)`);
