export { type SamlErrorCode, errorCodes } from './codes.js';
export { type Issue, SamlError, type SamlErrorDetails, type SamlErrorDetailsByCode, isSamlError } from './saml-error.js';
