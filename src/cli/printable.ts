/**
 * Escapes C0 and C1 control characters, tabs and line breaks included, as
 * `\u…`, so a value taken from a message cannot move the terminal cursor or
 * recolour the screen when a one-line report field prints it.
 */
export function printable(value: string): string {
  return value.replace(
    /[\u0000-\u001F\u007F-\u009F]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
