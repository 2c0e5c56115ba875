import { errorCodes, type SamlErrorCode } from './codes.js';

/** One problem found while validating a config or input object. */
export interface Issue {
  /** Path of the offending field, e.g. `['signingKeyPair']` or `['sessionIndexes', 0]`. */
  path: (string | number)[];
  /** Short, fixed-form explanation free of secrets and personal data. */
  message: string;
}

/** Details carried by codes that have a fixed shape. */
export interface SamlErrorDetailsByCode {
  SAML_CONFIG_INVALID: { issues: Issue[] };
  SAML_INPUT_INVALID: { issues: Issue[] };
  SAML_STATUS_NOT_SUCCESS: { status: string; subStatus?: string; statusMessage?: string };
  SAML_ISSUER_MISMATCH: { expected?: string; actual?: string };
  SAML_DESTINATION_MISMATCH: { expected?: string; actual?: string };
  SAML_IN_RESPONSE_TO_MISMATCH: { expected?: string; actual?: string };
  SAML_MESSAGE_TYPE_MISMATCH: { expected: string; actual: string };
  SAML_BINDING_LIMIT_EXCEEDED: { limit: number };
  SAML_XML_LIMIT_EXCEEDED: {
    limit: number;
    kind: 'bytes' | 'depth' | 'elements' | 'attributes' | 'entities';
  };
  SAML_TRANSPORT_FAILED: { url?: string; status?: number; attempts?: number; reason?: string };
}

/** Details for a given code: the fixed shape when it has one, else a small free-form record. */
export type SamlErrorDetails<C extends SamlErrorCode> = C extends keyof SamlErrorDetailsByCode
  ? SamlErrorDetailsByCode[C]
  : Record<string, unknown>;

/**
 * The `details` property of an error with code `C`: always present for the codes of
 * {@link SamlErrorDetailsByCode}, which every throw site fills in (the constructor requires it),
 * possibly `undefined` for the others.
 */
export type SamlErrorDetailsOf<C extends SamlErrorCode> = C extends keyof SamlErrorDetailsByCode
  ? SamlErrorDetailsByCode[C]
  : Record<string, unknown> | undefined;

/**
 * The constructor's options for code `C`: `details` is required for the codes of
 * {@link SamlErrorDetailsByCode} and optional for the others.
 */
export type SamlErrorOptions<C extends SamlErrorCode> = C extends keyof SamlErrorDetailsByCode
  ? { details: SamlErrorDetailsByCode[C]; cause?: unknown }
  : { details?: Record<string, unknown>; cause?: unknown };

const brand = Symbol.for('samlkit.SamlError');

// The runtime twin of SamlErrorDetailsByCode's keys, so untyped callers get the same guarantee.
const detailsRequired: { readonly [C in keyof SamlErrorDetailsByCode]: true } = {
  SAML_CONFIG_INVALID: true,
  SAML_INPUT_INVALID: true,
  SAML_STATUS_NOT_SUCCESS: true,
  SAML_ISSUER_MISMATCH: true,
  SAML_DESTINATION_MISMATCH: true,
  SAML_IN_RESPONSE_TO_MISMATCH: true,
  SAML_MESSAGE_TYPE_MISMATCH: true,
  SAML_BINDING_LIMIT_EXCEEDED: true,
  SAML_XML_LIMIT_EXCEEDED: true,
  SAML_TRANSPORT_FAILED: true,
};

/**
 * The only error samlkit throws on purpose. `code` is stable across releases;
 * `message` is short and never contains XML or personal data; the underlying
 * parser, crypto or network error is kept in `cause`.
 */
export class SamlError<C extends SamlErrorCode = SamlErrorCode> extends Error {
  readonly code: C;
  readonly details: SamlErrorDetailsOf<C>;

  constructor(
    code: C,
    message: string,
    // Optional only when no code C can stand for carries fixed details (a union of codes needs them).
    ...[options]: [C] extends [Exclude<SamlErrorCode, keyof SamlErrorDetailsByCode>]
      ? [SamlErrorOptions<C>?]
      : [SamlErrorOptions<C>]
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (
      Object.hasOwn(detailsRequired, code) &&
      (typeof options?.details !== 'object' || options.details === null)
    ) {
      throw new TypeError(`SamlError ${code} requires details`);
    }
    this.name = 'SamlError';
    this.code = code;
    this.details = options?.details as SamlErrorDetailsOf<C>;
    Object.defineProperty(this, brand, { value: true });
  }

  /** The SAML top-level status a reply should carry when this error ends handling (SAMLCore §3.2.2.2). */
  get status(): (typeof errorCodes)[C]['status'] {
    return errorCodes[this.code].status;
  }
}

/**
 * True when `error` is a SamlError, even one thrown by another copy of the
 * package (checked by a global symbol brand, not `instanceof`), and, when
 * `code` is given, when it carries that code.
 */
export function isSamlError<C extends SamlErrorCode>(error: unknown, code?: C): error is SamlError<C> {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as Record<symbol, unknown>)[brand] !== true) return false;
  return code === undefined || (error as { code?: unknown }).code === code;
}
