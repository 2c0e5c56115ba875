import {
  findEnvelopedSignature,
  type KeyPair,
  toKeyPair,
  verifyEnvelopedSignature,
} from '../crypto/index.js';
import { isSamlError, SamlError } from '../errors/index.js';
import { readServiceProvider } from '../metadata/sp-metadata.js';
import { attribute, childElements, type Element, isElement, parseXml } from '../xml/index.js';
import { readCacheDuration } from './cache-duration.js';
import { findIdentityProviderDescriptor, readIdentityProviderRole } from './identity-provider-role.js';
import type { EntityProblem, ImportedAggregate, ImportedEntity } from './imported-entity.js';
import {
  compileFilter,
  passesEntityId,
  passesRegistration,
  type RegistrationFilter,
  readRegistration,
  readRegistrationAuthority,
} from './registration-filter.js';

/** Bounds of an aggregate import, sized for national federations and eduGAIN. */
export interface AggregateLimits {
  /** UTF-8 size of the aggregate. Default 256 MiB (InCommon's and eduGAIN's are 60–90 MB). */
  maxBytes?: number;
  /** EntityDescriptors in the aggregate, before filtering. Default 100,000. */
  maxEntities?: number;
  /** Elements inside one EntityDescriptor. Default 10,000 (real entities have a few hundred). */
  maxElementsPerEntity?: number;
}

/** Default {@link AggregateLimits}. */
export const defaultAggregateLimits: Required<AggregateLimits> = {
  maxBytes: 256 * 1024 * 1024,
  maxEntities: 100_000,
  maxElementsPerEntity: 10_000,
};

/** Options of {@link importAggregate}. */
export interface ImportAggregateOptions {
  /**
   * The federation's signing certificates (PEM, base64 DER or loaded key
   * pairs). The aggregate's enveloped signature must verify with one of them;
   * a certificate inside the aggregate is never used.
   */
  certificates: readonly (KeyPair | string)[];
  /** The time `validUntil` is checked against. Default: now. */
  now?: Date;
  /** Which entities to keep; default all. */
  filter?: RegistrationFilter;
  /** Size bounds; see {@link defaultAggregateLimits}. */
  limits?: AggregateLimits;
  /** Accept RSA keys shorter than 2048 bits in entities. Default false. */
  unsafeAllowShortRsaKeys?: boolean;
}

const knownOptions = new Set(['certificates', 'now', 'filter', 'limits', 'unsafeAllowShortRsaKeys']);

function inputInvalid(path: string, message: string): never {
  throw new SamlError('SAML_INPUT_INVALID', `invalid importAggregate options: ${path} ${message}`, {
    details: { issues: [{ path: [path], message }] },
  });
}

function checkStringList(value: unknown, path: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    inputInvalid(path, 'must be an array of strings');
  }
}

function checkLimit(value: unknown, path: string): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) < 1)) {
    inputInvalid(path, 'must be a positive integer');
  }
}

function checkOptions(options: ImportAggregateOptions): Required<AggregateLimits> {
  if (typeof options !== 'object' || options === null) throw new TypeError('importAggregate expects options');
  for (const key of Object.keys(options)) if (!knownOptions.has(key)) inputInvalid(key, 'is not an option');
  if (!Array.isArray(options.certificates) || options.certificates.length === 0) {
    inputInvalid('certificates', 'must list the federation signing certificates');
  }
  if (options.now !== undefined && !(options.now instanceof Date && Number.isFinite(options.now.getTime()))) {
    inputInvalid('now', 'must be a valid Date');
  }
  if (options.filter !== undefined) {
    if (typeof options.filter !== 'object' || options.filter === null)
      inputInvalid('filter', 'must be an object');
    checkStringList(options.filter.entityIds, 'filter.entityIds');
    checkStringList(options.filter.entityCategories, 'filter.entityCategories');
    checkStringList(options.filter.registrationAuthorities, 'filter.registrationAuthorities');
  }
  const limits = options.limits ?? {};
  checkLimit(limits.maxBytes, 'limits.maxBytes');
  checkLimit(limits.maxEntities, 'limits.maxEntities');
  checkLimit(limits.maxElementsPerEntity, 'limits.maxElementsPerEntity');
  return { ...defaultAggregateLimits, ...limits };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeAggregate(xml: string | Uint8Array, maxBytes: number): string {
  if (typeof xml === 'string') return xml;
  if (!(xml instanceof Uint8Array)) throw new TypeError('importAggregate expects a string or a Uint8Array');
  if (xml.length > maxBytes) {
    throw new SamlError('SAML_XML_LIMIT_EXCEEDED', 'document exceeds the byte limit', {
      details: { limit: maxBytes, kind: 'bytes' },
    });
  }
  try {
    return utf8.decode(xml);
  } catch (cause) {
    throw new SamlError('SAML_XML_MALFORMED', 'aggregate is not UTF-8', { cause });
  }
}

function readDateTimeAttribute(node: Element, name: string): number | undefined {
  const text = attribute(node, name);
  if (text === undefined) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:\d{2})$/.exec(text);
  const time = match ? Date.parse(`${match[1]!.replace(/(\.\d{3})\d+$/, '$1')}${match[2]}`) : Number.NaN;
  if (!Number.isFinite(time)) {
    throw new SamlError(
      'SAML_METADATA_INVALID',
      `${node.localName} ${name} is not an xs:dateTime with a time zone`,
    );
  }
  return time;
}

