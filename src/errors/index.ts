export { errorCodes, type SamlErrorCode } from './codes.js';
export {
  type Issue,
  isSamlError,
  SamlError,
  type SamlErrorDetails,
  type SamlErrorDetailsByCode,
} from './saml-error.js';
