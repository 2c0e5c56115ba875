import { z } from 'zod';
import {
  type DigestAlgorithm,
  isDigestAlgorithm,
  isSignatureAlgorithm,
  nameIdFormats,
  type SignatureAlgorithm,
} from '../constants/index.js';
import type { Issue } from '../errors/index.js';
import { checkDuration } from './duration.js';
import { toIssuePath } from './issues.js';
import { certificateSchema, signingKeyPairSchema } from './key-material.js';
import { providerDefaults } from './provider-defaults.js';
import type { ProviderNameIdFormat } from './provider-types.js';
import { describeHttpUrlProblem } from './url.js';

/** SAMLCore §8.3.6 caps entity identifiers at 1024 characters; we apply it to every entity ID-like field. */
export const maxEntityIdLength = 1024;

/** SAMLBind §3.4.3 / §3.5.3: RelayState must not exceed 80 bytes. */
export const maxRelayStateBytes = 80;

const utf8 = new TextEncoder();

type Ctx = z.core.$RefinementCtx<string>;

function requiredString() {
  return z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });
}

/** Entity IDs are compared byte for byte, so stray whitespace is always a mistake. */
function checkIdentifier(allowEmpty: boolean) {
  return (text: string, ctx: Ctx) => {
    if (text === '') {
      if (!allowEmpty) ctx.addIssue({ code: 'custom', message: 'must not be empty' });
      return;
    }
    if (text.length > maxEntityIdLength) {
      ctx.addIssue({ code: 'custom', message: `is longer than ${maxEntityIdLength} characters` });
    }
    if (text.trim() !== text) {
      ctx.addIssue({ code: 'custom', message: 'must not start or end with whitespace' });
    }
  };
}

function checkUrl(allowEmpty: boolean) {
  return (text: string, ctx: Ctx) => {
    if (text === '' && allowEmpty) return;
    const problem = describeHttpUrlProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };
}

function durationField(fallback: string) {
  return z
    .string({ error: 'must be a time-delta string such as "minutes=5"' })
    .superRefine((text, ctx) => {
      for (const issue of checkDuration(text, []).issues)
        ctx.addIssue({ code: 'custom', message: issue.message });
    })
    .default(fallback);
}

function booleanField(fallback: boolean) {
  return z.boolean({ error: 'must be true or false' }).default(fallback);
}

function optionalReference() {
  return z.string({ error: 'must be a string or null' }).nullable().default(null);
}

const assertionConsumerServiceSchema = z.strictObject(
  {
    url: requiredString().superRefine(checkUrl(false)),
    index: z
      .number({ error: 'must be an integer from 0 to 65535' })
      .int({ error: 'must be an integer from 0 to 65535' })
      .min(0, { error: 'must be an integer from 0 to 65535' })
      .max(65535, { error: 'must be an integer from 0 to 65535' }),
    binding: z
      .enum(['post', 'redirect', 'artifact', 'paos'], {
        error: 'must be "post", "redirect", "artifact" or "paos"',
      })
      .default('post'),
    isDefault: z.boolean({ error: 'must be true or false' }).default(false),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? 'has an unknown key' : 'must be an object') },
);

const singleLogoutServiceSchema = z.strictObject(
  {
    binding: z.enum(['redirect', 'post', 'soap'], { error: 'must be "redirect", "post" or "soap"' }),
    url: requiredString().superRefine(checkUrl(false)),
    responseUrl: z.string({ error: 'must be a string' }).superRefine(checkUrl(false)).optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? 'has an unknown key' : 'must be an object') },
);

/** Algorithm URIs an SP advertises: hints only, so any URI is kept and unknown ones are skipped when used. */
function algorithmHints() {
  return z
    .array(z.string({ error: 'must be a URI string' }).min(1, { error: 'must be a URI string' }), {
      error: 'must be an array of URI strings',
    })
    .max(64, { error: 'has more than 64 entries' })
    .default(() => []);
}

/** The NameID formats a provider may use as its default policy. */
export const providerNameIdFormats = [
  nameIdFormats.emailAddress,
  nameIdFormats.persistent,
  nameIdFormats.unspecified,
  nameIdFormats.x509SubjectName,
  nameIdFormats.windowsDomainQualifiedName,
  nameIdFormats.transient,
] as const satisfies readonly ProviderNameIdFormat[];

/**
 * @internal One schema per provider field, each with its authentik default.
 * Fields are checked one by one (not as one object) so that a bad field does not
 * hide the others from the cross-field rules, which run on whatever is valid.
 */
