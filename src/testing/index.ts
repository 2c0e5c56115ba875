/**
 * `samlkit/testing`: plain functions for test suites that assert SAML XML,
 * whatever the test framework. Assertions throw a plain `Error`. Nothing here
 * is for processing messages in production: `decodeMessage` verifies nothing.
 *
 * @module
 */
export {
  type DecodedMessage,
  type DecodeMessageOptions,
  decodeMessage,
  type MessageInput,
} from './decode.js';
export { type NormalizeOptions, normalizeXml } from './normalize.js';
export {
  assertSchemaValid,
  hasXmllint,
  type SchemaReport,
  type ValidateSchemaOptions,
  validateSchema,
} from './schema.js';
export {
  evaluate,
  type SelectedNode,
  type SelectOptions,
  select,
  selectText,
  xpathPrefixes,
} from './select.js';
export {
  assertNotSigned,
  assertSigned,
  type SignatureCheckOptions,
  type SignedPart,
  signedParts,
} from './signatures.js';
