import type { Provider } from '../config/index.js';

/** The Issuer towards a provider: its own `issuer` when set (authentik gives each one), else ours. */
export function issuerFor(context: { entityId: string }, provider: Provider | undefined): string {
  return provider && provider.issuer !== '' ? provider.issuer : context.entityId;
}
