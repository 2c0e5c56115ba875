import type { NameIdStrategy, ProviderNameIdFormat } from '../config/index.js';
import { nameIdFormats } from '../constants/saml.js';
import { deriveAuthentikUid, derivePairwiseHex, randomHex } from '../crypto/index.js';
import { SamlError } from '../errors/index.js';
import type { NameIdValue } from '../message/header.js';

/** What a NameID can be made from: the user's stable ID and the values some formats need. */
export interface NameIdSubject {
  /** Stable, never reassigned user ID. Persistent NameIDs are derived from it; `unspecified` uses it as is. */
  id: string;
  /** For the emailAddress format. */
  email?: string;
  /** For X509SubjectName: an RFC 2253 distinguished name. */
  x509SubjectName?: string;
  /** For WindowsDomainQualifiedName: `DOMAIN\user`. */
  windowsDomainQualifiedName?: string;
  /**
   * Overrides the value for every format, like authentik's NameID mapping:
   * use it to keep identifiers an SP already knows (e.g. when migrating).
   */
  nameId?: string;
  /** The IdP session; transient NameIDs are stable within it, per SP. Without it they are random. */
  sessionId?: string;
}

/** Input to {@link createNameId}. */
export interface CreateNameIdInput {
  format: ProviderNameIdFormat;
  subject: NameIdSubject;
  /** Our entity ID: the NameQualifier of persistent and transient NameIDs. */
  idpEntityId: string;
  /** The SP (or what its NameIDPolicy named): SPNameQualifier, and the pair persistent values are derived for. */
  spNameQualifier: string;
  /** At least 32 bytes, kept stable: needed for persistent NameIDs and session-bound transient ones. */
  secret?: string | Uint8Array;
  /** Default `pairwise`. */
  strategy?: NameIdStrategy;
  /** authentik's install identifier: required by the `authentik` strategy. */
  installId?: string;
  /** The SessionIndex of the assertion: the `authentik` strategy's transient NameID is this value. */
  sessionIndex?: string;
}

function missing(what: string): never {
  throw new SamlError('SAML_NAME_ID_POLICY_UNSUPPORTED', `the user has no ${what} for this NameID format`);
}

function needInput(name: 'secret' | 'installId' | 'sessionIndex', purpose: string): never {
  throw new SamlError('SAML_INPUT_INVALID', `${name} is required for ${purpose}`, {
    details: { issues: [{ path: [name], message: `is required for ${purpose}` }] },
  });
}

const present = (value: string | undefined): value is string => typeof value === 'string' && value !== '';

/**
 * authentik's rules (reference §10.3): the value is the same for every SP and
 * carries no qualifiers, exactly as authentik sent it, so SPs that stored it
 * (some key on the qualifiers too) find the same account.
 */
function createAuthentikNameId(input: CreateNameIdInput, override: string | undefined): NameIdValue {
  const { format, subject } = input;
  const uid = () => {
    if (!present(input.installId)) needInput('installId', 'the authentik NameID strategy');
    return deriveAuthentikUid(subject.id, input.installId);
  };
  if (override !== undefined) return { value: override, format };
  switch (format) {
    case nameIdFormats.persistent:
    case nameIdFormats.unspecified:
      return { value: uid(), format };
    case nameIdFormats.emailAddress:
      return { value: present(subject.email) ? subject.email : missing('email address'), format };
    case nameIdFormats.x509SubjectName:
      return { value: present(subject.x509SubjectName) ? subject.x509SubjectName : uid(), format };
    case nameIdFormats.windowsDomainQualifiedName:
      return {
        value: present(subject.windowsDomainQualifiedName) ? subject.windowsDomainQualifiedName : uid(),
        format,
      };
    case nameIdFormats.transient:
      // authentik's transient NameID is its SessionIndex, stable for the browser session.
      if (!present(input.sessionIndex)) needInput('sessionIndex', 'authentik transient NameIDs');
      return { value: input.sessionIndex, format };
    default:
      throw new SamlError('SAML_NAME_ID_POLICY_UNSUPPORTED', 'this NameID format is not issued', {
        details: { format },
      });
  }
}

/**
 * Makes the NameID for one SP (SAMLCore §8.3), by the provider's strategy.
 *
 * `pairwise` (the default): persistent values are an HMAC of the secret, the SP
 * and the user ID, so two SPs cannot correlate a user and the value never
 * changes for one SP (reference §10.3 describes why authentik's shared value is
 * a privacy leak). Transient values are random, or derived from the IdP session
 * so they stay the same within one SP session. Email, X509SubjectName and
 * WindowsDomainQualifiedName need that value on the subject; `unspecified` is
 * the user ID.
 *
 * `authentik`: authentik's `uid` for persistent and unspecified, the email for
 * emailAddress, the DN or else the uid for X509SubjectName, the UPN or else the
 * uid for WindowsDomainQualifiedName, the SessionIndex for transient.
 *
 * @throws SamlError `SAML_NAME_ID_POLICY_UNSUPPORTED` when the subject lacks the
 * value the format needs (answered with InvalidNameIDPolicy).
 */
export function createNameId(input: CreateNameIdInput): NameIdValue {
  const { format, subject, idpEntityId, spNameQualifier, secret } = input;
  const override = present(subject.nameId) ? subject.nameId : undefined;
  if (input.strategy === 'authentik') return createAuthentikNameId(input, override);
  const qualified = (value: string): NameIdValue => ({
    value,
    format,
    nameQualifier: idpEntityId,
    spNameQualifier,
  });
  switch (format) {
    case nameIdFormats.persistent: {
      if (override !== undefined) return qualified(override);
      if (secret === undefined) needInput('secret', 'persistent NameIDs');
      return qualified(derivePairwiseHex(secret, ['persistent', spNameQualifier, subject.id]));
    }
    case nameIdFormats.transient: {
      if (override !== undefined) return qualified(override);
      if (!present(subject.sessionId)) return qualified(`_${randomHex(32)}`);
      if (secret === undefined) needInput('secret', 'session-bound transient NameIDs');
      return qualified(`_${derivePairwiseHex(secret, ['transient', spNameQualifier, subject.sessionId])}`);
    }
    case nameIdFormats.emailAddress:
      return {
        value: override ?? (present(subject.email) ? subject.email : missing('email address')),
        format,
      };
    case nameIdFormats.x509SubjectName:
      return {
        value:
          override ??
          (present(subject.x509SubjectName) ? subject.x509SubjectName : missing('X.509 subject name')),
        format,
      };
    case nameIdFormats.windowsDomainQualifiedName:
      return {
        value:
          override ??
          (present(subject.windowsDomainQualifiedName)
            ? subject.windowsDomainQualifiedName
            : missing('Windows domain qualified name')),
        format,
      };
    default:
      return { value: override ?? subject.id, format };
  }
}
