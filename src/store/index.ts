export { createMemoryStore, type MemoryStore } from './memory.js';
export type {
  LogoutTransaction,
  LogoutTransactionStore,
  OwnedProvider,
  OwnedProviderStore,
  OwnedProvidersReplaced,
  ProviderStore,
  ReplayCache,
  SessionParticipant,
  SessionStore,
  Store,
} from './store.js';
export type { StoreSweep } from './sweep.js';
