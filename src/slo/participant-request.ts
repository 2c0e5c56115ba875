import type { Provider } from '../config/index.js';
import { buildLogoutRequest } from '../logout/index.js';
import type { Clock, IdGenerator } from '../message/context.js';
import type { NameIdValue } from '../message/header.js';

/**
 * The (unsigned) LogoutRequest that tells one participant its session ended:
 * its NameID and SessionIndex as issued, to one of the provider's SingleLogoutService endpoints,
 * valid for `lifetimeMs` (NotOnOrAfter, SAMLCore §3.7.1).
 */
export function buildParticipantLogoutRequest(input: {
  issuer: string;
  provider: Provider;
  /** The endpoint it is sent to. Default: the provider's `slsUrl`. */
  destination?: string;
  participant: { nameId: NameIdValue; sessionIndex: string };
  clock: Clock;
  generateId: IdGenerator;
  lifetimeMs: number;
}): { id: string; xml: string } {
  const now = input.clock();
  return buildLogoutRequest({
    issuer: input.issuer,
    destination: input.destination ?? input.provider.slsUrl,
    nameId: input.participant.nameId,
    sessionIndex: input.participant.sessionIndex,
    issueInstant: now,
    notOnOrAfter: new Date(now.getTime() + input.lifetimeMs),
    reason: 'urn:oasis:names:tc:SAML:2.0:logout:user',
    generateId: input.generateId,
  });
}
