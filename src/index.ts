export * from './errors/index.js';
export * from './constants/index.js';
export { type KeyPair, type KeyPairInput, type KeyPairType, loadKeyPair } from './crypto/keys.js';
export * from './config/index.js';
