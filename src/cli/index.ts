// Entry point of the `samlkit` executable (package.json "bin"); tsup adds the shebang.
import { processIo } from './io.js';
import { main } from './main.js';

void main(process.argv.slice(2), processIo()).then((status) => {
  process.exitCode = status;
});
