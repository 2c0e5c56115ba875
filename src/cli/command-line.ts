import { parseArgs } from 'node:util';

/** A mistake in how the command was called: exit status 2 and a pointer to `--help`. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One option of a command. String options may be given once unless `repeatable`. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  repeatable?: boolean;
}

type Values<S extends Record<string, OptionSpec>> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean'
    ? boolean
    : S[K]['repeatable'] extends true
      ? string[]
      : string;
};

/** The parsed command line of one command. */
export interface CommandLine<S extends Record<string, OptionSpec>> {
  values: Values<S>;
  positionals: string[];
}

/** True when `--help` or `-h` appears before any `--`. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/**
 * Strict parsing with node:util parseArgs: unknown options, missing values,
 * repeated single-value options and unexpected positionals are usage errors,
 * never silently ignored or overwritten.
 */
export function parseCommandLine<S extends Record<string, OptionSpec>>(
  command: string,
  args: readonly string[],
  spec: S,
  positionals: { min: number; max: number },
): CommandLine<S> {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const [name, option] of Object.entries(spec)) {
    options[name] = option.type === 'string' ? { type: 'string', multiple: true } : { type: 'boolean' };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's first sentence names the problem; the rest is advice about `--` that rarely applies.
    const text = error instanceof Error ? error.message : String(error);
    throw new UsageError(text.split(/\.\s|\.$|\n/)[0] ?? text, command);
  }
  const values: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(spec)) {
    const value = parsed.values[name];
    if (value === undefined) continue;
    if (option.type === 'string' && !option.repeatable) {
      const list = value as string[];
      if (list.length > 1) throw new UsageError(`option '--${name}' may be given only once`, command);
      values[name] = list[0];
    } else {
      values[name] = value;
    }
  }
  const found = parsed.positionals;
  if (found.length < positionals.min) {
    throw new UsageError(
      positionals.min === 1 ? 'missing the message argument' : 'missing arguments',
      command,
    );
  }
  if (found.length > positionals.max) {
    throw new UsageError(`unexpected argument '${found[positionals.max]}'`, command);
  }
  return { values: values as Values<S>, positionals: found };
}

/** The value of a required option, or a usage error naming it. */
export function required(command: string, name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`option '--${name}' is required`, command);
  return value;
}

/** One of a fixed set of words, or a usage error listing them. */
export function oneOf<T extends string>(
  command: string,
  name: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`option '--${name}' must be one of: ${choices.join(', ')}`, command);
  }
  return value as T;
}