export const providerFieldSchemas = {
  entityId: requiredString().superRefine(checkIdentifier(false)),
  acsUrl: requiredString().superRefine(checkUrl(false)),
  assertionConsumerServices: z
    .array(assertionConsumerServiceSchema, { error: 'must be an array' })
    .default(() => [] as z.output<typeof assertionConsumerServiceSchema>[]),
  name: z.string({ error: 'must be a string' }).max(maxEntityIdLength).default(''),
  spBinding: z
    .enum(['redirect', 'post'], { error: 'must be "redirect" or "post"' })
    .default(providerDefaults.spBinding),
  audience: z
    .string({ error: 'must be a string' })
    .superRefine(checkIdentifier(true))
    .default(providerDefaults.audience),
  issuer: z
    .string({ error: 'must be a string' })
    .superRefine(checkIdentifier(true))
    .default(providerDefaults.issuer),
  slsUrl: z
    .string({ error: 'must be a string' })
    .superRefine(checkUrl(true))
    .default(providerDefaults.slsUrl),
  slsBinding: z
    .enum(['redirect', 'post', 'soap'], { error: 'must be "redirect", "post" or "soap"' })
    .default(providerDefaults.slsBinding),
  singleLogoutServices: z
    .array(singleLogoutServiceSchema, { error: 'must be an array' })
    .default(() => [] as z.output<typeof singleLogoutServiceSchema>[]),
  logoutMethod: z
    .enum(['frontchannel_iframe', 'frontchannel_native', 'backchannel'], {
      error: 'must be "frontchannel_iframe", "frontchannel_native" or "backchannel"',
    })
    .default(providerDefaults.logoutMethod),
  authnRequestsSigned: booleanField(providerDefaults.authnRequestsSigned),
  signingMethods: algorithmHints(),
  digestMethods: algorithmHints(),
  encryptionMethods: algorithmHints(),
  assertionValidNotBefore: durationField(providerDefaults.assertionValidNotBefore),
  assertionValidNotOnOrAfter: durationField(providerDefaults.assertionValidNotOnOrAfter),
  sessionValidNotOnOrAfter: durationField(providerDefaults.sessionValidNotOnOrAfter),
  digestAlgorithm: z
    .custom<DigestAlgorithm>((value) => typeof value === 'string' && isDigestAlgorithm(value), {
      error: 'is not a known digest method URI',
    })
    .default(providerDefaults.digestAlgorithm),
  signatureAlgorithm: z
    .custom<SignatureAlgorithm>((value) => typeof value === 'string' && isSignatureAlgorithm(value), {
      error: 'is not a known signature method URI',
    })
    .default(providerDefaults.signatureAlgorithm),
  signingKeyPair: signingKeyPairSchema.nullable().default(null),
  verificationCertificates: z.array(certificateSchema, { error: 'must be an array' }).default(() => []),
  encryptionCertificate: certificateSchema.nullable().default(null),
  signAssertion: booleanField(providerDefaults.signAssertion),
  signResponse: booleanField(providerDefaults.signResponse),
  signLogoutRequest: booleanField(providerDefaults.signLogoutRequest),
  signLogoutResponse: booleanField(providerDefaults.signLogoutResponse),
  defaultRelayState: z
    .string({ error: 'must be a string' })
    .superRefine((text, ctx) => {
      if (utf8.encode(text).length > maxRelayStateBytes) {
        ctx.addIssue({ code: 'custom', message: `is longer than ${maxRelayStateBytes} bytes of UTF-8` });
      }
    })
    .default(providerDefaults.defaultRelayState),
  defaultNameIdPolicy: z
    .enum(providerNameIdFormats, { error: 'is not one of the six supported NameID format URIs' })
    .default(providerDefaults.defaultNameIdPolicy),
  allowedNameIdFormats: z
    .array(z.enum(providerNameIdFormats, { error: 'is not one of the six supported NameID format URIs' }), {
      error: 'must be an array of NameID format URIs',
    })
    .default(() => [...providerDefaults.allowedNameIdFormats]),
  nameIdStrategy: z
    .enum(['pairwise', 'authentik'], { error: 'must be "pairwise" or "authentik"' })
    .default(providerDefaults.nameIdStrategy),
  nameIdMapping: optionalReference(),
  authnContextClassRefMapping: optionalReference(),
  subjectIdRequirement: z
    .enum(['subject-id', 'pairwise-id', 'any', 'none'], {
      error: 'must be "subject-id", "pairwise-id", "any", "none" or null',
    })
    .nullable()
    .default(providerDefaults.subjectIdRequirement),
  unsafeAllowSha1: booleanField(false),
  unsafeAllowDsa: booleanField(false),
  unsafeAllowShortRsaKeys: booleanField(false),
};

export type ProviderField = keyof typeof providerFieldSchemas;

/** @internal What the field schemas produce: every Provider field except the derived `durations`. */
export type ProviderFields = { [K in ProviderField]: z.output<(typeof providerFieldSchemas)[K]> };

export const providerFieldNames = Object.keys(providerFieldSchemas) as ProviderField[];

export function isProviderField(key: string): key is ProviderField {
  return Object.hasOwn(providerFieldSchemas, key);
}

/**
 * @internal Validates and defaults each field of a camelCase input on its own.
 * Fields in `skip` already have an issue (e.g. an unresolved keypair UUID) and are
 * left out, as are invalid fields, so `values` holds only trustworthy data.
 */
export function validateProviderFields(
  input: Readonly<Record<string, unknown>>,
  skip: ReadonlySet<ProviderField>,
): { values: Partial<ProviderFields>; issues: Issue[] } {
  const values: Partial<Record<ProviderField, unknown>> = {};
  const issues: Issue[] = [];
  for (const field of providerFieldNames) {
    if (skip.has(field)) continue;
    const raw = Object.hasOwn(input, field) ? input[field] : undefined;
    const result = providerFieldSchemas[field].safeParse(raw);
    if (result.success) {
      values[field] = result.data;
    } else {
      for (const issue of result.error.issues) {
        issues.push({ path: [field, ...toIssuePath(issue.path)], message: issue.message });
      }
    }
  }
  return { values: values as Partial<ProviderFields>, issues };
}
