import { providerNameIdFormats } from '../config/provider-schema.js';
import type {
  AcsBinding,
  AssertionConsumerServiceInput,
  ProviderInput,
  ProviderNameIdFormat,
  SingleLogoutServiceInput,
  SlsBinding,
  SubjectIdRequirement,
} from '../config/provider-types.js';
import { namespaces } from '../constants/namespaces.js';
import { bindingUris, nameIdFormats } from '../constants/saml.js';
import {
  type AlgorithmPolicy,
  findEnvelopedSignature,
  isShortRsaKey,
  type KeyPair,
  loadKeyPair,
  toKeyPair,
  verifyEnvelopedSignature,
} from '../crypto/index.js';
import { isSamlError, SamlError } from '../errors/index.js';
import { isHttpUrl } from '../message/build-input.js';
import { type Clock, systemClock } from '../message/context.js';
import {
  attribute,
  childElements,
  childrenNamed,
  type Element,
  elementFromDom,
  isElement,
  type ParsedXml,
  parseXml,
  readText,
  serialize,
  type XmlLimits,
} from '../xml/index.js';
import { samlProtocolSupport } from './idp-metadata.js';
import { readSubjectIdRequirement } from './subject-id-requirement.js';

/** Options of {@link parseSpMetadata}. */
export interface ParseSpMetadataOptions extends AlgorithmPolicy {
  /**
   * Certificates allowed to sign the metadata (a federation operator's, or the
   * SP's as obtained out of band). Never a certificate from the document itself.
   */
  trust?: readonly (KeyPair | string)[];
  /**
   * Default true: the metadata must carry a signature that verifies with `trust`.
   * Set false only for metadata whose origin you authenticated otherwise (an
   * administrator's upload, a pinned HTTPS URL). Then a signature is verified
   * when `trust` is given and left unchecked when it is not.
   */
  requireSignature?: boolean;
  /** The SP to pick from an `md:EntitiesDescriptor`; also checked against a lone EntityDescriptor. */
  entityId?: string;
  /** For `validUntil`. Default: system time. */
  clock?: Clock;
  /** Parser bounds. Default 1 MiB, depth 64, 50,000 elements. */
  limits?: XmlLimits;
  /** Accept RSA keys shorter than 2048 bits. Default false. */
  unsafeAllowShortRsaKeys?: boolean;
}

/** An endpoint as the metadata lists it. `binding` is the binding URI. */
export interface MetadataEndpoint {
  binding: string;
  location: string;
  responseLocation?: string;
}

/** An indexed endpoint (AssertionConsumerService). */
export interface MetadataIndexedEndpoint extends MetadataEndpoint {
  index: number;
  isDefault?: boolean;
}

