import { namespaces } from '../constants/namespaces.js';
import {
  type KeyPair,
  loadCertificateDeferred,
  type StreamedVerification,
  startStreamedVerification,
  toKeyPair,
} from '../crypto/index.js';
import { isSamlError, SamlError } from '../errors/index.js';
import { readServiceProvider } from '../metadata/sp-metadata.js';
import {
  attribute,
  type CanonicalStream,
  childElements,
  copyString,
  createCanonicalStream,
  type Element,
  elementFromDom,
  isElement,
  readAggregate,
  type StreamedElement,
} from '../xml/index.js';
import { readCacheDuration } from './cache-duration.js';
import { findIdentityProviderDescriptor, readIdentityProviderRole } from './identity-provider-role.js';
import type { EntityProblem, ImportedAggregate, ImportedEntity } from './imported-entity.js';
import {
  compileFilter,
  passesEntityId,
  passesRegistration,
  type RegistrationFilter,
  readRegistration,
  registrationAuthorityIn,
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

const dateTime = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:\d{2})$/;

function readDateTime(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const match = dateTime.exec(text);
  const time = match ? Date.parse(`${match[1]!.replace(/(\.\d{3})\d+$/, '$1')}${match[2]}`) : Number.NaN;
  if (!Number.isFinite(time)) {
    throw new SamlError('SAML_METADATA_INVALID', `${what} validUntil is not an xs:dateTime with a time zone`);
  }
  return time;
}

const earlier = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/** An unqualified attribute of a streamed element. */
function groupAttribute(group: StreamedElement, localName: string): string | undefined {
  return group.attributes.find((a) => a.namespace === null && a.localName === localName)?.value;
}

function profileViolation(message: string): never {
  throw new SamlError('SAML_SIGNATURE_PROFILE_VIOLATION', message);
}

/** An open `md:EntitiesDescriptor` and what its entities inherit from it. */
interface Group {
  /** The earliest validUntil of this group and the groups around it. */
  validUntil: number | undefined;
  /** The nearest registrationAuthority given by this group or one around it. */
  authority: string | undefined;
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
 * well-formed refuses the whole aggregate: nothing is returned.
 *
 * The aggregate is read in one pass and never built whole: the signature,
 * which the metadata schema places first, is verified before anything else;
 * then each entity is built on its own, its canonical form added to the
 * digest and its fields read from that same tree, and the entity dropped.
 * The results are returned only once the digest matched (see the ADR on
 * aggregate verification for why this reads only what was signed).
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
  const now = (options.now ?? new Date()).getTime();
  const filter = compileFilter(options.filter);
  const entities: ImportedEntity[] = [];
  const problems: EntityProblem[] = [];
  const seen = new Set<string>();
  const groups: Group[] = [];
  let root: StreamedElement | undefined;
  let rootText = '';
  let verification: StreamedVerification | undefined;
  let canonical: CanonicalStream | undefined;
  let entityCount = 0;
  let entitiesStarted = false;

  const signed = (): { verification: StreamedVerification; canonical: CanonicalStream } => {
    if (verification === undefined || canonical === undefined) {
      throw new SamlError('SAML_SIGNATURE_MISSING', 'aggregate is not signed');
    }
    return { verification, canonical };
  };

  const { ids } = readAggregate(
    text,
    {
      maxBytes: limits.maxBytes,
      maxDepth: 64,
      maxAttributesPerElement: 64,
      maxElementsPerChild: limits.maxElementsPerEntity,
    },
    {
      isGroup: (namespace, localName) => namespace === namespaces.md && localName === 'EntitiesDescriptor',
      groupStart(group) {
        const outer = groups.at(-1);
        const validUntil = readDateTime(groupAttribute(group, 'validUntil'), 'EntitiesDescriptor');
        if (outer === undefined) {
          root = group;
          // Checked before the body is read: an expired aggregate is refused whatever it holds.
          if (validUntil !== undefined && now >= validUntil) {
            throw new SamlError('SAML_METADATA_EXPIRED', 'the aggregate is past its validUntil');
          }
        } else {
          const { verification, canonical } = signed();
          verification.update(canonical.open(group));
        }
        groups.push({ validUntil: earlier(outer?.validUntil, validUntil), authority: outer?.authority });
      },
      groupText(value) {
        if (verification === undefined) rootText += value;
        else verification.update(canonical!.text(value));
      },
      child(element) {
        const group = groups.at(-1);
        if (group === undefined)
          throw new SamlError('SAML_METADATA_INVALID', 'root is not md:EntitiesDescriptor');
        const isSignature = isElement(element, 'ds', 'Signature');
        if (groups.length === 1 && verification === undefined) {
          // SAMLMeta §2.3.1: the Signature is the first child of the EntitiesDescriptor it signs.
          if (!isSignature) throw new SamlError('SAML_SIGNATURE_MISSING', 'aggregate is not signed');
          verification = startStreamedVerification(
            element,
            { id: groupAttribute(root!, 'ID'), declarations: root!.declarations },
            trust,
          );
          canonical = createCanonicalStream({
            inclusivePrefixes: verification.referencePrefixes.map((p) => (p === '#default' ? '' : p)),
          });
          // Enveloped-signature transform: everything of the root but this Signature is digested.
          verification.update(canonical.open(root!));
          verification.update(canonical.text(rootText));
          return;
        }
        if (groups.length === 1 && isSignature) profileViolation('a second Signature on the aggregate');
        const { verification: digest, canonical: stream } = signed();
        const canonicalText = stream.element(elementFromDom(element));
        // Joined now, while its many small pieces are young: held in the digest's buffer as a rope,
        // they would survive collections until the buffer is hashed, and be copied each time.
        canonicalText.charCodeAt(0);
        digest.update(canonicalText);
        if (isElement(element, 'md', 'Extensions')) {
          if (!entitiesStarted) group.authority = registrationAuthorityIn(element) ?? group.authority;
          return;
        }
        if (!isElement(element, 'md', 'EntityDescriptor')) return;
        entitiesStarted = true;
        if (++entityCount > limits.maxEntities) {
          throw new SamlError('SAML_XML_LIMIT_EXCEEDED', 'aggregate has too many entities', {
            details: { limit: limits.maxEntities, kind: 'entities' },
          });
        }
        const outcome = readEntity(element, { group, now, options, filter, seen });
        if (outcome === undefined) return;
        if ('code' in outcome) problems.push(outcome);
        else entities.push(outcome);
      },
      groupEnd() {
        groups.pop();
        if (groups.length === 0 && verification === undefined) {
          throw new SamlError('SAML_SIGNATURE_MISSING', 'aggregate is not signed');
        }
        verification!.update(canonical!.close());
      },
    },
  );
  if (root === undefined) throw new SamlError('SAML_METADATA_INVALID', 'root is not md:EntitiesDescriptor');
  // Every verifier resolves the Reference by some ID-like attribute: the target must be unambiguous.
  for (const count of ids.values()) if (count > 1) profileViolation('document has duplicate IDs');
  signed().verification.finish();