/**
 * Imports a federation's signed metadata aggregate (an `md:EntitiesDescriptor`,
 * SAMLMeta §2.3.1): verifies its one enveloped signature against the
 * federation's certificates, enforces its `validUntil`, and returns every
 * entity that passes `filter`, SPs and IdPs alike. An entity that cannot be
 * read is reported in `problems` and leaves the others unaffected.
 *
 * A signature that does not verify (a changed byte anywhere under the root),
 * an expired root `validUntil`, a size over `limits` or a document that is not
 * well-formed refuses the whole aggregate.
 *
 * @throws SamlError `SAML_SIGNATURE_*` / `SAML_ALGORITHM_FORBIDDEN` (signature),
 * `SAML_METADATA_EXPIRED`, `SAML_METADATA_INVALID` (root), `SAML_XML_*`
 * (parsing, limits), `SAML_INPUT_INVALID` (options).
 */
export function importAggregate(
  xml: string | Uint8Array,
  options: ImportAggregateOptions,
): ImportedAggregate {
  const limits = checkOptions(options);
  const trust = options.certificates.map((value) => toKeyPair(value));
  const text = decodeAggregate(xml, limits.maxBytes);
  const xmlLimits = {
    maxBytes: limits.maxBytes,
    maxDepth: 64,
    maxElements: limits.maxEntities * limits.maxElementsPerEntity,
    maxAttributesPerElement: 64,
  };
  const parsed = parseXml(text, xmlLimits);
  if (!isElement(parsed.root, 'md', 'EntitiesDescriptor')) {
    throw new SamlError('SAML_METADATA_INVALID', 'root is not md:EntitiesDescriptor');
  }
  const signature = findEnvelopedSignature(parsed);
  if (signature === undefined) throw new SamlError('SAML_SIGNATURE_MISSING', 'aggregate is not signed');
  const verified = verifyEnvelopedSignature(parsed, signature, trust);
  const root = parseXml(verified.canonicalXml, xmlLimits).root;

  const now = (options.now ?? new Date()).getTime();
  const validUntil = readDateTimeAttribute(root, 'validUntil');
  if (validUntil !== undefined && now >= validUntil) {
    throw new SamlError('SAML_METADATA_EXPIRED', 'the aggregate is past its validUntil');
  }
  const cacheDuration = attribute(root, 'cacheDuration');
  const result: ImportedAggregate = {
    entities: [],
    problems: [],
    signedBy: verified.certificate,
    entityCount: 0,
  };
  if (validUntil !== undefined) result.validUntil = new Date(validUntil);
  if (cacheDuration !== undefined) {
    result.cacheDuration = cacheDuration;
    result.cacheDurationMs = readCacheDuration(cacheDuration);
  }
  const name = attribute(root, 'Name');
  if (name !== undefined) result.name = name;

  const filter = compileFilter(options.filter);
  const seen = new Set<string>();
  const visit = (group: Element, enclosing: Element[], authority: string | undefined): void => {
    for (const child of childElements(group)) {
      if (isElement(child, 'md', 'EntitiesDescriptor')) {
        visit(child, [child, ...enclosing], readRegistrationAuthority(child) ?? authority);
        continue;
      }
      if (!isElement(child, 'md', 'EntityDescriptor')) continue;
      if (++result.entityCount > limits.maxEntities) {
        throw new SamlError('SAML_XML_LIMIT_EXCEEDED', 'aggregate has too many entities', {
          details: { limit: limits.maxEntities, kind: 'entities' },
        });
      }
      if (child.getElementsByTagName('*').length + 1 > limits.maxElementsPerEntity) {
        throw new SamlError('SAML_XML_LIMIT_EXCEEDED', 'an entity has too many elements', {
          details: { limit: limits.maxElementsPerEntity, kind: 'elements' },
        });
      }
      const entityId = attribute(child, 'entityID');
      if (entityId !== undefined && !passesEntityId(filter, entityId)) continue;
      const outcome = readEntity(child, { enclosing, authority, now, options, filter, seen });
      if (outcome === undefined) continue;
      if ('code' in outcome) result.problems.push(outcome);
      else result.entities.push(outcome);
    }
  };
  visit(root, [root], readRegistrationAuthority(root));
  return result;
}

