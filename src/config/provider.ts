import type { Issue } from '../errors/index.js';
import { isAuthentikJson, normalizeAuthentikJson } from './authentik.js';
import { checkDuration } from './duration.js';
import { createConfigError, isRecord } from './issues.js';
import { resolveLogoutServices } from './logout-services.js';
import { type CheckedOptions, normalizeCamelInput } from './normalized-input.js';
import { checkProviderRules } from './provider-rules.js';
import { type ProviderFields, validateProviderFields } from './provider-schema.js';
import type {
  AuthentikSamlProviderJson,
  ParseProviderOptions,
  Provider,
  ProviderDurations,
  ProviderInput,
} from './provider-types.js';

const durationFields = [
  'assertionValidNotBefore',
  'assertionValidNotOnOrAfter',
  'sessionValidNotOnOrAfter',
] as const;

const optionChecks: Record<
  keyof ParseProviderOptions,
  { test: (value: unknown) => boolean; message: string }
> = {
  resolveKeyPair: { test: (value) => typeof value === 'function', message: 'must be a function' },
  entityId: { test: (value) => typeof value === 'string', message: 'must be a string' },
  unsafeAllowSha1: { test: (value) => typeof value === 'boolean', message: 'must be a boolean' },
  unsafeAllowDsa: { test: (value) => typeof value === 'boolean', message: 'must be a boolean' },
  unsafeAllowShortRsaKeys: { test: (value) => typeof value === 'boolean', message: 'must be a boolean' },
  nameIdStrategy: {
    test: (value) => value === 'pairwise' || value === 'authentik',
    message: 'must be "pairwise" or "authentik"',
  },
  // Its entries are checked with the field itself, like any allowedNameIdFormats.
  allowedNameIdFormats: { test: (value) => Array.isArray(value), message: 'must be an array' },
};

/** Options are checked like the config itself, so a typo there is reported rather than ignored. */
function checkOptions(options: unknown, issues: Issue[]): CheckedOptions {
  const checked: CheckedOptions = {
    resolveKeyPair: undefined,
    entityId: undefined,
    unsafeAllowSha1: false,
    unsafeAllowDsa: false,
    unsafeAllowShortRsaKeys: false,
    nameIdStrategy: undefined,
    allowedNameIdFormats: undefined,
  };
  if (options === undefined) return checked;
  if (!isRecord(options)) {
    issues.push({ path: ['options'], message: 'must be an object' });
    return checked;
  }
  for (const key of Object.keys(options)) {
    const value = options[key];
    if (!Object.hasOwn(optionChecks, key)) {
      issues.push({ path: ['options', key], message: 'is not a parseProvider option' });
    } else if (value !== undefined) {
      const check = optionChecks[key as keyof ParseProviderOptions];
      if (check.test(value)) Object.assign(checked, { [key]: value });
      else issues.push({ path: ['options', key], message: check.message });
    }
  }
  return checked;
}

function freezeProvider(
  fields: ProviderFields,
  durations: ProviderDurations,
  options: CheckedOptions,
): Provider {
  const logout = resolveLogoutServices(fields);
  return Object.freeze({
    entityId: fields.entityId,
    acsUrl: fields.acsUrl,
    assertionConsumerServices: Object.freeze(
      (fields.assertionConsumerServices.length > 0
        ? fields.assertionConsumerServices
        : [{ url: fields.acsUrl, index: 0, binding: 'post' as const, isDefault: true }]
      ).map((service) => Object.freeze({ ...service })),
    ),
    name: fields.name === '' ? fields.entityId : fields.name,
    spBinding: fields.spBinding,
    audience: fields.audience,
    issuer: fields.issuer,
    slsUrl: logout.slsUrl,
    slsBinding: logout.slsBinding,
    singleLogoutServices: Object.freeze(logout.services.map((service) => Object.freeze(service))),
    logoutMethod: fields.logoutMethod,
    authnRequestsSigned: fields.authnRequestsSigned,
    signingMethods: Object.freeze([...fields.signingMethods]),
    digestMethods: Object.freeze([...fields.digestMethods]),
    encryptionMethods: Object.freeze([...fields.encryptionMethods]),
    assertionValidNotBefore: fields.assertionValidNotBefore,
    assertionValidNotOnOrAfter: fields.assertionValidNotOnOrAfter,
    sessionValidNotOnOrAfter: fields.sessionValidNotOnOrAfter,
    durations: Object.freeze({ ...durations }),
    digestAlgorithm: fields.digestAlgorithm,
    signatureAlgorithm: fields.signatureAlgorithm,
    signingKeyPair: fields.signingKeyPair,
    verificationCertificates: Object.freeze([...fields.verificationCertificates]),
    encryptionCertificate: fields.encryptionCertificate,
    signAssertion: fields.signAssertion,
    signResponse: fields.signResponse,
    signLogoutRequest: fields.signLogoutRequest,
    signLogoutResponse: fields.signLogoutResponse,
    defaultRelayState: fields.defaultRelayState,
    defaultNameIdPolicy: fields.defaultNameIdPolicy,
    allowedNameIdFormats: Object.freeze([...new Set(fields.allowedNameIdFormats)]),
    nameIdStrategy: fields.nameIdStrategy,
    nameIdMapping: fields.nameIdMapping,
    authnContextClassRefMapping: fields.authnContextClassRefMapping,
    subjectIdRequirement: fields.subjectIdRequirement,
    unsafeAllowSha1: fields.unsafeAllowSha1 || options.unsafeAllowSha1,
    unsafeAllowDsa: fields.unsafeAllowDsa || options.unsafeAllowDsa,
    unsafeAllowShortRsaKeys: fields.unsafeAllowShortRsaKeys || options.unsafeAllowShortRsaKeys,
  });
}

