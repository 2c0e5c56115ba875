// samlkit/serve: a runnable identity provider for SP development and test suites (`samlkit serve`).

export {
  loadServeConfig,
  type ServeLogoutMethod,
  type ServeMode,
  type ServeServiceProvider,
  type ServeStoreOption,
  type ServeTlsOption,
  type ServeUser,
  type StartIdpOptions,
} from '../config/serve-options.js';
export { type Misbehaviour, misbehaviours } from './misbehaviour.js';
export { type RunningIdp, startIdp } from './server.js';
