export { createMemoryStore, type MemoryStore } from './memory.js';
export type {
  LogoutTransaction,
  LogoutTransactionStore,
  ProviderStore,
  ReplayCache,
  SessionParticipant,
  SessionStore,
  Store,
} from './store.js';
export type { StoreSweep } from './sweep.js';