/** What {@link parseSpMetadata} read, from verified bytes when the metadata is signed. */
export interface SpMetadata {
  entityId: string;
  /**
   * Input for `parseProvider`: entityId, audience (= entityId), the default
   * ACS as acsUrl/spBinding, every usable ACS, the first front-channel (else
   * SOAP) SingleLogoutService, signing certificates as verificationCertificates,
   * the first RSA encryption certificate, the first of the six known NameID
   * formats, `signAssertion: true` when WantAssertionsSigned, and the `subject-id:req`
   * entity attribute as `subjectIdRequirement`. Add the IdP side
   * (`issuer`, `signingKeyPair`, …) before parsing it.
   */
  provider: ProviderInput;
  /** Every AssertionConsumerService, whatever its binding, in document order. */
  assertionConsumerServices: MetadataIndexedEndpoint[];
  /** Every SingleLogoutService, in document order. */
  singleLogoutServices: MetadataEndpoint[];
  /** Certificates of KeyDescriptors with `use="signing"` or no `use`. */
  signingCertificates: KeyPair[];
  /** Certificates of KeyDescriptors with `use="encryption"` or no `use`. */
  encryptionCertificates: KeyPair[];
  /** `md:EncryptionMethod` algorithms the SP lists for its encryption keys, deduplicated. */
  encryptionMethods: string[];
  /**
   * `alg:SigningMethod` algorithms (SAML V2.0 Metadata Profile for Algorithm
   * Support), from the SPSSODescriptor's Extensions, else the EntityDescriptor's; in document order.
   */
  signingMethods: string[];
  /** `alg:DigestMethod` algorithms, read like {@link SpMetadata.signingMethods}. */
  digestMethods: string[];
  nameIdFormats: string[];
  authnRequestsSigned?: boolean;
  wantAssertionsSigned?: boolean;
  /**
   * The SP's `urn:oasis:names:tc:SAML:profiles:subject-id:req` entity attribute (SAML V2.0
   * Subject Identifier Attributes Profile): its first value among `subject-id`, `pairwise-id`,
   * `any` and `none`; other values are ignored. Also `provider.subjectIdRequirement`.
   */
  subjectIdRequirement?: SubjectIdRequirement;
  /** The earliest `validUntil` on the way from the document root to the SPSSODescriptor. */
  validUntil?: Date;
  /** `cacheDuration` of the EntityDescriptor, as written (xs:duration). */
  cacheDuration?: string;
  /** `verified`: checked against `trust`; `absent`: unsigned; `unchecked`: signed, no trust given. */
  signature: 'verified' | 'absent' | 'unchecked';
  /** The trusted certificate that verified the signature. */
  signedBy?: KeyPair;
  /** What was read but could not be carried into `provider` (unsupported bindings, key types, …). */
  warnings: string[];
}

const defaultMetadataLimits: XmlLimits = { maxBytes: 1024 * 1024, maxElements: 50_000 };

function invalid(message: string): never {
  throw new SamlError('SAML_METADATA_INVALID', message);
}

function inputInvalid(path: string, message: string): never {
  throw new SamlError('SAML_INPUT_INVALID', `invalid parseSpMetadata options: ${path} ${message}`, {
    details: { issues: [{ path: [path], message }] },
  });
}

// xs:dateTime with a zone (Z or ±hh:mm); metadata is written by many tools, not only SAML message stacks.
const dateTimePattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}:\d{2})$/;

function readDateTime(text: string, what: string): number {
  const match = dateTimePattern.exec(text);
  const time = match ? Date.parse(`${match[1]!.replace(/(\.\d{3})\d+$/, '$1')}${match[2]}`) : Number.NaN;
  if (!Number.isFinite(time)) invalid(`${what} is not an xs:dateTime with a time zone`);
  return time;
}

function readBoolean(node: Element, name: string): boolean | undefined {
  const value = attribute(node, name);
  if (value === undefined) return undefined;
  // xs:boolean lexical space (XML Schema Part 2 §3.2.2): authentik's "1" rejection is a bug.
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return invalid(`${name} is not an xs:boolean`);
}

function readUrl(node: Element, name: string, what: string): string {
  const value = attribute(node, name);
  if (value === undefined) invalid(`${what} has no ${name}`);
  if (!isHttpUrl(value)) invalid(`${what} ${name} is not an absolute http(s) URL`);
  return value;
}

/** The EntityDescriptors of an EntitiesDescriptor, nested groups included, in document order. */
function entitiesOf(group: Element): Element[] {
  const found: Element[] = [];
  for (const child of childElements(group)) {
    if (isElement(child, 'md', 'EntityDescriptor')) found.push(child);
    else if (isElement(child, 'md', 'EntitiesDescriptor')) found.push(...entitiesOf(child));
  }
  return found;
}

