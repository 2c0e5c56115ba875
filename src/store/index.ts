export { createMemoryStore } from './memory.js';
export type {
  LogoutTransaction,
  LogoutTransactionStore,
  ProviderStore,
  ReplayCache,
  SessionParticipant,
  SessionStore,
  Store,
} from './store.js';
