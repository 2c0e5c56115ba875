import type { Provider, SubjectIdRequirement } from '../config/index.js';
import { attributeNameFormats } from '../constants/saml.js';
import { derivePairwiseHex, minPairwiseSecretBytes, pairwiseSecretBytes } from '../crypto/index.js';
import { type Issue, SamlError } from '../errors/index.js';
import { InputIssues } from '../message/build-input.js';
import type { AttributeInput } from './attributes.js';
import type { SsoOptions, SsoUser } from './sso-options.js';

/**
 * The attribute names of the SAML V2.0 Subject Identifier Attributes Profile v1.0 (§3.3, §3.4),
 * and the entity attribute an SP lists in its metadata to say which one it needs (§2.4).
 */
export const subjectIdentifierNames = {
  subjectId: 'urn:oasis:names:tc:SAML:attribute:subject-id',
  pairwiseId: 'urn:oasis:names:tc:SAML:attribute:pairwise-id',
  requirement: 'urn:oasis:names:tc:SAML:profiles:subject-id:req',
} as const;

export type { SubjectIdRequirement };

/** Input to {@link createSubjectIdentifiers}. */
export interface CreateSubjectIdentifiersInput {
  /**
   * The IdP's scope: the domain the identifiers are scoped to, as published in its metadata's
   * `shibmd:Scope` (SPs such as Shibboleth drop values whose scope is not listed there).
   */
  scope: string;
  /**
   * The user's stable, never-reassigned identifier, the unique part of `subject-id`
   * (`[A-Za-z0-9][A-Za-z0-9=-]{0,126}`). Default `user.id` when it fits that grammar.
   */
  subjectId?: string;
  /** The user's stable ID; the pairwise identifier is derived from it. */
  userId: string;
  /** The SP's entity ID: each SP gets a different `pairwise-id`. */
  spEntityId: string;
  /**
   * At least 32 bytes, kept secret and stable (the SSO `secret` will do): `pairwise-id` is an
   * HMAC of the SP and the user under it, so SPs cannot link their values without it.
   */
  secret: string | Uint8Array;
  /**
   * What the SP asked for in its `subject-id:req` entity attribute: `subject-id`,
   * `pairwise-id`, `any` (the SP takes either: `pairwise-id` is released, as it reveals less)
   * or `none`. Default `any`.
   */
  requirement?: SubjectIdRequirement;
}

// Profile §3.3.1 (subject-id) and §3.4.1 (pairwise-id): the same value syntax.
const uniquePart = /^[A-Za-z0-9][A-Za-z0-9=-]{0,126}$/;
const scopePart = /^[A-Za-z0-9][A-Za-z0-9.-]{0,126}$/;
const requirements = new Set<string>(['subject-id', 'pairwise-id', 'any', 'none']);

/**
 * The `subject-id` and/or `pairwise-id` attributes to release to one SP, as `AttributeInput`s
 * for `SsoUser.attributes`: NameFormat `uri`, one value `uniqueID@scope` in lower case (the
 * profile compares values case-insensitively and asks producers for a canonical case).
 * `pairwise-id`'s unique part is 64 hex characters of HMAC-SHA256 over the SP's entity ID and
 * the user ID; `subject-id`'s is the user's own stable identifier.
 *
 * @throws SamlError `SAML_INPUT_INVALID` for a scope or subject identifier outside the profile's
 * grammar, a missing user or SP, or a short secret (every problem listed).
 */
