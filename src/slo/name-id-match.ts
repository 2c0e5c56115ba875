import type { Provider } from '../config/index.js';
import { nameIdFormats } from '../constants/saml.js';
import type { NameIdValue } from '../message/header.js';
import { issuerFor } from '../message/issuer.js';

/**
 * The NameID in a request must be the one issued to that SP (attacks §8,
 * forced logout), compared as SAMLCore §2.2 defines it: an absent Format is
 * `unspecified`; an absent NameQualifier is this IdP and an absent
 * SPNameQualifier is that SP (SAMLCore §8.3.7), so an SP that leaves out what
 * the context already says still matches, and one that names another IdP or SP does not.
 */
export function sameNameId(
  context: { entityId: string },
  recorded: NameIdValue,
  requested: NameIdValue,
  provider: Provider,
): boolean {
  const format = (n: NameIdValue) => n.format ?? nameIdFormats.unspecified;
  const nameQualifier = (n: NameIdValue) => n.nameQualifier ?? issuerFor(context, provider);
  const spNameQualifier = (n: NameIdValue) => n.spNameQualifier ?? provider.entityId;
  return (
    recorded.value === requested.value &&
    format(recorded) === format(requested) &&
    nameQualifier(recorded) === nameQualifier(requested) &&
    spNameQualifier(recorded) === spNameQualifier(requested)
  );
}
