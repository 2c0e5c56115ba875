export * from './algorithms.js';
export * from './encryption.js';
export * from './namespaces.js';
export * from './saml.js';
