import { createHmac, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** A password as kept in memory: an scrypt hash and its salt, never the password itself. */
export interface PasswordHash {
  salt: Uint8Array;
  hash: Uint8Array;
}

// RFC 7914 parameters of about 16 MiB and tens of milliseconds: slow enough that a stolen
// hash list is no shortcut, quick enough for a login form.
const scryptOptions: ScryptOptions = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const hashBytes = 32;

function derive(password: string, salt: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, hashBytes, scryptOptions, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Hashes a password with scrypt and a fresh random salt. */
export async function hashPassword(password: string): Promise<PasswordHash> {
  if (typeof password !== 'string') throw new TypeError('password must be a string');
  const salt = randomBytes(16);
  return { salt, hash: await derive(password, salt) };
}

/**
 * True when `password` matches `stored`. The comparison takes the same time
 * whatever bytes differ; with `stored` undefined (an unknown user) a hash is
 * still computed, so the answer takes as long as for a known one.
 */
export async function verifyPassword(password: string, stored: PasswordHash | undefined): Promise<boolean> {
  const salt = stored?.salt ?? Buffer.alloc(16);
  const actual = await derive(typeof password === 'string' ? password : '', salt);
  if (stored === undefined || stored.hash.byteLength !== actual.byteLength) return false;
  return timingSafeEqual(actual, stored.hash);
}

/** A keyed HMAC-SHA256 of `parts` (each length-prefixed), as base64url: for tokens bound to a cookie. */
export function createTokenMac(secret: Uint8Array, parts: readonly string[]): string {
  const hmac = createHmac('sha256', secret);
  const length = Buffer.alloc(4);
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    length.writeUInt32BE(bytes.length);
    hmac.update(length).update(bytes);
  }
  return hmac.digest('base64url');
}

/** Compares two strings in time that depends on their length only. */
export function equalSecretText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.byteLength !== right.byteLength) return false;
  return timingSafeEqual(left, right);
}
