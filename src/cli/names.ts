import { type SignatureAlgorithm, signatureAlgorithms } from '../constants/algorithms.js';
import { logoutReasons, nameIdFormats, type StatusCodeName, statusCodes } from '../constants/saml.js';
import type { StatusInput } from '../logout/logout-response.js';
import { UsageError } from './command-line.js';

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `rsa-sha256`, `ecdsa-sha384`, … for each signature method URI samlkit knows. */
export const signatureAlgorithmNames: ReadonlyMap<string, SignatureAlgorithm> = new Map(
  Object.entries(signatureAlgorithms).map(([key, uri]) => [kebab(key), uri]),
);

/** A signature algorithm from its short name or URI (the library decides what it accepts). */
export function parseSignatureAlgorithm(command: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const named = signatureAlgorithmNames.get(value.toLowerCase());
  if (named) return named;
  if (value.includes(':')) return value;
  throw new UsageError(
    `option '--sig-alg' must be a signature method URI or one of: ${[...signatureAlgorithmNames.keys()].join(', ')}`,
    command,
  );
}

/** The short name of a signature method URI, or the URI itself when samlkit has no name for it. */
export function signatureAlgorithmName(uri: string): string {
  for (const [name, known] of signatureAlgorithmNames) if (known === uri) return name.toUpperCase();
  return uri;
}

const formatNames: ReadonlyMap<string, string> = new Map([
  ...Object.entries(nameIdFormats).map(([key, uri]) => [key.toLowerCase(), uri] as const),
  ['email', nameIdFormats.emailAddress],
]);

/** A NameID Format from a short name (`email`, `persistent`, `transient`, …) or a URI. */
export function parseNameIdFormat(command: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const named = formatNames.get(value.toLowerCase());
  if (named) return named;
  if (value.includes(':')) return value;
  throw new UsageError(
    `option '--name-id-format' must be a URI or one of: ${[...formatNames.keys()].join(', ')}`,
    command,
  );
}

/** A LogoutRequest Reason from `user`, `admin` or a URI (SAMLCore §3.7.3). */
export function parseReason(command: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === 'user' || value === 'admin') return logoutReasons[value];
  if (value.includes(':')) return value;
  throw new UsageError("option '--reason' must be user, admin or a URI", command);
}

/** `--status` words: each a top-level code, with the second-level code the word implies. */
export const statusWords: Readonly<Record<string, StatusInput>> = {
  success: { code: 'Success' },
  partial: { code: 'Responder', subCode: 'PartialLogout' },
  requester: { code: 'Requester' },
  responder: { code: 'Responder' },
  'version-mismatch': { code: 'VersionMismatch' },
  'unknown-principal': { code: 'Requester', subCode: 'UnknownPrincipal' },
  'request-denied': { code: 'Responder', subCode: 'RequestDenied' },
};

/**
 * The Status of a LogoutResponse from `--status`, `--sub-status` (a status
 * code name such as `PartialLogout`, or a URI) and `--status-message`.
 */
export function parseStatus(
  command: string,
  values: { status?: string; 'sub-status'?: string; 'status-message'?: string },
): StatusInput {
  const word = values.status ?? 'success';
  const base = Object.hasOwn(statusWords, word) ? statusWords[word] : undefined;
  if (!base) {
    throw new UsageError(`option '--status' must be one of: ${Object.keys(statusWords).join(', ')}`, command);
  }
  const status: StatusInput = { ...base };
  const sub = values['sub-status'];
  if (sub !== undefined) {
    if (base.subCode !== undefined) {
      throw new UsageError(
        `'--status ${word}' already sets the second-level code; drop '--sub-status'`,
        command,
      );
    }
    if (!Object.hasOwn(statusCodes, sub) && !sub.includes(':')) {
      throw new UsageError(
        "option '--sub-status' must be a status code name (PartialLogout, UnknownPrincipal, RequestDenied, …) or a URI",
        command,
      );
    }
    status.subCode = sub as StatusCodeName;
  }
  if (values['status-message'] !== undefined) status.message = values['status-message'];
  return status;
}