function selectEntity(root: Element, entityId: string | undefined): Element {
  if (isElement(root, 'md', 'EntityDescriptor')) {
    if (entityId !== undefined && attribute(root, 'entityID') !== entityId) {
      invalid('the metadata describes another entity');
    }
    return root;
  }
  if (!isElement(root, 'md', 'EntitiesDescriptor')) {
    invalid('root is neither md:EntityDescriptor nor md:EntitiesDescriptor');
  }
  const entities = entitiesOf(root);
  if (entityId === undefined) {
    if (entities.length === 1) return entities[0]!;
    inputInvalid('entityId', 'is required to choose among the entities of an EntitiesDescriptor');
  }
  const matches = entities.filter((entity) => attribute(entity, 'entityID') === entityId);
  if (matches.length === 0) invalid('no EntityDescriptor has the requested entityID');
  if (matches.length > 1) invalid('several EntityDescriptors have the requested entityID');
  return matches[0]!;
}

/**
 * A nested element as a document of its own: the element plus every namespace
 * declaration in scope on its ancestors, so prefixes resolve and exclusive C14N
 * (which renders only what is used, plus InclusiveNamespaces) gives the bytes
 * the signer digested.
 */
function standalone(node: Element): string {
  const tree = elementFromDom(node);
  const declared = new Set(tree.declarations.map((d) => d.prefix));
  const inherited: { prefix: string | null; uri: string }[] = [];
  for (
    let current = node.parentNode;
    current !== null && current.nodeType === 1;
    current = current.parentNode
  ) {
    const attributes = (current as Element).attributes;
    for (let i = 0; i < attributes.length; i++) {
      const attr = attributes[i]!;
      const prefix = attr.name === 'xmlns' ? null : attr.prefix === 'xmlns' ? attr.localName! : undefined;
      if (prefix === undefined || declared.has(prefix)) continue;
      declared.add(prefix);
      inherited.push({ prefix, uri: attr.value });
    }
  }
  return serialize({ ...tree, declarations: [...tree.declarations, ...inherited] });
}

function hasSignatureChild(node: Element): boolean {
  return childrenNamed(node, 'ds', 'Signature').length > 0;
}

interface SignatureOutcome {
  /** The document to read from: the verified canonical bytes, or the original. */
  root: Element;
  signature: SpMetadata['signature'];
  signedBy?: KeyPair;
}

function checkSignature(
  parsed: ParsedXml,
  options: ParseSpMetadataOptions,
  trust: KeyPair[],
): SignatureOutcome {
  const requireSignature = options.requireSignature !== false;
  const limits = { ...defaultMetadataLimits, ...options.limits };
  // The document element, or else the selected entity, may carry the signature (SAMLMeta §3).
  let signed: ParsedXml | undefined;
  const entity = selectEntity(parsed.root, options.entityId);
  if (hasSignatureChild(parsed.root)) signed = parsed;
  else if (entity !== parsed.root && hasSignatureChild(entity)) signed = parseXml(standalone(entity), limits);
  if (signed === undefined) {
    // Other entities of an aggregate may be signed; a signature misplaced inside this one is an attack shape.
    if (entity.getElementsByTagNameNS(namespaces.ds, 'Signature').length > 0) {
      throw new SamlError('SAML_SIGNATURE_PROFILE_VIOLATION', 'a Signature appears outside its place');
    }
    if (requireSignature) throw new SamlError('SAML_SIGNATURE_MISSING', 'metadata is not signed');
    return { root: parsed.root, signature: 'absent' };
  }
  if (trust.length === 0) return { root: parsed.root, signature: 'unchecked' };
  const signature = findEnvelopedSignature(signed);
  if (signature === undefined) throw new SamlError('SAML_SIGNATURE_MISSING', 'metadata is not signed');
  const verified = verifyEnvelopedSignature(signed, signature, trust, options);
  // Read fields only from what was verified (attacks §1).
  const reread = parseXml(verified.canonicalXml, limits);
  return { root: reread.root, signature: 'verified', signedBy: verified.certificate };
}

/** @internal */
export interface KeyDescriptors {
  signing: KeyPair[];
  encryption: KeyPair[];
  methods: string[];
}

