import type { Issue } from '../errors/index.js';
import type { CheckedOptions, NormalizedInput } from './normalized-input.js';
import { type ProviderField, providerNameIdFormats } from './provider-schema.js';

/** Writable SAMLProviderSerializer fields that map one to one onto provider fields. */
const plainFields = {
  name: 'name',
  acs_url: 'acsUrl',
  sp_binding: 'spBinding',
  audience: 'audience',
  issuer: 'issuer',
  sls_url: 'slsUrl',
  sls_binding: 'slsBinding',
  logout_method: 'logoutMethod',
  assertion_valid_not_before: 'assertionValidNotBefore',
  assertion_valid_not_on_or_after: 'assertionValidNotOnOrAfter',
  session_valid_not_on_or_after: 'sessionValidNotOnOrAfter',
  digest_algorithm: 'digestAlgorithm',
  signature_algorithm: 'signatureAlgorithm',
  sign_assertion: 'signAssertion',
  sign_response: 'signResponse',
  sign_logout_request: 'signLogoutRequest',
  sign_logout_response: 'signLogoutResponse',
  default_relay_state: 'defaultRelayState',
  default_name_id_policy: 'defaultNameIdPolicy',
  name_id_mapping: 'nameIdMapping',
  authn_context_class_ref_mapping: 'authnContextClassRefMapping',
} as const satisfies Record<string, ProviderField>;

/** CertificateKeyPair foreign keys: UUIDs resolved through `options.resolveKeyPair`. */
const keyPairFields = {
  signing_kp: 'signingKeyPair',
  verification_kp: 'verificationCertificates',
  encryption_kp: 'encryptionCertificate',
} as const satisfies Record<string, ProviderField>;

/** Server-computed or unrelated to the SAML protocol (flows, mappings, display data): accepted, ignored. */
const ignoredFields = new Set([
  'pk',
  'authentication_flow',
  'authorization_flow',
  'invalidation_flow',
  'property_mappings',
  'component',
  'assigned_application_slug',
  'assigned_application_name',
  'assigned_backchannel_application_slug',
  'assigned_backchannel_application_name',
  'verbose_name',
  'verbose_name_plural',
  'meta_model_name',
  'url_download_metadata',
  'url_sso_post',
  'url_sso_redirect',
  'url_sso_init',
  'url_slo_post',
  'url_slo_redirect',
]);

/** Fields with no authentik counterpart, named as the caller can actually set them. */
const optionLabels: Partial<Record<ProviderField, string>> = {
  entityId: 'options.entityId',
  unsafeAllowSha1: 'options.unsafeAllowSha1',
  unsafeAllowDsa: 'options.unsafeAllowDsa',
  unsafeAllowShortRsaKeys: 'options.unsafeAllowShortRsaKeys',
  nameIdStrategy: 'options.nameIdStrategy',
};

const snakeNames = new Map<ProviderField, string>(
  [...Object.entries(plainFields), ...Object.entries(keyPairFields)].map(([snake, camel]) => [camel, snake]),
);

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** @internal authentik JSON is recognised by `acs_url`, its one required snake_case field. */
export function isAuthentikJson(input: Record<string, unknown>): boolean {
  return Object.hasOwn(input, 'acs_url');
}

function has<K extends string>(table: Record<K, unknown>, key: string): key is K {
  return Object.hasOwn(table, key);
}

/**
 * @internal Converts authentik's SAMLProviderSerializer JSON into camelCase fields.
 * The SP entity ID comes from `options.entityId`, else from a non-empty `audience`
 * (what authentik's metadata import stores there), else it is an issue.
 */
export function normalizeAuthentikJson(
  json: Record<string, unknown>,
  options: CheckedOptions,
): NormalizedInput {
  const fields: Record<string, unknown> = {};
  const issues: Issue[] = [];
  const skip = new Set<ProviderField>();
  let cause: unknown;

  const resolve = (snake: keyof typeof keyPairFields, value: unknown): unknown => {
    const field = keyPairFields[snake];
    if (value === null) return field === 'verificationCertificates' ? [] : null;
    if (typeof value !== 'string' || !uuidPattern.test(value)) {
      issues.push({ path: [snake], message: 'must be a keypair UUID or null' });
      return undefined;
    }
    if (!options.resolveKeyPair) {
      issues.push({ path: [snake], message: 'is a keypair UUID but options.resolveKeyPair is not set' });
      return undefined;
    }
    let pair: unknown;
    try {
      pair = options.resolveKeyPair(value);
    } catch (error) {
      cause ??= error;
      issues.push({ path: [snake], message: 'options.resolveKeyPair failed for this UUID' });
      return undefined;
    }
    if (pair === undefined || pair === null) {
      issues.push({ path: [snake], message: 'names a keypair that options.resolveKeyPair does not know' });
      return undefined;
    }
    return field === 'verificationCertificates' ? [pair] : pair;
  };

  for (const key of Object.keys(json)) {
    if (has(plainFields, key)) {
      fields[plainFields[key]] = json[key];
    } else if (has(keyPairFields, key)) {
      if (json[key] === undefined) continue;
      const value = resolve(key, json[key]);
      if (value === undefined) skip.add(keyPairFields[key]);
      else fields[keyPairFields[key]] = value;
    } else if (!ignoredFields.has(key)) {
      issues.push({ path: [key], message: "is not a field of authentik's SAML provider API" });
    }
  }

  // authentik's persistent NameID is one value for every SP; keeping it is what lets a migrated SP
  // find its existing accounts (reference §10.3). Pairwise is a deliberate, per-provider change.
  fields.nameIdStrategy = options.nameIdStrategy ?? 'authentik';
  // authentik honours whichever of its six formats a NameIDPolicy names (reference §10.3).
  fields.allowedNameIdFormats = options.allowedNameIdFormats ?? [...providerNameIdFormats];

  let entityIdPath: (string | number)[] = ['audience'];
  if (options.entityId !== undefined) {
    fields.entityId = options.entityId;
    entityIdPath = ['options', 'entityId'];
  } else if (typeof fields.audience === 'string' && fields.audience !== '') {
    fields.entityId = fields.audience;
  } else {
    skip.add('entityId');
    // A non-string audience already gets its own issue; only an absent or empty one is reported here.
    if (fields.audience === undefined || fields.audience === '') {
      issues.push({
        path: ['audience'],
        message: 'is empty and options.entityId is not set, so the SP entity ID is unknown',
      });
    }
  }

  return {
    fields,
    issues,
    skip,
    cause,
    mapPath: ([head, ...rest]) => {
      if (head === 'entityId') return [...entityIdPath, ...rest];
      if (head === 'nameIdStrategy' || head === 'allowedNameIdFormats') return ['options', head, ...rest];
      if (head === 'verificationCertificates') return ['verification_kp', ...rest.slice(1)];
      const snake = typeof head === 'string' ? snakeNames.get(head as ProviderField) : undefined;
      if (snake !== undefined) return [snake, ...rest];
      return head === undefined ? [] : [head, ...rest];
    },
    label: (field) => optionLabels[field] ?? snakeNames.get(field) ?? field,
  };
}
