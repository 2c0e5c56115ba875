export {
  type AlgorithmSupport,
  type AlgorithmSupportInput,
  defaultAlgorithmSupport,
  type SigningMethodHint,
} from './algorithm-support.js';
export type { ContactPersonInput, ContactType } from './contact-person.js';
export type { EntityAttributeInput } from './entity-attributes.js';
export {
  type BuildIdpMetadataInput,
  buildIdpMetadata,
  defaultIdpNameIdFormats,
  type IdpMetadataEndpoints,
} from './idp-metadata.js';
export type { LocalizedValues } from './localized-values.js';
export type { OrganizationInput } from './organization.js';
export type { ScopeInput } from './shibboleth-scope.js';
export {
  type MetadataEndpoint,
  type MetadataIndexedEndpoint,
  type ParseSpMetadataOptions,
  parseSpMetadata,
  type SpMetadata,
} from './sp-metadata.js';
export type { UiInfoInput, UiLogo } from './ui-info.js';