  // From here on the digest matched: everything read above came from signed bytes.
  const result: ImportedAggregate = {
    entities,
    problems,
    signedBy: verification!.certificate,
    entityCount,
  };
  const validUntil = readDateTime(groupAttribute(root, 'validUntil'), 'EntitiesDescriptor');
  if (validUntil !== undefined) result.validUntil = new Date(validUntil);
  const cacheDuration = groupAttribute(root, 'cacheDuration');
  if (cacheDuration !== undefined) {
    result.cacheDurationMs = readCacheDuration(cacheDuration);
    result.cacheDuration = cacheDuration;
  }
  const name = groupAttribute(root, 'Name');
  if (name !== undefined) result.name = name;
  return result;
}

interface EntityContext {
  group: Group;
  now: number;
  options: ImportAggregateOptions;
  filter: ReturnType<typeof compileFilter>;
  seen: Set<string>;
}

/** One entity: `undefined` when filtered out, a problem when it cannot be read. */
function readEntity(entity: Element, context: EntityContext): ImportedEntity | EntityProblem | undefined {
  const entityId = attribute(entity, 'entityID');
  if (entityId !== undefined && !passesEntityId(context.filter, entityId)) return undefined;
  try {
    if (entityId === undefined || entityId === '') {
      throw new SamlError('SAML_METADATA_INVALID', 'EntityDescriptor has no entityID');
    }
    const registration = readRegistration(entity, context.group.authority);
    if (!passesRegistration(context.filter, registration)) return undefined;
    if (context.seen.has(entityId)) {
      throw new SamlError('SAML_METADATA_INVALID', 'an earlier EntityDescriptor has the same entityID');
    }
    context.seen.add(entityId);
    const imported: ImportedEntity = { entityId, entityCategories: registration.entityCategories };
    if (registration.registrationAuthority !== undefined) {
      imported.registrationAuthority = registration.registrationAuthority;
    }
    let validUntil = earlier(
      readDateTime(attribute(entity, 'validUntil'), 'EntityDescriptor'),
      context.group.validUntil,
    );
    const clock = () => new Date(context.now);
    // Public keys are imported when first used: for thousands of entities, importing each RSA key
    // would cost more than reading and verifying the whole aggregate.
    const shortKeys = {
      unsafeAllowShortRsaKeys: context.options.unsafeAllowShortRsaKeys === true,
      loadCertificate: loadCertificateDeferred,
    };
    if (hasRole(entity, 'SPSSODescriptor')) {
      const sp = readServiceProvider(
        entity,
        { clock, ...shortKeys },
        { signature: 'verified', enclosing: [], enclosingValidUntil: context.group.validUntil },
      );
      imported.serviceProvider = sp;
      validUntil = earlier(validUntil, sp.validUntil?.getTime());
    }
    const idp = findIdentityProviderDescriptor(entity);
    if (idp !== undefined) {
      const read = readIdentityProviderRole(idp, shortKeys);
      imported.identityProvider = read.role;
      validUntil = earlier(validUntil, read.validUntil);
    }
    if (imported.serviceProvider === undefined && imported.identityProvider === undefined) {
      throw new SamlError('SAML_METADATA_INVALID', 'the entity has no SAML 2.0 SP or IdP role');
    }
    if (validUntil !== undefined && context.now >= validUntil) {
      throw new SamlError('SAML_METADATA_EXPIRED', 'the entity is past its validUntil');
    }
    if (validUntil !== undefined) imported.validUntil = new Date(validUntil);
    return imported;
  } catch (error) {
    if (!isSamlError(error)) throw error;
    // Copies: a message may quote parts of the document, which must not keep it alive.
    const problem: EntityProblem = { code: error.code, message: copyString(error.message) };
    if (entityId !== undefined && entityId !== '') problem.entityId = entityId;
    return problem;
  }
}

function hasRole(entity: Element, localName: string): boolean {
  return childElements(entity).some((child) => isElement(child, 'md', localName));
}
