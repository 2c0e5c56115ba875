// Child process of bench/federation.mjs: imports one aggregate file, so its peak RSS is measured
// the same way as xmlsec1's. `node bench/federation-import.mjs aggregate.xml federation.crt`
import { readFileSync } from 'node:fs';
import { importAggregate } from '../dist/index.js';

const [file, certificate] = process.argv.slice(2);
const result = importAggregate(readFileSync(file), { certificates: [readFileSync(certificate, 'utf8')] });
console.log(JSON.stringify({ entities: result.entities.length, problems: result.problems.length }));
