export { type AddressCategory, classifyAddress, isPublicAddress } from './address-guard.js';
export { type BackoffOptions, backoffDelay, type SleepFunction } from './backoff.js';
export { createFetchTransport, type FetchFunction, type FetchTransportOptions } from './fetch.js';
export type { TransportTlsOptions } from './pinned-request.js';
export { type LookupFunction, systemLookup } from './target-guard.js';
export type { Transport, TransportRequest, TransportResponse } from './transport.js';