/** @internal The certificates and encryption methods of a role's KeyDescriptors (SAMLMeta §2.4.1.1). */
export function readKeyDescriptors(
  descriptor: Element,
  options: Pick<ParseSpMetadataOptions, 'unsafeAllowShortRsaKeys'> & {
    /** How a certificate's text becomes a KeyPair; default `loadKeyPair`. */
    loadCertificate?: ((text: string) => KeyPair) | undefined;
  },
): KeyDescriptors {
  const load = options.loadCertificate ?? ((certificate: string) => loadKeyPair({ certificate }));
  const result: KeyDescriptors = { signing: [], encryption: [], methods: [] };
  const seen = { signing: new Set<string>(), encryption: new Set<string>() };
  childrenNamed(descriptor, 'md', 'KeyDescriptor').forEach((keyDescriptor, index) => {
    const use = attribute(keyDescriptor, 'use');
    if (use !== undefined && use !== 'signing' && use !== 'encryption') {
      invalid('KeyDescriptor use must be "signing" or "encryption"');
    }
    const keyInfo = childrenNamed(keyDescriptor, 'ds', 'KeyInfo');
    if (keyInfo.length !== 1) invalid('KeyDescriptor must hold one ds:KeyInfo');
    const certificates = childrenNamed(keyInfo[0]!, 'ds', 'X509Data').flatMap((data) =>
      childrenNamed(data, 'ds', 'X509Certificate'),
    );
    // One key per KeyDescriptor (SAMLMeta §2.4.1.1); a chain's CA certificate must not become a trusted key.
    if (certificates.length !== 1) invalid('KeyDescriptor must carry exactly one ds:X509Certificate');
    let pair: KeyPair;
    try {
      pair = load(readText(certificates[0]!));
    } catch (error) {
      if (!isSamlError(error)) throw error;
      throw new SamlError('SAML_KEY_INVALID', `KeyDescriptor ${index} holds an unusable certificate`, {
        cause: error,
        details: { keyDescriptor: index },
      });
    }
    if (isShortRsaKey(pair) && !options.unsafeAllowShortRsaKeys) {
      throw new SamlError(
        'SAML_KEY_INVALID',
        `KeyDescriptor ${index} holds an RSA key shorter than 2048 bits`,
        {
          details: { keyDescriptor: index },
        },
      );
    }
    for (const role of ['signing', 'encryption'] as const) {
      if (use !== undefined && use !== role) continue;
      // The same DER twice is one key (its base64 is as unique as its fingerprint, and cheaper).
      if (seen[role].has(pair.certificateBase64)) continue;
      seen[role].add(pair.certificateBase64);
      result[role].push(pair);
    }
    if (use !== 'signing') {
      for (const method of childrenNamed(keyDescriptor, 'md', 'EncryptionMethod')) {
        const algorithm = attribute(method, 'Algorithm');
        if (algorithm === undefined) invalid('EncryptionMethod has no Algorithm');
        if (!result.methods.includes(algorithm)) result.methods.push(algorithm);
      }
    }
  });
  return result;
}

const algorithmSupportNamespace = 'urn:oasis:names:tc:SAML:metadata:algsupport';

/**
 * The `Algorithm` of each `alg:<localName>` in the role's md:Extensions, else in
 * the entity's: the profile lets either carry them, the role's being the more specific.
 */
function readAlgorithmHints(descriptor: Element, entity: Element, localName: string): string[] {
  for (const holder of [descriptor, entity]) {
    const found = new Set<string>();
    for (const extensions of childrenNamed(holder, 'md', 'Extensions')) {
      for (const child of childElements(extensions)) {
        if (child.namespaceURI !== algorithmSupportNamespace || child.localName !== localName) continue;
        const algorithm = attribute(child, 'Algorithm');
        if (algorithm === undefined || algorithm === '') invalid(`alg:${localName} has no Algorithm`);
        found.add(algorithm);
      }
    }
    if (found.size > 0) return [...found];
  }
  return [];
}

