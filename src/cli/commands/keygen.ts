import {
  closeSync,
  existsSync,
  fchmodSync,
  mkdirSync,
  openSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createSelfSignedCertificate, loadKeyPair } from '../../crypto/index.js';
import type { Command } from '../command.js';
import { parseCommandLine, required, UsageError } from '../command-line.js';

const help = `Usage: samlkit keygen --out <dir> [--ec] [--cn <name>] [--days <n>] [--force]

Writes a new private key and a self-signed X.509 certificate for it, for trying
samlkit out: <dir>/key.pem (PKCS#8, unencrypted, mode 0600) and <dir>/cert.pem.
Both load with loadKeyPair and work with --key/--cert of the other commands.
No openssl needed: the certificate is encoded by samlkit and signed with node:crypto.

Options:
  --out <dir>     Directory to write to (created when missing); required
  --ec            ECDSA P-256 instead of RSA-2048
  --cn <name>     Subject common name (default "samlkit self-signed")
  --days <n>      Validity in days from now (default 365)
  --force         Overwrite existing key.pem / cert.pem
  -h, --help

Exit status: 0 written; 1 not written (e.g. EEXIST: a file exists and --force was not given); 2 usage error.

Example:
  samlkit keygen --out ./keys && samlkit logout-request … --key keys/key.pem --cert keys/cert.pem
`;

const spec = {
  out: { type: 'string' },
  ec: { type: 'boolean' },
  cn: { type: 'string' },
  days: { type: 'string' },
  force: { type: 'boolean' },
} as const;

export const keygenCommand: Command = {
  name: 'keygen',
  summary: 'Write a self-signed certificate and key (RSA-2048, or P-256 with --ec) for trying it out',
  help,
  async run(args, io) {
    const command = 'keygen';
    const { values } = parseCommandLine(command, args, spec, { min: 0, max: 0 });
    const out = required(command, 'out', values.out);
    let validDays: number | undefined;
    if (values.days !== undefined) {
      if (!/^[1-9]\d{0,4}$/.test(values.days)) {
        throw new UsageError("option '--days' must be a whole number of days from 1 to 36500", command);
      }
      validDays = Number(values.days);
    }
    const keyPath = join(out, 'key.pem');
    const certificatePath = join(out, 'cert.pem');
    // Check both before writing either, so a refusal leaves nothing half-written.
    if (!values.force) {
      for (const path of [keyPath, certificatePath]) {
        if (existsSync(path)) {
          throw Object.assign(new Error(`${path} exists; pass --force to overwrite it`), { code: 'EEXIST' });
        }
      }
    }
    const made = createSelfSignedCertificate({
      keyType: values.ec ? 'ec' : 'rsa',
      ...(values.cn === undefined ? {} : { commonName: values.cn }),
      ...(validDays === undefined ? {} : { validDays }),
    });
    const pair = loadKeyPair({ certificate: made.certificatePem, privateKey: made.privateKeyPem });
    mkdirSync(out, { recursive: true });
    if (values.force) {
      // Never open the targets: a key.pem symlink would be followed and a file someone else
      // owns would receive the key. Write new files, then rename over the targets (rename
      // replaces a symlink itself, not what it points to).
      const keyTemp = writeNewFile(temporaryPath(keyPath), made.privateKeyPem, 0o600);
      let certificateTemp: string | undefined;
      try {
        certificateTemp = writeNewFile(temporaryPath(certificatePath), made.certificatePem, 0o644);
        renameSync(keyTemp, keyPath);
        renameSync(certificateTemp, certificatePath);
      } catch (error) {
        removeQuietly(keyTemp);
        if (certificateTemp !== undefined) removeQuietly(certificateTemp);
        throw error;
      }
    } else {
      // Exclusive creation refuses any existing entry, a symlink included, without following it.
      writeNewFile(keyPath, made.privateKeyPem, 0o600);
      try {
        writeNewFile(certificatePath, made.certificatePem, 0o644);
      } catch (error) {
        removeQuietly(keyPath);
        throw error;
      }
    }
    const algorithm = pair.keyType === 'ec' ? `ECDSA ${pair.curve}` : `RSA-${pair.keySize}`;
    io.out(
      `Wrote ${keyPath} (${algorithm} private key, PKCS#8, unencrypted: keep it private)\n` +
        `Wrote ${certificatePath} (self-signed, ${pair.subject.replace(/\n/g, ', ')}, valid ${pair.notBefore.toISOString()} to ${pair.notAfter.toISOString()})\n` +
        `SHA-256 fingerprint: ${pair.fingerprintSha256}\n`,
    );
    return 0;
  },
};

/** A name next to `path` (same directory, so rename stays on one file system) for a file about to replace it. */
function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
}

/**
 * Creates `path` exclusively ('wx': an existing file or symlink there is an EEXIST error, never
 * opened) with `mode`, writes `text`, and returns `path`. A partly written file is removed.
 */
function writeNewFile(path: string, text: string, mode: number): string {
  const fd = openSync(path, 'wx', mode);
  try {
    try {
      // The umask may have narrowed the mode; the file is new and ours, so set it exactly.
      fchmodSync(fd, mode);
      writeFileSync(fd, text);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    removeQuietly(path);
    throw error;
  }
  return path;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
