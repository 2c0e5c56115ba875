import { randomHex } from '../crypto/index.js';
import { SamlError } from '../errors/index.js';

/** Returns the current time; inject a fixed one for golden files and tests. */
export type Clock = () => Date;

/** Returns a fresh message ID; must be a unique NCName (SAMLCore §1.3.4). */
export type IdGenerator = () => string;

export const systemClock: Clock = () => new Date();

/** `_` + 32 lower-case hex characters (128 bits) from a CSPRNG: an NCName, like authentik's IDs. */
export const generateId: IdGenerator = () => `_${randomHex(16)}`;

const ncName = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Checks an ID we are about to emit or echo: an NCName of sane length (attacks §8, §11). */
export function checkId(id: string, path: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 256 || !ncName.test(id)) {
    throw new SamlError('SAML_INPUT_INVALID', `${path} is not a valid SAML ID`, {
      details: { issues: [{ path: [path], message: 'must be an NCName of at most 256 characters' }] },
    });
  }
  return id;
}

/** True when `id` is an NCName of at most 256 characters. */
export function isValidId(id: string): boolean {
  return id.length > 0 && id.length <= 256 && ncName.test(id);
}