function readIndexedEndpoints(descriptor: Element): MetadataIndexedEndpoint[] {
  const indexes = new Set<number>();
  return childrenNamed(descriptor, 'md', 'AssertionConsumerService').map((node) => {
    const binding = attribute(node, 'Binding') ?? invalid('AssertionConsumerService has no Binding');
    const location = readUrl(node, 'Location', 'AssertionConsumerService');
    const indexText = attribute(node, 'index') ?? invalid('AssertionConsumerService has no index');
    // xs:unsignedShort (SAMLMeta §2.2.3).
    if (!/^\+?\d{1,5}$/.test(indexText) || Number(indexText) > 65_535) {
      invalid('AssertionConsumerService index is not an unsignedShort');
    }
    const index = Number(indexText);
    if (indexes.has(index)) invalid('two AssertionConsumerService share an index');
    indexes.add(index);
    const endpoint: MetadataIndexedEndpoint = { binding, location, index };
    const isDefault = readBoolean(node, 'isDefault');
    if (isDefault !== undefined) endpoint.isDefault = isDefault;
    const responseLocation = attribute(node, 'ResponseLocation');
    if (responseLocation !== undefined) endpoint.responseLocation = responseLocation;
    return endpoint;
  });
}

/** @internal The endpoints of a role with this local name, each with an absolute http(s) Location. */
export function readEndpoints(descriptor: Element, localName: string): MetadataEndpoint[] {
  return childrenNamed(descriptor, 'md', localName).map((node) => {
    const binding = attribute(node, 'Binding') ?? invalid(`${localName} has no Binding`);
    const endpoint: MetadataEndpoint = { binding, location: readUrl(node, 'Location', localName) };
    if (attribute(node, 'ResponseLocation') !== undefined) {
      endpoint.responseLocation = readUrl(node, 'ResponseLocation', localName);
    }
    return endpoint;
  });
}

// Every ACS binding a provider can register; Responses go out by HTTP-POST only (SAMLProf §4.1.2).
// Maps, not object literals: a Binding such as `__proto__` must not find Object.prototype.
const acsBindings: ReadonlyMap<string, AcsBinding> = new Map([
  [bindingUris.post, 'post'],
  [bindingUris.redirect, 'redirect'],
  ['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact', 'artifact'],
  ['urn:oasis:names:tc:SAML:2.0:bindings:PAOS', 'paos'],
]);
const slsBindings: ReadonlyMap<string, SlsBinding> = new Map([
  [bindingUris.redirect, 'redirect'],
  [bindingUris.post, 'post'],
  [bindingUris.soap, 'soap'],
]);

/** SAMLMeta §2.2.3: the first isDefault="true", else the first without isDefault="false", else the first. */
function defaultEndpoint<T extends { isDefault?: boolean }>(endpoints: readonly T[]): T | undefined {
  return (
    endpoints.find((e) => e.isDefault === true) ??
    endpoints.find((e) => e.isDefault === undefined) ??
    endpoints[0]
  );
}

/** @internal Whether a role descriptor lists SAML 2.0 in its protocolSupportEnumeration. */
export function supportsSaml2(descriptor: Element): boolean {
  return (attribute(descriptor, 'protocolSupportEnumeration') ?? '')
    .split(/\s+/)
    .includes(samlProtocolSupport);
}

/** @internal The validUntil values of `nodes`; the earliest one wins. */
export function earliestValidUntil(nodes: readonly Element[]): number | undefined {
  let earliest: number | undefined;
  for (const node of nodes) {
    const text = attribute(node, 'validUntil');
    if (text === undefined) continue;
    const time = readDateTime(text, `${node.localName} validUntil`);
    earliest = earliest === undefined ? time : Math.min(earliest, time);
  }
  return earliest;
}

function ancestry(node: Element): Element[] {
  const chain: Element[] = [];
  for (let current: Element | null = node; current !== null; ) {
    chain.push(current);
    const parent: Element['parentNode'] = current.parentNode;
    current = parent !== null && parent.nodeType === 1 ? (parent as Element) : null;
  }
  return chain;
}

