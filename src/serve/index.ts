// samlkit/serve: a runnable identity provider for SP development and test suites (`samlkit serve`).
export { type Misbehaviour, misbehaviours } from './misbehaviour.js';
export {
  loadServeConfig,
  type ServeLogoutMethod,
  type ServeMode,
  type ServeServiceProvider,
  type ServeStoreOption,
  type ServeTlsOption,
  type ServeUser,
  type StartIdpOptions,
} from './options.js';
export { type RunningIdp, startIdp } from './server.js';