interface EntityContext {
  enclosing: readonly Element[];
  authority: string | undefined;
  now: number;
  options: ImportAggregateOptions;
  filter: ReturnType<typeof compileFilter>;
  seen: Set<string>;
}

/** One entity: `undefined` when filtered out, a problem when it cannot be read. */
function readEntity(entity: Element, context: EntityContext): ImportedEntity | EntityProblem | undefined {
  const entityId = attribute(entity, 'entityID');
  try {
    if (entityId === undefined || entityId === '') {
      throw new SamlError('SAML_METADATA_INVALID', 'EntityDescriptor has no entityID');
    }
    const registration = readRegistration(entity, context.authority);
    if (!passesRegistration(context.filter, registration)) return undefined;
    if (context.seen.has(entityId)) {
      throw new SamlError('SAML_METADATA_INVALID', 'an earlier EntityDescriptor has the same entityID');
    }
    context.seen.add(entityId);
    const imported: ImportedEntity = { entityId, entityCategories: registration.entityCategories };
    if (registration.registrationAuthority !== undefined) {
      imported.registrationAuthority = registration.registrationAuthority;
    }
    let validUntil = earliest([entity, ...context.enclosing]);
    const clock = () => new Date(context.now);
    const shortKeys = { unsafeAllowShortRsaKeys: context.options.unsafeAllowShortRsaKeys === true };
    if (hasRole(entity, 'SPSSODescriptor')) {
      imported.serviceProvider = readServiceProvider(
        entity,
        { clock, ...shortKeys },
        { signature: 'verified', signedBy: undefined, enclosing: context.enclosing },
      );
    }
    const idp = findIdentityProviderDescriptor(entity);
    if (idp !== undefined) {
      const read = readIdentityProviderRole(idp, shortKeys);
      imported.identityProvider = read.role;
      if (read.validUntil !== undefined)
        validUntil = Math.min(validUntil ?? read.validUntil, read.validUntil);
    }
    if (imported.serviceProvider === undefined && imported.identityProvider === undefined) {
      throw new SamlError('SAML_METADATA_INVALID', 'the entity has no SAML 2.0 SP or IdP role');
    }
    const spValidUntil = imported.serviceProvider?.validUntil?.getTime();
    if (spValidUntil !== undefined) validUntil = Math.min(validUntil ?? spValidUntil, spValidUntil);
    if (validUntil !== undefined && context.now >= validUntil) {
      throw new SamlError('SAML_METADATA_EXPIRED', 'the entity is past its validUntil');
    }
    if (validUntil !== undefined) imported.validUntil = new Date(validUntil);
    return imported;
  } catch (error) {
    if (!isSamlError(error)) throw error;
    const problem: EntityProblem = { code: error.code, message: error.message };
    if (entityId !== undefined && entityId !== '') problem.entityId = entityId;
    return problem;
  }
}

function hasRole(entity: Element, localName: string): boolean {
  return childElements(entity).some((child) => isElement(child, 'md', localName));
}

function earliest(nodes: readonly Element[]): number | undefined {
  let found: number | undefined;
  for (const node of nodes) {
    const time = readDateTimeAttribute(node, 'validUntil');
    if (time !== undefined) found = found === undefined ? time : Math.min(found, time);
  }
  return found;
}