function toProvider(result: Omit<SpMetadata, 'provider'>, warnings: string[]): ProviderInput {
  const known = result.assertionConsumerServices.filter((e) => acsBindings.has(e.binding));
  for (const endpoint of result.assertionConsumerServices) {
    if (!acsBindings.has(endpoint.binding)) {
      warnings.push(`AssertionConsumerService ${endpoint.index} uses an unknown binding and was left out`);
    }
  }
  // samlkit answers by HTTP-POST, so the default ACS is the default among the POST endpoints.
  const post = known.filter((e) => acsBindings.get(e.binding) === 'post');
  if (post.length === 0) invalid('no AssertionConsumerService uses the HTTP-POST binding');
  const chosen = defaultEndpoint(post)!;
  const declaredDefault = defaultEndpoint(result.assertionConsumerServices)!;
  if (declaredDefault !== chosen) {
    warnings.push(
      'the default AssertionConsumerService does not use HTTP-POST; the default HTTP-POST one is used instead',
    );
  }
  const provider: ProviderInput = {
    entityId: result.entityId,
    audience: result.entityId,
    acsUrl: chosen.location,
    spBinding: 'post',
    assertionConsumerServices: known.map(
      (e): AssertionConsumerServiceInput => ({
        url: e.location,
        binding: acsBindings.get(e.binding)!,
        index: e.index,
        isDefault: e === chosen,
      }),
    ),
    verificationCertificates: result.signingCertificates,
  };
  // A provider with signing certificates must sign its AuthnRequests; without one, a promise to
  // sign could not be held to and unsigned requests would pass, so the metadata is refused.
  if (result.authnRequestsSigned === true && result.signingCertificates.length === 0) {
    invalid('AuthnRequestsSigned is true but no signing certificate is listed');
  }
  // Every SingleLogoutService by binding (Shibboleth lists SOAP, Redirect, POST and Artifact).
  const logout = result.singleLogoutServices.filter((e) => slsBindings.has(e.binding));
  if (logout.length < result.singleLogoutServices.length) {
    warnings.push('SingleLogoutService endpoints with an unsupported binding were left out');
  }
  const seenBindings = new Set<SlsBinding>();
  const services: SingleLogoutServiceInput[] = [];
  for (const endpoint of logout) {
    const binding = slsBindings.get(endpoint.binding)!;
    // SAMLMeta §2.2.2 does not forbid two per binding; the first is the one used.
    if (seenBindings.has(binding)) continue;
    seenBindings.add(binding);
    services.push({
      binding,
      url: endpoint.location,
      ...(endpoint.responseLocation === undefined ? {} : { responseUrl: endpoint.responseLocation }),
    });
  }
  if (services.length > 0) {
    provider.singleLogoutServices = services;
    // The back channel when the SP offers SOAP: its outcome is observed, and no browser is needed.
    // Else a native front-channel chain, whose outcome is observed too (an iframe's is not).
    const soap = services.find((e) => e.binding === 'soap');
    const preferred = soap ?? services[0]!;
    provider.slsUrl = preferred.url;
    provider.slsBinding = preferred.binding;
    provider.logoutMethod = soap ? 'backchannel' : 'frontchannel_native';
  }
  if (result.authnRequestsSigned === true) provider.authnRequestsSigned = true;
  // Hints only: the first 64 of each are plenty to choose from.
  if (result.signingMethods.length > 0) provider.signingMethods = result.signingMethods.slice(0, 64);
  if (result.digestMethods.length > 0) provider.digestMethods = result.digestMethods.slice(0, 64);
  if (result.encryptionMethods.length > 0) provider.encryptionMethods = result.encryptionMethods.slice(0, 64);
  const encryption = result.encryptionCertificates.find((pair) => pair.keyType === 'rsa');
  if (encryption !== undefined) provider.encryptionCertificate = encryption;
  if (result.encryptionCertificates.some((pair) => pair.keyType !== 'rsa')) {
    warnings.push('non-RSA encryption certificates were left out (RSA-OAEP key transport only)');
  }
  const issuable = result.nameIdFormats.filter((f): f is ProviderNameIdFormat =>
    (providerNameIdFormats as readonly string[]).includes(f),
  );
  const format = issuable[0];
  if (format !== undefined) {
    provider.defaultNameIdPolicy = format;
    // The SP may ask for any format its metadata lists, and for no other (no format downgrade).
    const others = [...new Set(issuable.slice(1))].filter((f) => f !== format);
    if (others.length > 0) provider.allowedNameIdFormats = others;
  } else if (result.nameIdFormats.length > 0) {
    warnings.push('none of the NameIDFormats is one samlkit issues');
  } else {
    // No NameIDFormat: the SP states no preference, and SP software then asks for transient
    // (SimpleSAMLphp's default NameIDPolicy). A transient NameID links nothing beyond the
    // session (SAMLCore §8.3.8), so allowing it cannot be a format downgrade.
    provider.allowedNameIdFormats = [nameIdFormats.transient];
  }
  if (result.wantAssertionsSigned === true) provider.signAssertion = true;
  if (result.subjectIdRequirement !== undefined) provider.subjectIdRequirement = result.subjectIdRequirement;
  return provider;
}

