// Entry point of the `samlkit` executable (package.json "bin"); tsup adds the shebang.
import { processIo } from './io.js';
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), processIo());
