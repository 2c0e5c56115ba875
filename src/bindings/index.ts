export { detectBinding, type HttpInput, type InspectedMessage, inspectMessage } from './inspect.js';
export { type EncodePostInput, encodePost, type PostForm, receivePost } from './post.js';
export type { Received, ReceiveOptions } from './receive.js';
export {
  type EncodeRedirectInput,
  encodeRedirect,
  type ReceiveRedirectOptions,
  receiveRedirect,
  type SignOptions,
} from './redirect.js';
export type { EnvelopedSignOptions } from './sign-xml.js';
export { encodeSoap, encodeSoapFault, receiveSoap } from './soap.js';
