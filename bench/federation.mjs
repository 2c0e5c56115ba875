// Federation aggregates: importAggregate side by side with `xmlsec1 --verify` on the same
// generated file (scripts/federation-aggregate.mjs), 1,000 and 10,000 entities, one process each.
// `npm run bench:federation` (builds first); `--quick` for 1 repetition and 1,000 + 4,000 entities;
// `--entities=500,2000` and `--repetitions=5` to choose (a smaller size while the machine is busy).
// Time is CPU time (user + system) and wall time, peak RSS from /usr/bin/time (GNU time -f %M);
// best of the repetitions for each. Ratios are within one run: the machine may be loaded.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAggregate } from '../scripts/federation-aggregate.mjs';

const quick = process.argv.includes('--quick');
const option = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const repetitions = Number(option('repetitions') ?? (quick ? 1 : 3));
const sizes = option('entities')?.split(',').map(Number) ?? (quick ? [1000, 4000] : [1000, 10_000]);
const keys = new URL('../fixtures/keys/', import.meta.url);
const read = (name) => readFileSync(new URL(name, keys), 'utf8');
const child = new URL('./federation-import.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'samlkit-federation-'));

/** Runs a command under GNU time; returns CPU seconds, wall seconds, peak RSS in MB and stdout. */
function measure(command, args) {
  const run = spawnSync('/usr/bin/time', ['-f', '@@ %e %U %S %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = run.stderr.split('\n').find((l) => l.startsWith('@@ '));
  if (line === undefined) throw new Error(`${command} did not run:\n${run.stderr}`);
  const [wall, user, system, rssKb] = line.slice(3).split(' ').map(Number);
  return {
    ok: run.status === 0,
    cpu: user + system,
    wall,
    rss: rssKb / 1024,
    output: run.stdout + run.stderr,
  };
}

function best(runs) {
  return {
    cpu: Math.min(...runs.map((r) => r.cpu)),
    wall: Math.min(...runs.map((r) => r.wall)),
    rss: Math.min(...runs.map((r) => r.rss)),
  };
}

const rows = [];
try {
  const certificateFile = join(dir, 'federation.crt');
  writeFileSync(certificateFile, read('idp.crt'));
  for (const entities of sizes) {
    const { xml } = generateAggregate({
      entities,
      privateKeyPem: read('idp.key'),
      certificatePem: read('idp.crt'),
      spCertificates: [read('sp-a.crt'), read('sp-b.crt')],
    });
    const file = join(dir, `aggregate-${entities}.xml`);
    writeFileSync(file, xml);
    const xmlsecArgs = [
      '--verify',
      '--enabled-key-data',
      'key-name',
      '--enabled-reference-uris',
      'same-doc',
      '--id-attr:ID',
      'urn:oasis:names:tc:SAML:2.0:metadata:EntitiesDescriptor',
      '--pubkey-cert-pem',
      certificateFile,
      file,
    ];
    const xmlsec = [];
    const samlkit = [];
    // Interleaved, so both see the same background load.
    for (let i = 0; i < repetitions; i++) {
      const reference = measure('xmlsec1', xmlsecArgs);
      if (!reference.ok || !/^OK$/m.test(reference.output))
        throw new Error(`xmlsec1 failed:\n${reference.output}`);
      xmlsec.push(reference);
      const ours = measure(process.execPath, [child, file, certificateFile]);
      const counted = JSON.parse(ours.output.split('\n')[0]);
      if (!ours.ok || counted.entities !== entities)
        throw new Error(`importAggregate failed:\n${ours.output}`);
      samlkit.push(ours);
    }
    rows.push({
      entities,
      megabytes: Buffer.byteLength(xml) / 1e6,
      xmlsec: best(xmlsec),
      samlkit: best(samlkit),
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const f = (n, d = 2) => n.toFixed(d);
console.log(
  'entities | MB | xmlsec1 cpu s (wall) | RSS MB | importAggregate cpu s (wall) | RSS MB | time ratio (cpu) | RSS ratio',
);
for (const { entities, megabytes, xmlsec, samlkit } of rows) {
  console.log(
    `${entities} | ${f(megabytes, 1)} | ${f(xmlsec.cpu)} (${f(xmlsec.wall)}) | ${f(xmlsec.rss, 0)} | ${f(samlkit.cpu)} (${f(samlkit.wall)}) | ${f(samlkit.rss, 0)} | ${f(samlkit.cpu / xmlsec.cpu)} | ${f(samlkit.rss / xmlsec.rss)}`,
  );
}
// The growth exponent between the smallest and the largest size (none with a single size).
const small = rows[0];
const large = rows.at(-1);
if (rows.length > 1) {
  const factor = large.entities / small.entities;
  const exponent = (a, b) => Math.log(b / a) / Math.log(factor);
  console.log(
    `growth exponent ${small.entities} → ${large.entities} (CPU time): importAggregate ${f(exponent(small.samlkit.cpu, large.samlkit.cpu))}, xmlsec1 ${f(exponent(small.xmlsec.cpu, large.xmlsec.cpu))}`,
  );
}