/** `durations` of a parsed Provider given back: each must be what its duration string gives. */
function checkGivenDurations(
  given: unknown,
  derived: Partial<Record<keyof ProviderDurations, number>>,
): Issue[] {
  if (!isRecord(given))
    return [{ path: ['durations'], message: 'must be the durations of a parsed provider' }];
  const issues: Issue[] = [];
  for (const key of Object.keys(given)) {
    if (!(durationFields as readonly string[]).includes(key)) {
      issues.push({ path: ['durations', key], message: 'is not a provider duration' });
    }
  }
  for (const key of durationFields) {
    if (!Object.hasOwn(given, key) || given[key] !== derived[key]) {
      issues.push({
        path: ['durations', key],
        message: `does not match ${key}; durations are derived from the duration strings`,
      });
    }
  }
  return issues;
}

/**
 * Validates an SP config (the SP as the IdP sees it) and returns it fully
 * defaulted and deeply frozen, with key material loaded into KeyPairs.
 *
 * Accepts camelCase `ProviderInput`, or the exact JSON of authentik's
 * `GET /api/v3/providers/saml/:id/` (recognised by `acs_url`), whose keypair UUIDs
 * go through `options.resolveKeyPair`. Unknown keys are errors in both shapes.
 *
 * Cross-field rules run on the merged config, defaults included. In particular
 * `signAssertion` defaults to true, so a provider without a signing key must set
 * `signAssertion: false`.
 *
 * @throws SamlError `SAML_CONFIG_INVALID`; `details.issues` lists every problem
 * (field checks and cross-field rules together), each with the path of its field.
 */
export function parseProvider(
  input: ProviderInput | AuthentikSamlProviderJson | Provider,
  options?: ParseProviderOptions,
): Provider;
/** camelCase input whose `entityId` comes from `options.entityId`. */
export function parseProvider(
  input: Omit<ProviderInput, 'entityId'> & { entityId?: string },
  options: ParseProviderOptions & { entityId: string },
): Provider;
export function parseProvider(input: object, options?: ParseProviderOptions): Provider {
  const issues: Issue[] = [];
  const checkedOptions = checkOptions(options, issues);
  // Typed for callers that write a config; checked in full for those that pass parsed JSON.
  const untyped: unknown = input;
  if (!isRecord(untyped)) {
    issues.push({ path: [], message: 'provider config must be an object' });
    throw createConfigError('invalid provider config', issues);
  }

  const authentik = isAuthentikJson(untyped);
  // A parsed Provider fed back in carries its derived `durations`: accepted when they are what
  // its duration strings give, so `parseProvider(parseProvider(x))` is `parseProvider(x)`.
  const { durations: givenDurations, ...fields } = untyped;
  const normalized = authentik
    ? normalizeAuthentikJson(untyped, checkedOptions)
    : normalizeCamelInput(givenDurations === undefined ? untyped : fields, checkedOptions);
  const { values, issues: fieldIssues } = validateProviderFields(normalized.fields, normalized.skip);

  const durations: Partial<Record<keyof ProviderDurations, number>> = {};
  for (const field of durationFields) {
    const text = values[field];
    if (text !== undefined) durations[field] = checkDuration(text, [field]).ms;
  }

  const ruleIssues = checkProviderRules({
    fields: values,
    durations,
    allowSha1: checkedOptions.unsafeAllowSha1 || values.unsafeAllowSha1 === true,
    allowDsa: checkedOptions.unsafeAllowDsa || values.unsafeAllowDsa === true,
    allowShortRsaKeys: checkedOptions.unsafeAllowShortRsaKeys || values.unsafeAllowShortRsaKeys === true,
    label: normalized.label,
  });

  if (!authentik && givenDurations !== undefined) {
    issues.push(...checkGivenDurations(givenDurations, durations));
  }
  issues.push(
    ...normalized.issues,
    ...[...fieldIssues, ...ruleIssues].map((issue) => ({ ...issue, path: normalized.mapPath(issue.path) })),
  );
  if (issues.length > 0) throw createConfigError('invalid provider config', issues, normalized.cause);
  return freezeProvider(values as ProviderFields, durations as ProviderDurations, checkedOptions);
}
