import type { DigestAlgorithm, SignatureAlgorithm } from '../constants/algorithms.js';
import {
  defaultAcceptedDataEncryptionAlgorithms,
  defaultAcceptedKeyTransportAlgorithms,
} from '../constants/encryption.js';
import type { NamespacePrefix } from '../constants/namespaces.js';
import { bindingUris, nameIdFormats } from '../constants/saml.js';
import {
  checkSigningChoice,
  defaultSignatureAlgorithm,
  type KeyPair,
  signTree,
  toKeyPair,
} from '../crypto/index.js';
import { isSamlError } from '../errors/index.js';
import { InputIssues, isHttpUrl } from '../message/build-input.js';
import { checkId, generateId, type IdGenerator } from '../message/context.js';
import { formatInstant } from '../message/instant.js';
import { element, serialize, type XmlElement } from '../xml/index.js';
import { type AlgorithmSupportInput, buildAlgorithmSupport } from './algorithm-support.js';
import { buildContactPersons, type ContactPersonInput } from './contact-person.js';
import { buildEntityAttributes, type EntityAttributeInput } from './entity-attributes.js';
import { buildOrganization, type OrganizationInput } from './organization.js';
import { buildScopes, type ScopeInput } from './shibboleth-scope.js';
import { buildUiInfo, type UiInfoInput } from './ui-info.js';

/** The protocol support URI of SAML 2.0 role descriptors (SAMLMeta §2.4.1). */
export const samlProtocolSupport = 'urn:oasis:names:tc:SAML:2.0:protocol';

/**
 * Where the IdP receives SAML messages. `idpEndpoints(baseUrl, slug)` gives the
 * Redirect and POST URLs (its `metadata` and `ssoInit` are ignored); add
 * `ssoSoap` / `sloSoap` when the IdP serves SOAP (ECP, back-channel logout). At
 * least one SSO endpoint is required.
 */
export interface IdpMetadataEndpoints {
  metadata?: string;
  ssoInit?: string;
  ssoRedirect?: string;
  ssoPost?: string;
  ssoSoap?: string;
  sloRedirect?: string;
  sloPost?: string;
  sloSoap?: string;
}

/** Input to {@link buildIdpMetadata}. */
export interface BuildIdpMetadataInput {
  /** The IdP entity ID (the `Issuer` of everything it sends); at most 1024 characters. */
  entityId: string;
  endpoints: IdpMetadataEndpoints;
  /**
   * Certificates SPs should trust for the IdP's signatures: the current one and,
   * during rollover, the next (or previous) one. At least one.
   */
  signingCertificates: readonly (KeyPair | string)[];
  /** RSA certificates SPs may encrypt to (e.g. an EncryptedID in a LogoutRequest). Default none. */
  encryptionCertificates?: readonly (KeyPair | string)[];
  /**
   * `md:EncryptionMethod` URIs listed with each encryption certificate. Default:
   * what decryption accepts without opt-ins (AES-GCM, RSA-OAEP).
   */
  encryptionMethods?: readonly string[];
  /** NameID formats offered. Default: the six samlkit issues (emailAddress, persistent, transient, …). */
  nameIdFormats?: readonly string[];
  /** Written as given; omitted when undefined (the schema default is false). */
  wantAuthnRequestsSigned?: boolean;
  /** `validUntil` of the EntityDescriptor: SPs should refresh before then (SAMLMeta §2.3.2). */
  validUntil?: Date;
  /** `cacheDuration` in milliseconds (written as an xs:duration in whole seconds). */
  cacheDurationMs?: number;
  /** Signs the EntityDescriptor (enveloped, SAMLMeta §3.1); the `ID` attribute is added. */
  sign?: {
    key: KeyPair;
    /** Default: RSA-SHA256, or ECDSA with the hash matching the curve. */
    algorithm?: SignatureAlgorithm;
    /** Default SHA-256. */
    digestAlgorithm?: DigestAlgorithm;
    unsafeAllowSha1?: boolean;
  };
  /**
   * `alg:DigestMethod` / `alg:SigningMethod` in the EntityDescriptor's Extensions
   * (SAML V2.0 Metadata Profile for Algorithm Support): what samlkit verifies,
   * so that peers stop signing with SHA-1. Default {@link defaultAlgorithmSupport};
   * override either list, or pass `false` to publish no hints.
   */
  algorithmSupport?: AlgorithmSupportInput | false;
  /** `shibmd:Scope` values in the IDPSSODescriptor's Extensions (scoped attributes such as eduPersonPrincipalName). */
  scopes?: readonly ScopeInput[];
  /** `mdui:UIInfo` in the IDPSSODescriptor's Extensions: names, logos and links for login and discovery pages. */
  uiInfo?: UiInfoInput;
  /** `mdattr:EntityAttributes` in the EntityDescriptor's Extensions (entity categories, assurance certification). */
  entityAttributes?: readonly EntityAttributeInput[];
  /** `md:Organization` of the EntityDescriptor. */
  organization?: OrganizationInput;
  /** `md:ContactPerson` elements of the EntityDescriptor, in the order given. */
  contacts?: readonly ContactPersonInput[];
  /** `ID` attribute; default a fresh one when signing, none otherwise. */
  id?: string;
  generateId?: IdGenerator;
}