/**
 * Reads an SP's metadata (SAMLMeta §2.3–2.4) into `parseProvider` input plus
 * everything it lists: every AssertionConsumerService (index, isDefault), every
 * SingleLogoutService, every signing and encryption certificate (a KeyDescriptor
 * without `use` counts for both), NameIDFormats, AuthnRequestsSigned and
 * WantAssertionsSigned. From an `md:EntitiesDescriptor` the SP is picked by
 * `entityId`.
 *
 * Fails closed on trust: a signature is required and must verify with a
 * certificate from `options.trust` (a certificate inside the document is never
 * used), unless `requireSignature: false` says the metadata's origin was
 * authenticated another way. Calling it with neither is an input error. When
 * signed, every field is read from the verified bytes only.
 *
 * @throws SamlError `SAML_INPUT_INVALID` (options), `SAML_SIGNATURE_*` /
 * `SAML_ALGORITHM_FORBIDDEN` (signature), `SAML_METADATA_INVALID` (content),
 * `SAML_METADATA_EXPIRED` (validUntil passed), `SAML_KEY_INVALID` (a certificate),
 * `SAML_XML_*` (parsing).
 */
export function parseSpMetadata(xml: string, options: ParseSpMetadataOptions = {}): SpMetadata {
  if (typeof xml !== 'string') throw new TypeError('parseSpMetadata expects a string');
  if (typeof options !== 'object' || options === null) inputInvalid('options', 'must be an object');
  if (options.trust !== undefined && !Array.isArray(options.trust)) inputInvalid('trust', 'must be an array');
  const trust = (options.trust ?? []).map((value) => toKeyPair(value));
  if (trust.length === 0 && options.requireSignature !== false) {
    inputInvalid(
      'trust',
      'must list the certificates that sign this metadata, or set requireSignature: false',
    );
  }
  if (options.entityId !== undefined && typeof options.entityId !== 'string') {
    inputInvalid('entityId', 'must be a string');
  }
  const parsed = parseXml(xml, { ...defaultMetadataLimits, ...options.limits });
  const outcome = checkSignature(parsed, options, trust);
  const entity = selectEntity(outcome.root, options.entityId);
  // Enclosing groups outside the signed element can only shorten the validity, never extend it.
  return readServiceProvider(entity, options, {
    signature: outcome.signature,
    signedBy: outcome.signedBy,
    enclosing: ancestry(selectEntity(parsed.root, options.entityId)),
  });
}

