export {
  type BuildIdpMetadataInput,
  buildIdpMetadata,
  defaultIdpNameIdFormats,
  type IdpMetadataEndpoints,
} from './idp-metadata.js';
export {
  type MetadataEndpoint,
  type MetadataIndexedEndpoint,
  type ParseSpMetadataOptions,
  parseSpMetadata,
  type SpMetadata,
} from './sp-metadata.js';
