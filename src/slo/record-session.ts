import { type Issue, SamlError } from '../errors/index.js';
import type { Clock, IdGenerator } from '../message/context.js';
import type { NameIdValue } from '../message/header.js';
import type { SessionParticipant, Store } from '../store/store.js';
import { isXmlText } from '../xml/index.js';

/** Input of `recordSession`: one SP's participation, at SSO time. */
export interface RecordSessionInput {
  providerId: string;
  userId: string;
  /** The NameID exactly as issued in the assertion: value, format and qualifiers. */
  nameId: NameIdValue;
  sessionIndex: string;
}

/**
 * Refuses a participant whose LogoutRequest could never be built: every value
 * must be a string XML can carry. Recorded as is, such a value would only fail
 * at logout time, after the sessions are gone. The values are data, often the
 * user's own (an email address, a NameID mapping's output), not a programming
 * error, so the refusal is a `SamlError` the caller can handle like any bad input.
 */
function checkRecordSession(input: RecordSessionInput): void {
  if (typeof input !== 'object' || input === null) throw new TypeError('recordSession expects an object');
  const issues: Issue[] = [];
  const text = (value: unknown, path: (string | number)[], required: boolean) => {
    if (value === undefined && !required) return;
    if (typeof value !== 'string' || (required && value === '')) {
      issues.push({ path, message: required ? 'must be a non-empty string' : 'must be a string' });
    } else if (!isXmlText(value)) {
      issues.push({ path, message: 'contains a character that XML cannot carry' });
    }
  };
  text(input.providerId, ['providerId'], true);
  text(input.userId, ['userId'], true);
  const nameId = input.nameId as Partial<NameIdValue> | undefined;
  text(nameId?.value, ['nameId', 'value'], true);
  for (const key of ['format', 'nameQualifier', 'spNameQualifier', 'spProvidedId'] as const) {
    text(nameId?.[key], ['nameId', key], false);
  }
  text(input.sessionIndex, ['sessionIndex'], true);
  if (issues.length > 0) {
    throw new SamlError('SAML_INPUT_INVALID', 'invalid session participant', { details: { issues } });
  }
}

/**
 * Records one SP's participation in a user's session, valid for the provider's
 * `sessionValidNotOnOrAfter`, so Single Logout reaches it.
 *
 * @throws SamlError `SAML_INPUT_INVALID` for a missing field or a value XML
 * cannot carry, `SAML_ISSUER_UNKNOWN` for an unregistered provider.
 * @throws TypeError when `input` is not an object.
 */
export async function recordSession(
  context: { store: Store; clock: Clock; generateId: IdGenerator },
  input: RecordSessionInput,
): Promise<SessionParticipant> {
  checkRecordSession(input);
  const provider = await context.store.getProvider(input.providerId);
  if (!provider) throw new SamlError('SAML_ISSUER_UNKNOWN', 'no provider with this id');
  const now = context.clock().getTime();
  const participant: SessionParticipant = {
    id: context.generateId(),
    providerId: input.providerId,
    userId: input.userId,
    nameId: { ...input.nameId },
    sessionIndex: input.sessionIndex,
    createdAt: now,
    expiresAt: now + provider.durations.sessionValidNotOnOrAfter,
  };
  await context.store.recordParticipant(participant);
  return participant;
}

/**
 * Deletes the participants and returns the ids this call removed. Two logouts of one user
 * racing (on this node or another sharing the store) both list every participant; only the
 * one whose delete removed a participant may tell its SP, or the SP hears twice.
 */
export async function claimParticipants(store: Store, ids: readonly string[]): Promise<Set<string>> {
  const removed: unknown = await store.deleteParticipants(ids);
  // A store that returns no ids (written before deleteParticipants reported them) has deleted
  // already: every id counts as ours, so each SP is still told, as before, though two racing
  // logouts may then both tell it. Failing here would end the sessions and tell no one.
  return new Set(Array.isArray(removed) ? (removed as string[]) : ids);
}
