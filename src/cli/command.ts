import type { Io } from './io.js';

/** One `samlkit <name>` command. */
export interface Command {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  /** The full `--help` text. */
  help: string;
  /** Runs with the arguments after the command name; resolves to the exit status. */
  run(args: readonly string[], io: Io): Promise<number>;
}
