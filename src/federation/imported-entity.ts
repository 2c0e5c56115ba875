import type { KeyPair } from '../crypto/index.js';
import type { SamlErrorCode } from '../errors/index.js';
import type { MetadataEndpoint, SpMetadata } from '../metadata/sp-metadata.js';

/** The IdP role of an imported entity: its first SAML 2.0 `md:IDPSSODescriptor`. */
export interface IdentityProviderRole {
  /** Every `md:SingleSignOnService`, in document order. */
  ssoServices: MetadataEndpoint[];
  /** Every `md:SingleLogoutService`, in document order. */
  sloServices: MetadataEndpoint[];
  /** Certificates of KeyDescriptors with `use="signing"` or no `use`: the keys its messages are signed with. */
  certificates: KeyPair[];
}

/**
 * One `md:EntityDescriptor` of a verified aggregate that passed the
 * registration filter and could be read. Every string it carries is a copy,
 * never a view into the aggregate's text, so keeping it does not keep the
 * aggregate alive.
 */
export interface ImportedEntity {
  entityId: string;
  /** The SP role, exactly as `parseSpMetadata` reads it (`signature: 'verified'`). */
  serviceProvider?: SpMetadata;
  /** The IdP role, when the entity has a SAML 2.0 IDPSSODescriptor. */
  identityProvider?: IdentityProviderRole;
  /**
   * Values of the `http://macedir.org/entity-category` attribute in the
   * entity's `mdattr:EntityAttributes` (SAML V2.0 Metadata Extension for Entity
   * Attributes), in document order.
   */
  entityCategories: string[];
  /**
   * `registrationAuthority` of the entity's `mdrpi:RegistrationInfo`, else of the
   * nearest enclosing `md:EntitiesDescriptor` that has one (SAML V2.0 Metadata
   * Extensions for Registration and Publication Information §2.1).
   */
  registrationAuthority?: string;
  /** The earliest `validUntil` of the entity, its roles and its enclosing groups. */
  validUntil?: Date;
}

/** Why one entity of an aggregate was left out; the rest of the aggregate is unaffected. */
export interface EntityProblem {
  /** The `entityID`, when the entity has one. */
  entityId?: string;
  /** `SAML_METADATA_INVALID`, `SAML_METADATA_EXPIRED`, `SAML_KEY_INVALID`, `SAML_XML_MIXED_CONTENT`, … */
  code: SamlErrorCode;
  message: string;
}

/** What {@link importAggregate} returns: everything read from bytes the federation's key verified. */
export interface ImportedAggregate {
  /** Entities that passed the filter and could be read, in document order. */
  entities: ImportedEntity[];
  /** Entities that passed the filter but could not be read (or repeat an earlier entityID). */
  problems: EntityProblem[];
  /** The aggregate's own `validUntil` (the root `md:EntitiesDescriptor`). */
  validUntil?: Date;
  /** The aggregate's own `cacheDuration`, as written (xs:duration). */
  cacheDuration?: string;
  /** {@link ImportedAggregate.cacheDuration} in milliseconds (a year is 365 days, a month 30). */
  cacheDurationMs?: number;
  /** The `Name` of the root `md:EntitiesDescriptor`, when it has one. */
  name?: string;
  /** The trusted certificate that verified the aggregate's signature. */
  signedBy: KeyPair;
  /** EntityDescriptors in the aggregate, before the filter. */
  entityCount: number;
}