/** The NameID formats offered by default, in the order authentik lists them plus the two it omits. */
export const defaultIdpNameIdFormats: readonly string[] = [
  nameIdFormats.emailAddress,
  nameIdFormats.persistent,
  nameIdFormats.x509SubjectName,
  nameIdFormats.windowsDomainQualifiedName,
  nameIdFormats.transient,
  nameIdFormats.unspecified,
];

function loadCertificates(
  values: readonly (KeyPair | string)[] | undefined,
  path: string,
  issues: InputIssues,
): KeyPair[] {
  if (values === undefined) return [];
  if (!Array.isArray(values)) {
    issues.check(false, [path], 'must be an array');
    return [];
  }
  const pairs: KeyPair[] = [];
  values.forEach((value, index) => {
    try {
      pairs.push(toKeyPair(value));
    } catch (error) {
      if (!isSamlError(error)) throw error;
      issues.check(false, [path, index], 'is not a certificate or KeyPair');
    }
  });
  return pairs;
}

function keyDescriptor(use: 'signing' | 'encryption', pair: KeyPair, methods: readonly string[]): XmlElement {
  return element('md:KeyDescriptor', { use }, [
    element('ds:KeyInfo', {}, [
      element('ds:X509Data', {}, [element('ds:X509Certificate', {}, [pair.certificateBase64])]),
    ]),
    ...methods.map((method) => element('md:EncryptionMethod', { Algorithm: method })),
  ]);
}

const endpointBindings = [
  ['Redirect', bindingUris.redirect],
  ['Post', bindingUris.post],
  ['Soap', bindingUris.soap],
] as const;

/** The prefixes the document uses, declared once on the root: md and ds always, extensions when present. */
function declaredPrefixes(
  entityExtensions: XmlElement[],
  roleExtensions: XmlElement[],
  contacts: XmlElement[],
): NamespacePrefix[] {
  const used = new Set([...entityExtensions, ...roleExtensions].map((child) => child.prefix));
  const prefixes: NamespacePrefix[] = ['md', 'ds'];
  if (used.has('alg')) prefixes.push('alg');
  if (used.has('mdattr')) prefixes.push('mdattr', 'saml');
  if (used.has('mdui')) prefixes.push('mdui');
  if (used.has('shibmd')) prefixes.push('shibmd');
  if (contacts.some((contact) => contact.attributes.some((a) => a.prefix === 'remd'))) prefixes.push('remd');
  return prefixes;
}

/**
 * Builds the IdP's metadata (SAMLMeta §2.3–2.4): an `md:EntityDescriptor` with
 * one `md:IDPSSODescriptor` holding a signing KeyDescriptor per certificate
 * (rollover), encryption KeyDescriptors with their EncryptionMethods,
 * SingleLogoutService and SingleSignOnService for each configured binding, and
 * the NameID formats, in schema order; algorithm hints by default, and the
 * scope, UI, entity-attribute, organization and contact options when given.
 * Optionally signed with an enveloped signature over the `ID`.
 *
 * @throws TypeError for an option of the wrong type (a string where a list belongs, an unknown key).
 * @throws SamlError `SAML_INPUT_INVALID` listing every bad field;
 * `SAML_ALGORITHM_FORBIDDEN` / `SAML_KEY_INVALID` for an unusable signing choice.
 */
