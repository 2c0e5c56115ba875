export { createIdpHandlers, type IdpHandlers, type IdpHandlersOptions } from './handlers.js';
export {
  type NodeRequest,
  type NodeRequestOptions,
  readNodeRequest,
  toNodeHandler,
  writeNodeResponse,
} from './node.js';
export {
  autoSubmitScript,
  autoSubmitScriptHash,
  type FrameStep,
  type Page,
  type PageOptions,
  renderFormPage,
  renderIframePage,
} from './pages.js';
export type { RawRequestParts } from './request.js';
export {
  respondWithLogoutResult,
  respondWithRefusal,
  respondWithSoapFault,
  respondWithSsoReply,
} from './responses.js';
