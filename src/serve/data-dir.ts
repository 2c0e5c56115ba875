import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSelfSignedCertificate, type KeyPair, loadKeyPair, randomHex } from '../crypto/index.js';

/** What the development IdP keeps in its data directory. */
export interface DevelopmentKeys {
  /** The signing key pair (RSA-2048, self-signed certificate). */
  key: KeyPair;
  /** The SSO secret (persistent NameIDs and SessionIndex values derive from it) and the CSRF key. */
  secret: string;
}

const names = { key: 'signing-key.pem', certificate: 'signing-cert.pem', secret: 'secret' } as const;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function isTaken(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EEXIST';
}

/**
 * Writes `text` to a new file, never over an existing one ('wx' also refuses a
 * symlink there). Returns false when the file already exists: another process
 * starting on the same directory wrote it first, and its copy is kept.
 */
async function createOnce(path: string, text: string, mode: number): Promise<boolean> {
  try {
    await writeFile(path, text, { flag: 'wx', mode });
    return true;
  } catch (error) {
    if (isTaken(error)) return false;
    throw error;
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * The development keys of `dataDir`: created on first use (a self-signed
 * RSA-2048 certificate valid ten years, and a 256-bit secret), read as they
 * are afterwards, never overwritten, so SPs that trusted the certificate
 * keep trusting it across restarts.
 */
export async function loadDevelopmentKeys(dataDir: string): Promise<DevelopmentKeys> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const keyPath = join(dataDir, names.key);
  const certificatePath = join(dataDir, names.certificate);
  const secretPath = join(dataDir, names.secret);
  let privateKey = await readIfPresent(keyPath);
  let certificate = await readIfPresent(certificatePath);
  if (privateKey === undefined && certificate === undefined) {
    const made = createSelfSignedCertificate({ commonName: 'samlkit serve (development)', validDays: 3650 });
    // The key first: a certificate without its key would be an unusable pair.
    if (await createOnce(keyPath, made.privateKeyPem, 0o600))
      await createOnce(certificatePath, made.certificatePem, 0o644);
    privateKey = await readFile(keyPath, 'utf8');
    certificate = await readIfPresent(certificatePath);
  }
  if (privateKey === undefined || certificate === undefined) {
    const missing = privateKey === undefined ? keyPath : certificatePath;
    throw Object.assign(new Error(`${missing} is missing while its pair exists; restore it or remove both`), {
      code: 'ENOENT',
    });
  }
  await createOnce(secretPath, `${randomHex(32)}\n`, 0o600);
  const secret = (await readFile(secretPath, 'utf8')).trim();
  if (secret.length < 32) throw new Error(`${secretPath} must hold at least 32 characters`);
  return { key: loadKeyPair({ certificate, privateKey }), secret };
}

/** File names inside the data directory, for documentation and tests. */
export const dataDirFiles = names;