export function buildIdpMetadata(input: BuildIdpMetadataInput): { id: string | undefined; xml: string } {
  const issues = new InputIssues();
  issues.require(input.entityId, ['entityId']);
  issues.check(
    typeof input.entityId !== 'string' || input.entityId.length <= 1024,
    ['entityId'],
    'is longer than 1024 characters',
  );
  const endpoints = (typeof input.endpoints === 'object' && input.endpoints) || {};
  issues.check(typeof input.endpoints === 'object' && input.endpoints !== null, ['endpoints'], 'is required');
  for (const [name, value] of Object.entries(endpoints)) {
    // idpEndpoints() also returns `metadata` and `ssoInit`: they have no place in metadata.
    if (name === 'metadata' || name === 'ssoInit') continue;
    const known = /^(sso|slo)(Redirect|Post|Soap)$/.test(name);
    issues.check(known, ['endpoints', name], 'is not an endpoint name');
    if (known && value !== undefined) {
      issues.check(isHttpUrl(value), ['endpoints', name], 'must be an absolute http(s) URL');
    }
  }
  const sso = endpointBindings.filter(([suffix]) => endpoints[`sso${suffix}`] !== undefined);
  const slo = endpointBindings.filter(([suffix]) => endpoints[`slo${suffix}`] !== undefined);
  issues.check(sso.length > 0, ['endpoints'], 'needs at least one SingleSignOnService URL');

  const signing = loadCertificates(input.signingCertificates, 'signingCertificates', issues);
  issues.check(
    Array.isArray(input.signingCertificates) && input.signingCertificates.length > 0,
    ['signingCertificates'],
    'must list at least one certificate',
  );
  const encryption = loadCertificates(input.encryptionCertificates, 'encryptionCertificates', issues);
  encryption.forEach((pair, index) => {
    issues.check(
      pair.keyType === 'rsa',
      ['encryptionCertificates', index],
      'must be RSA (RSA-OAEP key transport)',
    );
  });
  const methods = input.encryptionMethods ?? [
    ...defaultAcceptedDataEncryptionAlgorithms,
    ...defaultAcceptedKeyTransportAlgorithms,
  ];
  const formats = input.nameIdFormats ?? defaultIdpNameIdFormats;
  for (const [path, list] of [
    ['encryptionMethods', methods],
    ['nameIdFormats', formats],
  ] as const) {
    if (!Array.isArray(list)) issues.check(false, [path], 'must be an array');
    else {
      list.forEach((uri, index) => {
        issues.check(
          typeof uri === 'string' && /^[a-z][a-z0-9+.-]*:\S+$/i.test(uri),
          [path, index],
          'must be a URI',
        );
      });
    }
  }
  if (input.validUntil !== undefined) {
    issues.check(
      input.validUntil instanceof Date && Number.isFinite(input.validUntil.getTime()),
      ['validUntil'],
      'must be a valid Date',
    );
  }
  if (input.cacheDurationMs !== undefined) {
    issues.check(
      Number.isSafeInteger(input.cacheDurationMs) && input.cacheDurationMs >= 1000,
      ['cacheDurationMs'],
      'must be a whole number of milliseconds, at least 1000',
    );
  }
  if (input.wantAuthnRequestsSigned !== undefined) {
    issues.check(
      typeof input.wantAuthnRequestsSigned === 'boolean',
      ['wantAuthnRequestsSigned'],
      'must be a boolean',
    );
  }
  // The extension builders throw a TypeError at once for a value of the wrong type and
  // collect the rest with the issues above.
  const entityExtensions = [
    buildEntityAttributes(input.entityAttributes, issues),
    ...buildAlgorithmSupport(input.algorithmSupport, issues),
  ].filter((child) => child !== undefined);
  const roleExtensions = [...buildScopes(input.scopes, issues), buildUiInfo(input.uiInfo, issues)].filter(
    (child) => child !== undefined,
  );
  const organization = buildOrganization(input.organization, issues);
  const contacts = buildContactPersons(input.contacts, issues);
  issues.throwIfAny('IdP metadata');

  const sign = input.sign;
  const choice =
    sign === undefined
      ? undefined
      : checkSigningChoice(
          sign.key,
          sign.algorithm ?? defaultSignatureAlgorithm(sign.key),
          sign.digestAlgorithm ?? 'http://www.w3.org/2001/04/xmlenc#sha256',
          { unsafeAllowSha1: sign.unsafeAllowSha1 === true },
        );
  const id =
    input.id !== undefined || sign !== undefined
      ? checkId(input.id ?? (input.generateId ?? generateId)(), 'id')
      : undefined;

  // SAMLMeta §2.4.1–2.4.3: Extensions?, KeyDescriptor*, SingleLogoutService*, NameIDFormat*,
  // SingleSignOnService+. md:Extensions needs at least one child.
  const descriptor = element(
    'md:IDPSSODescriptor',
    {
      protocolSupportEnumeration: samlProtocolSupport,
      WantAuthnRequestsSigned:
        input.wantAuthnRequestsSigned === undefined ? undefined : String(input.wantAuthnRequestsSigned),
    },
    [
      roleExtensions.length > 0 && element('md:Extensions', {}, roleExtensions),
      ...signing.map((pair) => keyDescriptor('signing', pair, [])),
      ...encryption.map((pair) => keyDescriptor('encryption', pair, methods)),
      ...slo.map(([suffix, binding]) =>
        element('md:SingleLogoutService', { Binding: binding, Location: endpoints[`slo${suffix}`] }),
      ),
      ...formats.map((format) => element('md:NameIDFormat', {}, [format])),
      ...sso.map(([suffix, binding]) =>
        element('md:SingleSignOnService', { Binding: binding, Location: endpoints[`sso${suffix}`] }),
      ),
    ],
  );
  const root = element(
    'md:EntityDescriptor',
    {
      ID: id,
      entityID: input.entityId,
      validUntil: input.validUntil === undefined ? undefined : formatInstant(input.validUntil),
      cacheDuration:
        input.cacheDurationMs === undefined ? undefined : `PT${Math.floor(input.cacheDurationMs / 1000)}S`,
    },
    // SAMLMeta §2.3.2: Extensions?, role descriptors, Organization?, ContactPerson*.
    [
      entityExtensions.length > 0 && element('md:Extensions', {}, entityExtensions),
      descriptor,
      organization,
      ...contacts,
    ],
    declaredPrefixes(entityExtensions, roleExtensions, contacts),
  );
  const tree =
    sign === undefined || choice === undefined
      ? root
      : signTree(root, { key: sign.key, algorithm: choice.algorithm, digestAlgorithm: choice.digest });
  return { id, xml: serialize(tree) };
}
