import type { Command } from './command.js';
import { UsageError, wantsHelp } from './command-line.js';
import { decodeCommand } from './commands/decode.js';
import { keygenCommand } from './commands/keygen.js';
import { logoutRequestCommand } from './commands/logout-request.js';
import { logoutResponseCommand } from './commands/logout-response.js';
import { serveCommand } from './commands/serve.js';
import { verifyCommand } from './commands/verify.js';
import { reportError } from './error-report.js';
import type { Io } from './io.js';

const commands: readonly Command[] = [
  decodeCommand,
  verifyCommand,
  logoutRequestCommand,
  logoutResponseCommand,
  keygenCommand,
  serveCommand,
];

function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return `Usage: samlkit <command> [options]

SAML 2.0 messages from the command line, and an identity provider to develop SPs against,
built on the samlkit library.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Options:
  -h, --help     Show this help; 'samlkit <command> --help' or 'samlkit help <command>' for a command
  -v, --version  Show the samlkit version

Exit status: 0 success; 1 failure, reported on standard error as 'samlkit: SAML_CODE: message'
(SAML_* codes are listed in docs/errors.md; file errors show their errno code); 2 usage error.
`;
}

/** package.json's version, written into the executable by the build (tsup.config.ts `define`). */
declare const __SAMLKIT_VERSION__: string;

/** Runs `samlkit <args>` and resolves to the exit status; never throws. */
export async function main(args: readonly string[], io: Io): Promise<number> {
  try {
    const [name, ...rest] = args;
    if (name === undefined) {
      io.err(topLevelHelp());
      return 2;
    }
    if (name === '--help' || name === '-h') {
      io.out(topLevelHelp());
      return 0;
    }
    if (name === '--version' || name === '-v') {
      io.out(`${__SAMLKIT_VERSION__}\n`);
      return 0;
    }
    if (name === 'help') {
      const topic = rest[0];
      const command = commands.find((c) => c.name === topic);
      if (topic !== undefined && !command) throw new UsageError(`unknown command '${topic}'`);
      io.out(command ? command.help : topLevelHelp());
      return 0;
    }
    const command = commands.find((c) => c.name === name);
    if (!command) {
      throw new UsageError(name.startsWith('-') ? `unknown option '${name}'` : `unknown command '${name}'`);
    }
    if (wantsHelp(rest)) {
      io.out(command.help);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, io.err);
  }
}
