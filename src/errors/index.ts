export { errorCodes, type SamlErrorCode } from './codes.js';
export {
  type Issue,
  isSamlError,
  SamlError,
  type SamlErrorDetails,
  type SamlErrorDetailsByCode,
  type SamlErrorDetailsOf,
  type SamlErrorOptions,
} from './saml-error.js';
