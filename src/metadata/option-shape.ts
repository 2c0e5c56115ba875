/**
 * Shape checks for the metadata builder's options. A value of the wrong type
 * (a string where a list belongs, an unknown contact type) is a programming
 * error and throws a `TypeError` naming the option; a value of the right type
 * that is not acceptable (a relative URL, a bad language tag) is collected in
 * `InputIssues` and reported as `SAML_INPUT_INVALID` with the others.
 */

/** Path of an option below `buildIdpMetadata`'s input, e.g. `['uiInfo', 'logos', 0, 'url']`. */
export type OptionPath = readonly (string | number)[];

/** `uiInfo.logos[0].url`. */
export function formatOptionPath(path: OptionPath): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part),
    '',
  );
}

function misuse(path: OptionPath, expected: string): TypeError {
  return new TypeError(`buildIdpMetadata: ${formatOptionPath(path)} must be ${expected}`);
}

export function expectRecord(value: unknown, path: OptionPath): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw misuse(path, 'an object');
  }
  return value as Record<string, unknown>;
}

export function expectList(value: unknown, path: OptionPath): readonly unknown[] {
  if (!Array.isArray(value)) throw misuse(path, 'an array');
  return value;
}

export function expectString(value: unknown, path: OptionPath): string {
  if (typeof value !== 'string') throw misuse(path, 'a string');
  return value;
}

export function expectOptionalString(value: unknown, path: OptionPath): string | undefined {
  return value === undefined ? undefined : expectString(value, path);
}

export function expectNumber(value: unknown, path: OptionPath): number {
  if (typeof value !== 'number') throw misuse(path, 'a number');
  return value;
}

export function expectOptionalBoolean(value: unknown, path: OptionPath): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw misuse(path, 'a boolean');
  return value;
}

/** One of `allowed`, compared exactly. */
export function expectOneOf<T extends string>(value: unknown, allowed: readonly T[], path: OptionPath): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw misuse(path, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/** Refuses keys the option does not define: a misspelt `dispalyName` would otherwise vanish silently. */
export function expectKnownKeys(
  record: Readonly<Record<string, unknown>>,
  known: readonly string[],
  path: OptionPath,
): void {
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `buildIdpMetadata: ${formatOptionPath([...path, key])} is not an option (known: ${known.join(', ')})`,
      );
    }
  }
}
