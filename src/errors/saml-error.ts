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

const brand = Symbol.for('samlkit.SamlError');

/**
 * The only error samlkit throws on purpose. `code` is stable across releases;
 * `message` is short and never contains XML or personal data; the underlying
 * parser, crypto or network error is kept in `cause`.
 */
export class SamlError<C extends SamlErrorCode = SamlErrorCode> extends Error {
  readonly code: C;
  readonly details: SamlErrorDetails<C> | undefined;

  constructor(code: C, message: string, options: { details?: SamlErrorDetails<C>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SamlError';
    this.code = code;
    this.details = options.details;
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
