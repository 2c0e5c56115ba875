// The "at the limit" ratios only (bench/limit-ratios.mjs): interleaved rounds, each ratio taken
// within a round, medians over rounds.
// `npm run build && node bench/limits.mjs [--rounds N] [--peers] [--cpu]` (peers: node-saml and
// samlify receive rows too; cpu: the process's CPU time instead of the wall clock, which leaves out
// the time other processes held the core but counts the collector's helper threads).
// BENCH_DIST=path/to/dist/index.js measures another build of samlkit.
import { pathToFileURL } from 'node:url';
import { measureLimitRatios } from './limit-ratios.mjs';

const argument = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const samlkit = await import(
  process.env.BENCH_DIST ? pathToFileURL(process.env.BENCH_DIST).href : '../dist/index.js'
);
const result = await measureLimitRatios(samlkit, {
  rounds: argument('--rounds', 15),
  withPeers: process.argv.includes('--peers'),
  cpuTime: process.argv.includes('--cpu'),
});
console.log(
  `${result.rounds} interleaved rounds, ${result.cpuTime ? 'CPU time' : 'wall clock'}, Node ${process.version}; medians (min–max over rounds)`,
);
for (const [name, { median, min, max }] of result.operations)
  console.log(
    `${name.padEnd(34)} ${median.toFixed(1).padStart(8)} µs  (${min.toFixed(1)}–${max.toFixed(1)})`,
  );
console.log('');
for (const { label, limit, kind, value, min, max, met } of result.ratios) {
  console.log(
    `${label.padEnd(58)} ${value.toFixed(2).padStart(6)} ${kind === 'max' ? '≤' : '≥'} ${limit}  ${met ? 'PASS' : 'MISS'}  (${min.toFixed(2)}–${max.toFixed(2)})`,
  );
}