export function createSubjectIdentifiers(input: CreateSubjectIdentifiersInput): AttributeInput[] {
  if (typeof input !== 'object' || input === null)
    throw new TypeError('createSubjectIdentifiers expects an input object');
  const issues = new InputIssues();
  const requirement = input.requirement ?? 'any';
  issues.check(
    requirements.has(requirement),
    ['requirement'],
    "must be 'subject-id', 'pairwise-id', 'any' or 'none'",
  );
  issues.check(
    typeof input.scope === 'string' && scopePart.test(input.scope),
    ['scope'],
    'must match [A-Za-z0-9][A-Za-z0-9.-]{0,126}',
  );
  issues.require(input.userId, ['userId']);
  issues.require(input.spEntityId, ['spEntityId']);
  const subjectId = input.subjectId ?? input.userId;
  if (requirement === 'subject-id')
    issues.check(
      typeof subjectId === 'string' && uniquePart.test(subjectId),
      [input.subjectId === undefined ? 'userId' : 'subjectId'],
      'must match [A-Za-z0-9][A-Za-z0-9=-]{0,126} to be a subject-id (give subjectId)',
    );
  const secret = input.secret;
  issues.check(
    (typeof secret === 'string' || secret instanceof Uint8Array) &&
      pairwiseSecretBytes(secret).length >= minPairwiseSecretBytes,
    ['secret'],
    `must be at least ${minPairwiseSecretBytes} bytes`,
  );
  issues.throwIfAny('createSubjectIdentifiers');
  const scope = input.scope.toLowerCase();
  const attribute = (name: string, friendlyName: string, unique: string): AttributeInput => ({
    name,
    friendlyName,
    nameFormat: attributeNameFormats.uri,
    values: [`${unique.toLowerCase()}@${scope}`],
  });
  switch (requirement) {
    case 'none':
      return [];
    case 'subject-id':
      return [attribute(subjectIdentifierNames.subjectId, 'subject-id', subjectId)];
    default:
      return [
        attribute(
          subjectIdentifierNames.pairwiseId,
          'pairwise-id',
          derivePairwiseHex(secret, ['pairwise-id', input.spEntityId, input.userId]),
        ),
      ];
  }
}

/** Adds the problems of `sso.subjectIdentifiers` to the facade's option check. */
export function checkSubjectIdentifierOptions(value: unknown, issues: Issue[]): void {
  if (value === undefined) return;
  const path = ['sso', 'subjectIdentifiers'];
  if (typeof value !== 'object' || value === null) {
    issues.push({ path, message: 'must be an object' });
    return;
  }
  for (const key of Object.keys(value))
    if (key !== 'scope') issues.push({ path: [...path, key], message: 'is not an option' });
  const scope = (value as { scope?: unknown }).scope;
  if (typeof scope !== 'string' || !scopePart.test(scope))
    issues.push({ path: [...path, 'scope'], message: 'must match [A-Za-z0-9][A-Za-z0-9.-]{0,126}' });
}

/**
 * The user's attributes plus the subject identifier the provider's `subject-id:req` asks
 * for, when `sso.subjectIdentifiers` is set: `pairwise-id` for `pairwise-id` and `any`,
 * `subject-id` for `subject-id`. Nothing is added for `none`, for a provider that did not
 * ask, or when the caller already gives either attribute (its own value is kept).
 *
 * @throws SamlError `SAML_INPUT_INVALID` when the SP asks for `subject-id` and the user's
 * `subjectId` (default `id`) does not fit the profile's grammar: a value the SP would refuse
 * is not sent, and leaving out what the SP requires would fail later, at the SP, unexplained.
 */
export function addSubjectIdentifiers(
  sso: SsoOptions,
  provider: Provider,
  user: SsoUser,
): readonly AttributeInput[] | undefined {
  // A provider made without parseProvider (a custom store's record from before this field)
  // may lack it: asking for nothing, not `any`, which createSubjectIdentifiers defaults to.
  const requirement = provider.subjectIdRequirement ?? null;
  if (sso.subjectIdentifiers === undefined || requirement === null || requirement === 'none')
    return user.attributes;
  const given = user.attributes ?? [];
  if (
    given.some(
      (attribute) =>
        attribute.name === subjectIdentifierNames.subjectId ||
        attribute.name === subjectIdentifierNames.pairwiseId,
    )
  )
    return user.attributes;
  if (user.subjectId !== undefined && typeof user.subjectId !== 'string')
    throw new TypeError('user.subjectId must be a string');
  const subjectId = user.subjectId ?? user.id;
  if (requirement === 'subject-id' && !uniquePart.test(subjectId)) {
    throw new SamlError('SAML_INPUT_INVALID', `the SP ${provider.entityId} asks for subject-id`, {
      details: {
        issues: [
          {
            path: ['user', user.subjectId === undefined ? 'id' : 'subjectId'],
            message: 'must match [A-Za-z0-9][A-Za-z0-9=-]{0,126} to be a subject-id (give user.subjectId)',
          },
        ],
      },
    });
  }
  return [
    ...given,
    ...createSubjectIdentifiers({
      scope: sso.subjectIdentifiers.scope,
      userId: user.id,
      subjectId,
      spEntityId: provider.entityId,
      secret: sso.secret,
      requirement,
    }),
  ];
}
