import type { Issue } from '../errors/index.js';
import { isProviderField, type ProviderField } from './provider-schema.js';
import type { KeyPairResolver, NameIdStrategy } from './provider-types.js';

/** @internal parseProvider options after their own validation. */
export interface CheckedOptions {
  resolveKeyPair: KeyPairResolver | undefined;
  entityId: string | undefined;
  unsafeAllowSha1: boolean;
  unsafeAllowDsa: boolean;
  unsafeAllowShortRsaKeys: boolean;
  nameIdStrategy: NameIdStrategy | undefined;
  allowedNameIdFormats: readonly unknown[] | undefined;
}

/**
 * @internal Either input shape brought to camelCase field names, with what it
 * takes to report issues back in the caller's own spelling.
 */
export interface NormalizedInput {
  fields: Record<string, unknown>;
  /** Problems found while normalizing (unknown keys, unresolved keypairs...). */
  issues: Issue[];
  /** Fields that already have an issue and must not be validated again. */
  skip: Set<ProviderField>;
  /** Rewrites a camelCase issue path into the caller's spelling. */
  mapPath: (path: (string | number)[]) => (string | number)[];
  label: (field: ProviderField) => string;
  /** The first underlying error (e.g. a throwing resolver), kept as the SamlError cause. */
  cause?: unknown;
}

/** @internal The camelCase shape: unknown keys are issues, `options.entityId` fills a missing entityId. */
export function normalizeCamelInput(
  input: Record<string, unknown>,
  options: CheckedOptions,
): NormalizedInput {
  const fields: Record<string, unknown> = {};
  const issues: Issue[] = [];
  for (const option of ['nameIdStrategy', 'allowedNameIdFormats'] as const) {
    if (options[option] !== undefined) {
      issues.push({
        path: ['options', option],
        message: `is for authentik JSON; set ${option} in the provider config`,
      });
    }
  }
  for (const key of Object.keys(input)) {
    if (isProviderField(key)) fields[key] = input[key];
    else issues.push({ path: [key], message: 'is not a provider field' });
  }
  const entityIdFromOptions = fields.entityId === undefined && options.entityId !== undefined;
  if (entityIdFromOptions) fields.entityId = options.entityId;
  return {
    fields,
    issues,
    skip: new Set(),
    mapPath: (path) => (entityIdFromOptions && path[0] === 'entityId' ? ['options', ...path] : path),
    label: (field) => field,
  };
}