/** Where an EntityDescriptor came from, for {@link readServiceProvider}. */
export interface ServiceProviderSource {
  signature: SpMetadata['signature'];
  signedBy?: KeyPair | undefined;
  /** Elements outside `entity` whose `validUntil` also applies (enclosing groups). */
  enclosing: readonly Element[];
  /** The earliest `validUntil` of enclosing groups that are not elements here (a streamed aggregate). */
  enclosingValidUntil?: number | undefined;
}

/**
 * @internal Reads the SP role of one EntityDescriptor whose origin the caller
 * has already established (a verified signature, or an explicit opt-out).
 */
export function readServiceProvider(
  entity: Element,
  options: Pick<ParseSpMetadataOptions, 'clock' | 'unsafeAllowShortRsaKeys'> & {
    loadCertificate?: ((text: string) => KeyPair) | undefined;
  },
  source: ServiceProviderSource,
): SpMetadata {
  const entityId = attribute(entity, 'entityID');
  if (entityId === undefined || entityId === '') invalid('EntityDescriptor has no entityID');

  const descriptors = childrenNamed(entity, 'md', 'SPSSODescriptor').filter(supportsSaml2);
  if (descriptors.length === 0) invalid('the entity has no SAML 2.0 SPSSODescriptor');
  const descriptor = descriptors[0]!;
  const warnings: string[] = [];
  if (descriptors.length > 1)
    warnings.push('the entity has several SAML 2.0 SPSSODescriptors; the first is used');

  const own = earliestValidUntil([descriptor, ...ancestry(entity), ...source.enclosing]);
  const outer = source.enclosingValidUntil;
  const validUntil = own === undefined ? outer : outer === undefined ? own : Math.min(own, outer);
  const now = (options.clock ?? systemClock)().getTime();
  if (validUntil !== undefined && now >= validUntil) {
    throw new SamlError('SAML_METADATA_EXPIRED', 'the metadata is past its validUntil');
  }

  const keys = readKeyDescriptors(descriptor, options);
  const result: Omit<SpMetadata, 'provider'> = {
    entityId,
    assertionConsumerServices: readIndexedEndpoints(descriptor),
    singleLogoutServices: readEndpoints(descriptor, 'SingleLogoutService'),
    signingCertificates: keys.signing,
    encryptionCertificates: keys.encryption,
    encryptionMethods: keys.methods,
    signingMethods: readAlgorithmHints(descriptor, entity, 'SigningMethod'),
    digestMethods: readAlgorithmHints(descriptor, entity, 'DigestMethod'),
    nameIdFormats: childrenNamed(descriptor, 'md', 'NameIDFormat').map((node) => readText(node).trim()),
    signature: source.signature,
    warnings,
  };
  if (result.assertionConsumerServices.length === 0)
    invalid('SPSSODescriptor has no AssertionConsumerService');
  const authnRequestsSigned = readBoolean(descriptor, 'AuthnRequestsSigned');
  if (authnRequestsSigned !== undefined) result.authnRequestsSigned = authnRequestsSigned;
  const wantAssertionsSigned = readBoolean(descriptor, 'WantAssertionsSigned');
  if (wantAssertionsSigned !== undefined) result.wantAssertionsSigned = wantAssertionsSigned;
  if (validUntil !== undefined) result.validUntil = new Date(validUntil);
  const subjectIdRequirement = readSubjectIdRequirement(entity);
  if (subjectIdRequirement !== undefined) result.subjectIdRequirement = subjectIdRequirement;
  const cacheDuration = attribute(entity, 'cacheDuration');
  if (cacheDuration !== undefined) result.cacheDuration = cacheDuration;
  if (source.signedBy !== undefined) result.signedBy = source.signedBy;
  const provider = toProvider(result, warnings);
  // A short key the caller admitted here must be admitted by parseProvider too.
  const loaded = [...result.signingCertificates, ...result.encryptionCertificates];
  if (options.unsafeAllowShortRsaKeys && loaded.some(isShortRsaKey)) {
    provider.unsafeAllowShortRsaKeys = true;
  }
  return { ...result, provider } as SpMetadata;
}
